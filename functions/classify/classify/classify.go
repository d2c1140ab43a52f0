// Package classify is the classify function's handler: for each object
// created under uploads/ or dataset/ it fetches the image, decodes it once,
// names the vegetable, measures its colours, writes a thumbnail for large
// images and upserts the image's row. Bad images end as rejected rows with a
// reason; failures of the database or storage are returned so that the
// event is delivered again.
package classify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/veglens/veglens/shared/catalog"
	"github.com/veglens/veglens/shared/metrics"
	"github.com/veglens/veglens/shared/objects"
	"github.com/veglens/veglens/shared/vision"
)

// Key prefixes the handler labels; anything else (thumbnails/) is ignored.
const (
	UploadPrefix    = "uploads/"
	DatasetPrefix   = "dataset/"
	ThumbnailPrefix = "thumbnails/"
)

// ThumbnailSide is the longest side of thumbnails; images whose long side
// is larger get one.
const ThumbnailSide = 512

// TopK is how many kinds are kept per image.
const TopK = 3

// MaxBytes is the largest object fetched (10 MiB).
const MaxBytes = objects.MaxImageBytes

// Store is what the handler needs of the catalog (catalog.Store).
type Store interface {
	GetByKey(ctx context.Context, key string) (catalog.Image, error)
	Upsert(ctx context.Context, im catalog.Image) (string, error)
}

// Objects is what the handler needs of the bucket (objects.Store).
type Objects interface {
	Bucket() string
	Get(ctx context.Context, key string, limit int64) (objects.Object, error)
	Put(ctx context.Context, key, contentType string, body []byte) error
}

// Classifier names vegetables (vision.Model).
type Classifier interface {
	Classify(ctx context.Context, img image.Image, k int) (vision.Prediction, error)
	Version() string
	Labels() []string
}

// ColourFunc measures an image's dominant colours, both methods on both
// wheels.
type ColourFunc func(img image.Image) catalog.Colours

// Deps are the handler's dependencies.
type Deps struct {
	Store   Store
	Objects Objects
	Model   Classifier
	// Colours defaults to Analyze (the shared colour package).
	Colours ColourFunc
	// Metrics receives embedded-metric-format lines; default stdout.
	Metrics io.Writer
	// Limits bound decoding; default vision.DefaultLimits.
	Limits *vision.Limits
}

// Handler labels images named by S3 events.
type Handler struct {
	store   Store
	objs    Objects
	model   Classifier
	colours ColourFunc
	emf     *metrics.Emitter
	limits  vision.Limits
	kinds   map[string]string // lower-case label -> label
}

// New returns a Handler.
func New(d Deps) (*Handler, error) {
	if d.Store == nil || d.Objects == nil || d.Model == nil {
		return nil, errors.New("classify: Store, Objects and Model are required")
	}
	if d.Colours == nil {
		d.Colours = Analyze
	}
	if d.Metrics == nil {
		d.Metrics = os.Stdout
	}
	lim := vision.DefaultLimits
	if d.Limits != nil {
		lim = *d.Limits
	}
	if lim.MaxBytes == 0 || lim.MaxBytes > MaxBytes {
		lim.MaxBytes = MaxBytes
	}
	kinds := map[string]string{}
	for _, l := range d.Model.Labels() {
		kinds[strings.ToLower(l)] = l
	}
	return &Handler{
		store: d.Store, objs: d.Objects, model: d.Model, colours: d.Colours,
		emf: metrics.New(d.Metrics, "classify"), limits: lim, kinds: kinds,
	}, nil
}

