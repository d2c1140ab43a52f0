// Package labelling labels one stored image: fetch ▸ decode ▸ classify,
// colours and thumbnail ▸ one row. It is the domain's core use case, written
// against the veglens interfaces (the stores and the classifier) plus the
// pure-Go pixel packages picture and colour, so the classify function
// (Lambda), the local runner and the tests all run the same code.
//
// Every outcome is one of three: the image's row is written as done
// (Labelled) or as rejected with a reason a person can read (Rejected), or
// there was nothing to do (Skipped: not an image key, already labelled, or a
// gallery object deleted before it was labelled).
//
// Retry or reject: a failure that would recur on every attempt with the same
// bytes (an unreadable or oversize file, a picture the classifier refuses, a
// crash in the colour rules or the thumbnail) is written as a rejection. A
// failure that may pass (a store unreachable, the classifier closing or out
// of time: veglens.ErrUnavailable or the context's error) is returned and
// nothing is written; the caller retries later, which is harmless because
// every write is an upsert on the object's key.
package labelling

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/veglens/veglens/shared/colour"
	"github.com/veglens/veglens/shared/picture"
	"github.com/veglens/veglens/shared/veglens"
)

// TopK is how many kinds are kept per image.
const TopK = 3

// DecodeSide is the long side, at least, that large JPEGs are decoded to
// (shrink-on-load, picture.Limits.ShrinkTo): twice the model's 224 px input,
// so that resizing still averages several pixels into each, and more than
// the colour rules need. A 4032x3024 phone photo decodes at 1/8 scale,
// 504x378 (its thumbnail is then 504 px wide), in about 15 ms instead of 66.
const DecodeSide = 448

// ThumbnailSide is the longest side of thumbnails, in pixels; images whose
// long side is larger get one.
const ThumbnailSide = 512

// Outcome says what Label did.
type Outcome string

// Outcomes.
const (
	Labelled Outcome = "labelled" // row written with status done
	Rejected Outcome = "rejected" // row written with status rejected
	Skipped  Outcome = "skipped"  // nothing to do
)

// Request names one object version to label, as an ObjectCreated event
// does.
type Request struct {
	Key  string // decoded object key
	ETag string // without quotes; may be empty
	Size int64  // bytes, from the event; 0 when unknown
}

// Result is what Label did and the row it wrote (zero when Skipped).
type Result struct {
	Outcome Outcome
	Image   veglens.Image
	// Timings of the steps that ran (also in Image.Timings when labelled).
	Timings veglens.Timings
}

// Deps are a Labeller's dependencies; Images, Objects and Classifier are
// required.
type Deps struct {
	Images     veglens.ImageStore
	Objects    veglens.ObjectStore
	Classifier veglens.Classifier
	// MeasureColours measures the dominant colours, weighting the picture
	// by focus (the classifier's activation map); default colour.Measure.
	MeasureColours func(img image.Image, focus veglens.ActivationMap) veglens.Colours
	// Limits bound decoding; the zero value means picture.DefaultLimits.
	// MaxBytes is capped at veglens.MaxImageBytes; ShrinkTo 0 means
	// DecodeSide.
	Limits picture.Limits
	// Log receives what a person running the service wants to know; nil
	// discards it.
	Log *slog.Logger
}

// Labeller labels images. Safe for concurrent use.
type Labeller struct {
	images     veglens.ImageStore
	objects    veglens.ObjectStore
	classifier veglens.Classifier
	measure    func(img image.Image, focus veglens.ActivationMap) veglens.Colours
	limits     picture.Limits
	log        *slog.Logger
	kinds      []veglens.Kind // the classifier's, for gallery folders
}

// New returns a Labeller, or an error naming a missing dependency.
func New(d Deps) (*Labeller, error) {
	if d.Images == nil || d.Objects == nil || d.Classifier == nil {
		return nil, errors.New("labelling: Images, Objects and Classifier are required")
	}
	l := &Labeller{
		images: d.Images, objects: d.Objects, classifier: d.Classifier,
		measure: d.MeasureColours, limits: d.Limits, log: d.Log, kinds: d.Classifier.Labels(),
	}
	if l.measure == nil {
		l.measure = colour.Measure
	}
	if l.limits == (picture.Limits{}) {
		l.limits = picture.DefaultLimits
	}
	if l.limits.ShrinkTo == 0 {
		l.limits.ShrinkTo = DecodeSide
	}
	if l.limits.MaxBytes == 0 || l.limits.MaxBytes > veglens.MaxImageBytes {
		l.limits.MaxBytes = veglens.MaxImageBytes
	}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	return l, nil
}