// Handle labels every object an S3 event names. Records for other buckets,
// other prefixes or other event types are skipped. It returns an error only
// when something worth retrying failed (database or storage unreachable);
// then every record of the event may be delivered again, which is harmless
// because writes are idempotent.
func (h *Handler) Handle(ctx context.Context, ev events.S3Event) error {
	var errs []error
	for _, rec := range ev.Records {
		if err := h.HandleRecord(ctx, rec); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Outcome says what HandleRecord did with a record.
type Outcome string

// Outcomes.
const (
	Labelled Outcome = "labelled" // row written with status done
	Rejected Outcome = "rejected" // row written with status rejected
	Skipped  Outcome = "skipped"  // nothing to do (not ours, or already labelled)
)

// HandleRecord labels the object one event record names.
func (h *Handler) HandleRecord(ctx context.Context, rec events.S3EventRecord) error {
	_, err := h.Process(ctx, rec)
	return err
}

// Process is HandleRecord that also says what it did.
func (h *Handler) Process(ctx context.Context, rec events.S3EventRecord) (Outcome, error) {
	key := rec.S3.Object.URLDecodedKey
	if key == "" {
		k, err := url.QueryUnescape(rec.S3.Object.Key)
		if err != nil {
			slog.WarnContext(ctx, "skip record with undecodable key", "key", rec.S3.Object.Key)
			return Skipped, nil
		}
		key = k
	}
	log := slog.With("key", key)
	if name := rec.EventName; name != "" && !strings.Contains(name, "ObjectCreated") {
		log.DebugContext(ctx, "skip event", "event", name)
		return Skipped, nil
	}
	if b := rec.S3.Bucket.Name; b != "" && b != h.objs.Bucket() {
		log.WarnContext(ctx, "skip object of another bucket", "bucket", b)
		return Skipped, nil
	}
	im, ok := h.identify(key)
	if !ok {
		log.DebugContext(ctx, "skip key outside uploads/ and dataset/")
		return Skipped, nil
	}
	etag := strings.Trim(rec.S3.Object.ETag, `"`)

	existing, err := h.store.GetByKey(ctx, key)
	switch {
	case errors.Is(err, catalog.ErrNotFound):
	case err != nil:
		return "", fmt.Errorf("classify %s: %w", key, err)
	default:
		if existing.Labelled(etag, h.model.Version()) {
			log.DebugContext(ctx, "already labelled", "id", existing.ID)
			return Skipped, nil
		}
		im.ID, im.Listed = existing.ID, existing.Listed
	}

	im.ModelVersion = h.model.Version()
	im.ETag = etag
	if size := rec.S3.Object.Size; size > MaxBytes {
		return h.reject(ctx, im, &catalog.Timings{}, fmt.Sprintf("The file is %s; the largest accepted is %s.", humanBytes(size), humanBytes(MaxBytes)))
	}
	return h.label(ctx, im, etag)
}

// identify parses an object key into the row it will become.
func (h *Handler) identify(key string) (catalog.Image, bool) {
	im := catalog.Image{Bucket: h.objs.Bucket(), Key: key}
	switch {
	case strings.HasPrefix(key, UploadPrefix):
		im.Source = catalog.SourceUpload
		base := path.Base(key)
		id := strings.TrimSuffix(base, path.Ext(base))
		if _, err := uuid.Parse(id); err == nil && len(id) == 36 {
			im.ID = strings.ToLower(id)
		}
	case strings.HasPrefix(key, DatasetPrefix):
		im.Source = catalog.SourceDataset
		rest := strings.TrimPrefix(key, DatasetPrefix)
		if class, _, ok := strings.Cut(rest, "/"); ok {
			im.TrueKind = h.kinds[strings.ToLower(class)]
		}
	default:
		return catalog.Image{}, false
	}
	if strings.HasSuffix(key, "/") {
		return catalog.Image{}, false // a folder marker, not an image
	}
	return im, true
}

// label fetches, decodes, classifies and measures one object and writes its
// row.
func (h *Handler) label(ctx context.Context, im catalog.Image, etag string) (Outcome, error) {
	start := time.Now()
	t := &catalog.Timings{}

	obj, err := h.objs.Get(ctx, im.Key, MaxBytes)
	t.FetchMs = ms(time.Since(start))
	var tooLarge *objects.TooLargeError
	switch {
	case errors.As(err, &tooLarge):
		return h.reject(ctx, im, t, fmt.Sprintf("The file is over %s, the largest accepted.", humanBytes(MaxBytes)))
	case errors.Is(err, objects.ErrNotFound):
		if im.ID == "" && im.Source == catalog.SourceDataset {
			slog.InfoContext(ctx, "object gone before it was labelled", "key", im.Key)
			return Skipped, nil
		}
		return h.reject(ctx, im, t, "The uploaded file could not be found in storage.")
	case err != nil:
		return "", fmt.Errorf("classify %s: %w", im.Key, err)
	}
	if obj.ETag != "" {
		etag = obj.ETag
	}
	im.ETag = etag

	step := time.Now()
	pic, err := vision.Decode(bytes.NewReader(obj.Body), h.limits)
	t.DecodeMs = ms(time.Since(step))
	if err != nil {
		var inErr *vision.InputError
		if errors.As(err, &inErr) {
			return h.reject(ctx, im, t, sentence(inErr.Msg))
		}
		return h.reject(ctx, im, t, "The file could not be read as an image.")
	}
	im.Width, im.Height = pic.Width, pic.Height

	// The colours and the thumbnail need only the decoded picture: they run
	// beside inference, so a machine with a spare core labels faster.
	var (
		wg          sync.WaitGroup
		colours     catalog.Colours
		colourErr   error
		thumbKey    string
		thumbErr    error
		inferenceAt = time.Now()
	)
	wg.Go(func() {
		defer recoverInto(&colourErr)
		step := time.Now()
		colours = h.colours(pic.Image)
		t.ColourMs = ms(time.Since(step))
	})
	if max(pic.Width, pic.Height) > ThumbnailSide {
		wg.Go(func() {
			defer recoverInto(&thumbErr)
			thumbKey, thumbErr = h.thumbnail(ctx, im.Key, pic.Image)
		})
	}
	pred, err := h.model.Classify(ctx, pic.Image, TopK)
	t.InferenceMs = ms(time.Since(inferenceAt))
	wg.Wait()
	switch {
	case err == nil:
	case ctx.Err() != nil || errors.Is(err, vision.ErrClosed):
		// Shutting down or out of time: let the event come back.
		return "", fmt.Errorf("classify %s: %w", im.Key, err)
	default:
		// The runtime refused this picture; it would refuse it again on
		// every redelivery, so record it rather than retry forever.
		slog.ErrorContext(ctx, "inference failed", "key", im.Key, "err", err)
		return h.reject(ctx, im, t, "The image could not be classified.")
	}
	if colourErr != nil {
		slog.ErrorContext(ctx, "colour analysis failed", "key", im.Key, "err", colourErr)
		return h.reject(ctx, im, t, "The colours of this image could not be measured.")
	}
	var crashed *panicError
	if errors.As(thumbErr, &crashed) {
		slog.ErrorContext(ctx, "thumbnail failed", "key", im.Key, "err", thumbErr)
		return h.reject(ctx, im, t, "A preview of this image could not be made.")
	}
	if thumbErr != nil { // storage unreachable: worth retrying
		return "", fmt.Errorf("classify %s: %w", im.Key, thumbErr)
	}
	im.ThumbnailKey = thumbKey

	im.Status = catalog.StatusDone
	im.Top = make([]catalog.Guess, 0, len(pred.Top))
	for _, g := range pred.Top {
		im.Top = append(im.Top, catalog.Guess{Kind: g.Kind, Probability: g.Probability})
	}
	if len(pred.Top) > 0 {
		im.Kind, im.Confidence = pred.Top[0].Kind, pred.Top[0].Probability
	}
	im.Refused, im.Score = pred.Refused, pred.Score
	im.Colours = &colours
	t.TotalMs = ms(time.Since(start))
	im.Timings = t

	id, err := h.store.Upsert(ctx, im)
	if err != nil {
		return "", fmt.Errorf("classify %s: %w", im.Key, err)
	}
	refused := 0.0
	if im.Refused {
		refused = 1
	}
	_ = h.emf.Emit([]metrics.Metric{
		{Name: "ClassifyTotalMs", Unit: metrics.Milliseconds, Value: t.TotalMs},
		{Name: "FetchMs", Unit: metrics.Milliseconds, Value: t.FetchMs},
		{Name: "DecodeMs", Unit: metrics.Milliseconds, Value: t.DecodeMs},
		{Name: "InferenceMs", Unit: metrics.Milliseconds, Value: t.InferenceMs},
		{Name: "ColourMs", Unit: metrics.Milliseconds, Value: t.ColourMs},
		{Name: "Refused", Unit: metrics.Count, Value: refused},
		{Name: "Rejected", Unit: metrics.Count, Value: 0},
	}, map[string]any{"id": id, "key": im.Key, "kind": im.Kind, "confidence": im.Confidence, "modelVersion": im.ModelVersion})
	slog.DebugContext(ctx, "labelled", "id", id, "key", im.Key, "kind", im.Kind, "confidence", im.Confidence, "refused", im.Refused, "total_ms", t.TotalMs)
	return Labelled, nil
}

// thumbnail stores a JPEG of at most ThumbnailSide pixels on its long side
// and returns its key.
func (h *Handler) thumbnail(ctx context.Context, key string, img image.Image) (string, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, vision.Thumbnail(img, ThumbnailSide), &jpeg.Options{Quality: 82}); err != nil {
		return "", fmt.Errorf("encode thumbnail: %w", err)
	}
	thumbKey := ThumbnailKey(key)
	if err := h.objs.Put(ctx, thumbKey, "image/jpeg", buf.Bytes()); err != nil {
		return "", err
	}
	return thumbKey, nil
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

// reject records that an object is not a usable image. It returns an error
// only when the row could not be written.
func (h *Handler) reject(ctx context.Context, im catalog.Image, t *catalog.Timings, reason string) (Outcome, error) {
	im.Status = catalog.StatusRejected
	im.Reason = reason
	im.Kind, im.Confidence, im.Refused, im.Score, im.Top, im.Colours = "", 0, false, 0, nil, nil
	im.Timings = nil
	id, err := h.store.Upsert(ctx, im)
	if err != nil {
		return "", fmt.Errorf("classify %s: record rejection: %w", im.Key, err)
	}
	_ = h.emf.Emit([]metrics.Metric{{Name: "Rejected", Unit: metrics.Count, Value: 1}},
		map[string]any{"id": id, "key": im.Key, "reason": reason, "fetch_ms": t.FetchMs, "decode_ms": t.DecodeMs})
	slog.InfoContext(ctx, "rejected", "id", id, "key", im.Key, "reason", reason)
	return Rejected, nil
}

// ThumbnailKey is where the thumbnail of the object at key is stored:
// thumbnails/<key with its extension replaced by .jpg>.
func ThumbnailKey(key string) string {
	return ThumbnailPrefix + strings.TrimSuffix(key, path.Ext(key)) + ".jpg"
}

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

// humanBytes writes a size in MB (MiB) with one decimal, rounded up so that
// a size just over a limit never reads as the limit itself; whole numbers
// lose the ".0" (the limit reads "10 MB").
func humanBytes(n int64) string {
	const mib = 1 << 20
	if n < mib {
		return fmt.Sprintf("%d bytes", n)
	}
	tenths := (n*10 + mib - 1) / mib
	if tenths%10 == 0 {
		return fmt.Sprintf("%d MB", tenths/10)
	}
	return fmt.Sprintf("%d.%d MB", tenths/10, tenths%10)
}