// Label labels the object req names and writes its row. It returns an error
// only for a failure worth retrying (see the package documentation); a bad
// image is a Rejected result.
func (l *Labeller) Label(ctx context.Context, req Request) (Result, error) {
	log := l.log.With("key", req.Key)
	im, ok := l.identify(req.Key)
	if !ok {
		log.DebugContext(ctx, "skip key outside uploads/ and dataset/")
		return Result{Outcome: Skipped}, nil
	}
	existing, err := l.images.GetByKey(ctx, req.Key)
	switch {
	case errors.Is(err, veglens.ErrNotFound):
	case err != nil:
		return Result{}, fmt.Errorf("label %s: %w", req.Key, err)
	case existing.Labelled(req.ETag, l.classifier.Version()):
		log.DebugContext(ctx, "already labelled", "id", existing.ID)
		return Result{Outcome: Skipped}, nil
	default:
		im.ID, im.Listed = existing.ID, existing.Listed
	}
	im.ModelVersion, im.ETag = l.classifier.Version(), req.ETag

	var t veglens.Timings
	start := time.Now()
	err = l.examine(ctx, &im, req.Size, &t)
	var rej rejection
	switch {
	case errors.As(err, &rej):
		return l.reject(ctx, im, t, rej.reason)
	case errors.Is(err, errGone):
		log.InfoContext(ctx, "object gone before it was labelled")
		return Result{Outcome: Skipped, Timings: t}, nil
	case err != nil:
		return Result{Timings: t}, fmt.Errorf("label %s: %w", req.Key, err)
	}
	t.TotalMs = ms(time.Since(start))
	im.Status, im.Timings = veglens.StatusDone, &t
	if im.ID, err = l.images.Upsert(ctx, im); err != nil {
		return Result{Timings: t}, fmt.Errorf("label %s: %w", req.Key, err)
	}
	log.DebugContext(ctx, "labelled", "id", im.ID, "kind", im.Kind, "confidence", im.Confidence, "refused", im.Refused, "total_ms", t.TotalMs)
	return Result{Outcome: Labelled, Image: im, Timings: t}, nil
}

// examine fills im from the object: fetch, decode, then classification,
// colours and thumbnail. A rejection says the image is unusable; any other
// error is worth retrying.
func (l *Labeller) examine(ctx context.Context, im *veglens.Image, size int64, t *veglens.Timings) error {
	if size > veglens.MaxImageBytes {
		return tooLarge(size)
	}
	step := time.Now()
	obj, err := l.objects.Get(ctx, im.Key, veglens.MaxImageBytes)
	t.FetchMs = ms(time.Since(step))
	var big *veglens.TooLargeError
	switch {
	case errors.As(err, &big):
		return tooLarge(-1)
	case errors.Is(err, veglens.ErrNotFound) && im.ID == "" && im.Source == veglens.SourceDataset:
		return errGone
	case errors.Is(err, veglens.ErrNotFound):
		return rejection{"The uploaded file could not be found in storage."}
	case err != nil:
		return err
	}
	if obj.ETag != "" {
		im.ETag = obj.ETag
	}

	step = time.Now()
	var pic *picture.Picture
	err = func() (err error) {
		defer recoverInto(&err) // a crash would recur on every redelivery
		pic, err = picture.Decode(bytes.NewReader(obj.Body), l.limits)
		return err
	}()
	t.DecodeMs = ms(time.Since(step))
	var bad *picture.InputError
	switch {
	case errors.As(err, &bad):
		return rejection{sentence(bad.Msg)}
	case err != nil:
		return rejection{"The file could not be read as an image."}
	}
	im.Width, im.Height = pic.Width, pic.Height
	return l.describe(ctx, im, pic.Image, t)
}

// describe classifies the picture, then measures its colours where the
// classifier found the vegetable (its activation map); beside both, on
// another goroutine, it stores a thumbnail, which needs only the decoded
// pixels.
func (l *Labeller) describe(ctx context.Context, im *veglens.Image, img image.Image, t *veglens.Timings) error {
	var (
		wg                 sync.WaitGroup
		colours            veglens.Colours
		colourErr          error
		thumbKey, thumbErr = "", error(nil)
	)
	if b := img.Bounds(); max(b.Dx(), b.Dy()) > ThumbnailSide {
		wg.Go(func() {
			defer recoverInto(&thumbErr)
			thumbKey, thumbErr = l.thumbnail(ctx, im.Key, img)
		})
	}
	step := time.Now()
	var pred veglens.Prediction
	err := func() (err error) {
		defer recoverInto(&err) // a crash is a failure that would recur: rejected below
		pred, err = l.classifier.Classify(ctx, img, TopK)
		return err
	}()
	t.InferenceMs = ms(time.Since(step))
	if err == nil {
		func() {
			defer recoverInto(&colourErr)
			step := time.Now()
			colours = l.measure(img, pred.ActivationMap)
			t.ColourMs = ms(time.Since(step))
		}()
	}
	wg.Wait()

	log := l.log.With("key", im.Key)
	// The order is the policy: a transient classifier failure is retried
	// first of all; any other classifier failure, and a crash in the colour
	// rules or the thumbnail, would recur and is rejected; a thumbnail that
	// could not be stored (storage unreachable) is retried.
	var crashed *panicError
	switch {
	case err != nil && (ctx.Err() != nil || errors.Is(err, veglens.ErrUnavailable)):
		return err // shutting down or out of time: let the event come back
	case err != nil:
		// The runtime refused this picture; it would refuse it again on
		// every redelivery, so record it rather than retry forever.
		log.ErrorContext(ctx, "inference failed", "err", err)
		return rejection{"The image could not be classified."}
	case colourErr != nil:
		log.ErrorContext(ctx, "colour analysis failed", "err", colourErr)
		return rejection{"The colours of this image could not be measured."}
	case errors.As(thumbErr, &crashed):
		log.ErrorContext(ctx, "thumbnail failed", "err", thumbErr)
		return rejection{"A preview of this image could not be made."}
	case thumbErr != nil:
		return thumbErr // storage unreachable: worth retrying
	}
	im.Top, im.Score, im.Refused, im.SimilarityKey = pred.Top, pred.Score, pred.Refused, pred.SimilarityKey
	im.Familiarity, im.HasFamiliarity = pred.Familiarity, true
	if len(pred.Top) > 0 {
		im.Kind, im.Confidence = pred.Top[0].Kind, pred.Top[0].Probability
	}
	im.Colours, im.ThumbnailKey = &colours, thumbKey
	return nil
}

// identify turns an object key into the row it will become.
func (l *Labeller) identify(key string) (veglens.Image, bool) {
	k, ok := veglens.ParseKey(key)
	if !ok {
		return veglens.Image{}, false
	}
	im := veglens.Image{ID: k.ID, Bucket: l.objects.Bucket(), Key: key, Source: k.Source}
	for _, kind := range l.kinds {
		if strings.EqualFold(kind, k.Folder) { // the folder names the true kind, in any case
			im.TrueKind = kind
		}
	}
	return im, true
}

// thumbnail stores a JPEG of at most ThumbnailSide pixels on its long side
// and returns its key.
func (l *Labeller) thumbnail(ctx context.Context, key string, img image.Image) (string, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, picture.Thumbnail(img, ThumbnailSide), &jpeg.Options{Quality: 82}); err != nil {
		return "", fmt.Errorf("encode thumbnail: %w", err)
	}
	thumbKey := veglens.ThumbnailKey(key)
	if err := l.objects.Put(ctx, thumbKey, "image/jpeg", buf.Bytes()); err != nil {
		return "", err
	}
	return thumbKey, nil
}

// reject records that an object is not a usable image. It returns an error
// only when the row could not be written.
func (l *Labeller) reject(ctx context.Context, im veglens.Image, t veglens.Timings, reason string) (Result, error) {
	im.Status, im.Reason = veglens.StatusRejected, reason
	im.Kind, im.Confidence, im.Refused, im.Score, im.Top, im.Colours, im.ThumbnailKey = "", 0, false, 0, nil, nil, ""
	im.Timings, im.SimilarityKey = nil, nil
	id, err := l.images.Upsert(ctx, im)
	if err != nil {
		return Result{Timings: t}, fmt.Errorf("label %s: record rejection: %w", im.Key, err)
	}
	im.ID = id
	l.log.InfoContext(ctx, "rejected", "id", id, "key", im.Key, "reason", reason)
	return Result{Outcome: Rejected, Image: im, Timings: t}, nil
}

// rejection is an image that cannot be labelled, with the reason people
// are shown.
type rejection struct{ reason string }

func (r rejection) Error() string { return r.reason }

// errGone: a gallery object deleted before it was labelled; nothing to
// record.
var errGone = errors.New("object gone")

func tooLarge(size int64) rejection {
	if size < 0 {
		return rejection{fmt.Sprintf("The file is over %s, the largest accepted.", veglens.FormatBytes(veglens.MaxImageBytes))}
	}
	return rejection{fmt.Sprintf("The file is %s; the largest accepted is %s.", veglens.FormatBytes(size), veglens.FormatBytes(veglens.MaxImageBytes))}
}

// recoverInto turns a panic in a helper goroutine into an error, so one bad
// picture cannot take the whole function down.
func recoverInto(err *error) {
	if r := recover(); r != nil {
		*err = &panicError{value: r}
	}
}

// panicError is a recovered panic: a fault that would recur on every
// redelivery of the same picture.
type panicError struct{ value any }

func (e *panicError) Error() string { return fmt.Sprintf("panic: %v", e.value) }

// sentence starts msg with a capital letter and ends it with a full stop.
func sentence(msg string) string {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return "The file could not be read as an image."
	}
	msg = strings.ToUpper(msg[:1]) + msg[1:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
