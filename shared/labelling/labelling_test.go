package labelling_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/veglens/veglens/shared/fakes"
	"github.com/veglens/veglens/shared/labelling"
	"github.com/veglens/veglens/shared/picture/picturetest"
	"github.com/veglens/veglens/shared/sourcetree/sourcetreetest"
	"github.com/veglens/veglens/shared/veglens"
)

const bucket = "images"

// env is a Labeller on the in-memory fakes: real decoding, colours and
// thumbnails, a fake classifier that answers what the test says. The
// classify function's tests run the same path on PostgreSQL, MinIO and the
// real model.
type env struct {
	l      *labelling.Labeller
	images *fakes.ImageStore
	objs   *fakes.ObjectStore
	model  *fakes.Classifier
}

func newEnv(t *testing.T, measure func(image.Image, veglens.ActivationMap) veglens.Colours) env {
	t.Helper()
	e := env{
		images: fakes.NewImageStore(),
		objs:   fakes.NewObjectStore(bucket),
		model:  &fakes.Classifier{Kinds: []veglens.Kind{"Bean", "Bitter_Gourd", "Carrot", "Potato", "Tomato"}, ModelVersion: "fake0000v1"},
	}
	e.model.Answer = func(image.Image) (veglens.Prediction, error) {
		return veglens.Prediction{Score: 0.9, Top: []veglens.Guess{
			{Kind: "Tomato", Probability: 0.9}, {Kind: "Carrot", Probability: 0.06}, {Kind: "Bean", Probability: 0.03}, {Kind: "Potato", Probability: 0.01},
		}}, nil
	}
	l, err := labelling.New(labelling.Deps{Images: e.images, Objects: e.objs, Classifier: e.model, MeasureColours: measure})
	if err != nil {
		t.Fatal(err)
	}
	e.l = l
	return e
}

// put stores body under key and returns the request its ObjectCreated
// event makes.
func (e env) put(t *testing.T, key string, body []byte) labelling.Request {
	t.Helper()
	if err := e.objs.Put(context.Background(), key, "image/jpeg", body); err != nil {
		t.Fatal(err)
	}
	return labelling.Request{Key: key, ETag: e.objs.ETag(key), Size: int64(len(body))}
}

func photo(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(sourcetreetest.Path(t, "infra", "gallery", "Tomato", "1209.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// bigJPEG is the photo enlarged to side x side*3/4 pixels.
func bigJPEG(t *testing.T, side int) []byte { return picturetest.Enlarge(t, photo(t), side) }

func TestNewNeedsItsDependencies(t *testing.T) {
	if _, err := labelling.New(labelling.Deps{Images: fakes.NewImageStore()}); err == nil {
		t.Error("New accepted a labeller without objects or classifier")
	}
}

func TestLabelsGalleryPhotoAndUpload(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()

	res, err := e.l.Label(ctx, e.put(t, "dataset/tomato/1209.jpg", photo(t)))
	if err != nil || res.Outcome != labelling.Labelled {
		t.Fatalf("Label = %v, %v", res.Outcome, err)
	}
	im, err := e.images.GetByKey(ctx, "dataset/tomato/1209.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if im.Status != veglens.StatusDone || im.Source != veglens.SourceDataset || im.TrueKind != "Tomato" ||
		im.Kind != "Tomato" || im.Confidence != 0.9 || len(im.Top) != labelling.TopK || im.ModelVersion != "fake0000v1" {
		t.Errorf("row = %+v (the folder names the true kind in any case)", im)
	}
	if c := im.Colours; c == nil || c.Foreground.RGB.Dominant.Hex == "" || c.Reference.RYB.Dominant.Hex == "" {
		t.Errorf("colours = %+v", im.Colours)
	}
	if tm := im.Timings; tm == nil || tm.TotalMs <= 0 || im.Width != 224 || im.ThumbnailKey != "" {
		t.Errorf("timings %+v, width %d, thumbnail %q", tm, im.Width, im.ThumbnailKey)
	}

	id := uuid.NewString()
	key := veglens.UploadKey(id, "jpg")
	if err := e.images.CreatePending(ctx, veglens.NewPending{ID: id, Bucket: bucket, Key: key, Listed: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.l.Label(ctx, e.put(t, key, bigJPEG(t, 1200))); err != nil {
		t.Fatal(err)
	}
	im, err = e.images.Get(ctx, id)
	if err != nil || im.Status != veglens.StatusDone || !im.Listed || im.Width != 1200 || im.ThumbnailKey != veglens.ThumbnailKey(key) {
		t.Fatalf("upload row = %+v %v", im, err)
	}
	if _, err := e.objs.Get(ctx, im.ThumbnailKey, veglens.MaxImageBytes); err != nil {
		t.Errorf("thumbnail not stored: %v", err)
	}
}

func TestUnknownGalleryFolderHasNoTrueKind(t *testing.T) {
	e := newEnv(t, nil)
	res, err := e.l.Label(context.Background(), e.put(t, "dataset/bitter-gourd/a.jpg", photo(t)))
	if err != nil || res.Image.TrueKind != "" || res.Image.Status != veglens.StatusDone {
		t.Errorf("Label = %+v, %v; want labelled without a true kind", res.Image, err)
	}
}

func TestSecondDeliveryIsSkipped(t *testing.T) {
	e := newEnv(t, nil)
	req := e.put(t, "dataset/Carrot/a.jpg", photo(t))
	for i, want := range []labelling.Outcome{labelling.Labelled, labelling.Skipped, labelling.Skipped} {
		if res, err := e.l.Label(context.Background(), req); err != nil || res.Outcome != want {
			t.Errorf("delivery %d: %v %v, want %v", i+1, res.Outcome, err, want)
		}
	}
	if n, calls := len(e.images.All()), e.model.Calls(); n != 1 || calls != 1 {
		t.Errorf("%d rows, %d classifications; want 1 and 1", n, calls)
	}
}

// TestRejections: every bad input ends as a rejected row with a sentence for
// people, and is not retried.
func TestRejections(t *testing.T) {
	good := photo(t)
	tests := []struct {
		name    string
		body    []byte
		size    int64 // the event's size; 0 means len(body), -1 an event without one
		answer  func(image.Image) (veglens.Prediction, error)
		colours func(image.Image, veglens.ActivationMap) veglens.Colours
		reason  string
	}{
		{name: "empty", body: []byte{}, reason: "empty"},
		{name: "not an image", body: []byte("plain text\n"), reason: "JPEG"},
		{name: "truncated", body: good[:len(good)/2], reason: "damaged"},
		{name: "decompression bomb", body: picturetest.PNGHeader(10000, 10000), reason: "megapixels"},
		{name: "too small", body: picturetest.PNGHeader(8, 8), reason: "at least"},
		{name: "event says over 10 MiB", body: good, size: 10<<20 + 1, reason: "The file is 10.1 MB; the largest accepted is 10 MB."},
		{name: "object over 10 MiB, event without a size", body: make([]byte, 10<<20+1), size: -1, reason: "The file is over 10 MB, the largest accepted."},
		{name: "classifier refuses the picture", body: good, reason: "The image could not be classified.",
			answer: func(image.Image) (veglens.Prediction, error) { return veglens.Prediction{}, errors.New("bad tensor") }},
		{name: "colour rules crash", body: good, reason: "The colours of this image could not be measured.",
			colours: func(image.Image, veglens.ActivationMap) veglens.Colours { panic("boom") }},
		{name: "classifier crashes", body: good, reason: "The image could not be classified.",
			answer: func(image.Image) (veglens.Prediction, error) { panic("index out of range") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.colours)
			if tc.answer != nil {
				e.model.Answer = tc.answer
			}
			id := uuid.NewString()
			req := e.put(t, veglens.UploadKey(id, "jpg"), tc.body)
			if tc.size != 0 {
				req.Size = max(tc.size, 0)
			}
			res, err := e.l.Label(context.Background(), req)
			if err != nil || res.Outcome != labelling.Rejected {
				t.Fatalf("Label = %v, %v: a bad file is rejected, never retried", res.Outcome, err)
			}
			im, err := e.images.Get(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if im.Status != veglens.StatusRejected || !strings.Contains(im.Reason, tc.reason) || im.Kind != "" || im.Colours != nil || im.Timings != nil {
				t.Errorf("row: %s %q kind %q; want rejected mentioning %q", im.Status, im.Reason, im.Kind, tc.reason)
			}
			if r := im.Reason; r[:1] != strings.ToUpper(r[:1]) || !strings.HasSuffix(r, ".") {
				t.Errorf("reason %q is not a sentence", r)
			}
		})
	}
}

// TestPassingFailuresAreRetried: a store down or a classifier closing gives
// an error (the event comes back) and writes nothing; the next delivery
// labels the image.
func TestPassingFailuresAreRetried(t *testing.T) {
	tests := []struct {
		name  string
		fail  func(e env)
		mend  func(e env)
		wraps error
	}{
		{"database down", func(e env) { e.images.Down(errors.New("connection refused")) }, func(e env) { e.images.Down(nil) }, veglens.ErrUnavailable},
		{"storage down", func(e env) { e.objs.Down(errors.New("connection refused")) }, func(e env) { e.objs.Down(nil) }, nil},
		{"classifier closing", func(e env) {
			e.model.Answer = func(image.Image) (veglens.Prediction, error) {
				return veglens.Prediction{}, errors.Join(errors.New("model is closed"), veglens.ErrUnavailable)
			}
		}, func(e env) { e.model.Answer = nil }, veglens.ErrUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			ctx := context.Background()
			req := e.put(t, "dataset/Potato/p.jpg", bigJPEG(t, 800))
			tc.fail(e)
			_, err := e.l.Label(ctx, req)
			if err == nil || (tc.wraps != nil && !errors.Is(err, tc.wraps)) {
				t.Fatalf("Label = %v, want an error wrapping %v", err, tc.wraps)
			}
			tc.mend(e)
			if n := len(e.images.All()); n != 0 {
				t.Fatalf("%d rows written during the failure", n)
			}
			if res, err := e.l.Label(ctx, req); err != nil || res.Outcome != labelling.Labelled {
				t.Fatalf("retry: %v %v", res.Outcome, err)
			}
		})
	}
}

func TestNothingToDo(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	for _, req := range []labelling.Request{
		e.put(t, "thumbnails/uploads/x.jpg", photo(t)),
		e.put(t, "elsewhere/x.jpg", photo(t)),
		{Key: "dataset/Tomato/"},
		{Key: "dataset/Tomato/deleted-before-labelling.jpg", Size: 10},
	} {
		if res, err := e.l.Label(ctx, req); err != nil || res.Outcome != labelling.Skipped {
			t.Errorf("%s: %v %v, want skipped", req.Key, res.Outcome, err)
		}
	}
	if n := len(e.images.All()); n != 0 {
		t.Errorf("%d rows written", n)
	}

	// An upload whose object never arrived is recorded, so its sender is told.
	id := uuid.NewString()
	if _, err := e.l.Label(ctx, labelling.Request{Key: veglens.UploadKey(id, "png"), Size: 10}); err != nil {
		t.Fatal(err)
	}
	if im, err := e.images.Get(ctx, id); err != nil || im.Reason != "The uploaded file could not be found in storage." {
		t.Errorf("missing upload: %+v %v", im, err)
	}
}

// The colours describe where the classifier found the vegetable: a small
// red tomato beside a larger heap of green leaves is stored as red, with
// its common name, when the activation map points at the tomato.
func TestColoursFollowTheActivationMap(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 210, 140))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{50, 140, 45, 255}), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(10, 40, 70, 100), image.NewUniform(color.RGBA{200, 30, 25, 255}), image.Point{}, draw.Src)
	var body bytes.Buffer
	if err := png.Encode(&body, img); err != nil {
		t.Fatal(err)
	}
	focus := veglens.ActivationMap{Size: 7, Values: make([]float32, 49)}
	for y := 2; y <= 4; y++ {
		focus.Values[y*7] = 1
		focus.Values[y*7+1] = 1
	}
	for _, tc := range []struct {
		name       string
		focus      veglens.ActivationMap
		rgb, names string
	}{
		{"map on the tomato", focus, "red", "red"},
		{"no map: the larger green heap", veglens.ActivationMap{}, "green", "green"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil) // the real colour rules
			e.model.Answer = func(image.Image) (veglens.Prediction, error) {
				return veglens.Prediction{Score: 0.9, Top: []veglens.Guess{{Kind: "Tomato", Probability: 0.9}}, ActivationMap: tc.focus}, nil
			}
			id := uuid.NewString()
			if _, err := e.l.Label(context.Background(), e.put(t, veglens.UploadKey(id, "png"), body.Bytes())); err != nil {
				t.Fatal(err)
			}
			im, err := e.images.Get(context.Background(), id)
			if err != nil || im.Colours == nil {
				t.Fatalf("Get: %v, colours %v", err, im.Colours)
			}
			fg := im.Colours.Foreground
			if fg.RGB.Dominant.Name != tc.rgb || fg.Common == nil || fg.Common.Dominant.Name != tc.names {
				t.Errorf("stored foreground rgb %q common %v, want %s / %s", fg.RGB.Dominant.Name, fg.Common, tc.rgb, tc.names)
			}
		})
	}
}

// A Display P3 upload is measured, classified and thumbnailed in sRGB: the
// classifier and the stored thumbnail see the colour Little CMS gives
// (picture's fixtures: P3 27,72,220 is sRGB 0,73,229), not the raw values.
func TestP3UploadIsSRGBEverywhere(t *testing.T) {
	fixture, err := os.ReadFile(sourcetreetest.Path(t, "shared", "picture", "testdata", "icc", "p3.png"))
	if err != nil {
		t.Fatal(err)
	}
	iccp := pngChunk(t, fixture, "iCCP")
	solid := image.NewRGBA(image.Rect(0, 0, 800, 600))
	draw.Draw(solid, solid.Rect, image.NewUniform(color.RGBA{27, 72, 220, 255}), image.Point{}, draw.Src)
	var buf bytes.Buffer
	if err := png.Encode(&buf, solid); err != nil {
		t.Fatal(err)
	}
	const ihdrEnd = 8 + 12 + 13 // signature, then IHDR's length, type, 13 data bytes and CRC
	body := append(append(append([]byte{}, buf.Bytes()[:ihdrEnd]...), iccp...), buf.Bytes()[ihdrEnd:]...)

	var seen color.RGBA
	e := newEnv(t, nil)
	e.model.Answer = func(img image.Image) (veglens.Prediction, error) {
		seen = color.RGBAModel.Convert(img.At(400, 300)).(color.RGBA)
		return veglens.Prediction{Score: 0.9, Top: []veglens.Guess{{Kind: "Tomato", Probability: 0.9}}}, nil
	}
	id := uuid.NewString()
	res, err := e.l.Label(context.Background(), e.put(t, veglens.UploadKey(id, "png"), body))
	if err != nil || res.Outcome != labelling.Labelled {
		t.Fatalf("label: %v %v", res.Outcome, err)
	}
	want := color.RGBA{0, 73, 229, 255}
	near := func(c color.RGBA) bool {
		d := func(a, b uint8) int { return max(int(a)-int(b), int(b)-int(a)) }
		return d(c.R, want.R) <= 1 && d(c.G, want.G) <= 1 && d(c.B, want.B) <= 1
	}
	if !near(seen) {
		t.Errorf("the classifier saw %v, want sRGB %v", seen, want)
	}
	thumb, err := e.objs.Get(context.Background(), res.Image.ThumbnailKey, veglens.MaxImageBytes)
	if err != nil {
		t.Fatal(err)
	}
	timg, _, err := image.Decode(bytes.NewReader(thumb.Body))
	if err != nil {
		t.Fatal(err)
	}
	if got := color.RGBAModel.Convert(timg.At(100, 100)).(color.RGBA); !nearJPEG(got, want) {
		t.Errorf("thumbnail pixel %v, want sRGB %v", got, want)
	}
}

// nearJPEG allows the few levels a JPEG thumbnail's compression moves a
// flat colour.
func nearJPEG(c, want color.RGBA) bool {
	d := func(a, b uint8) int { return max(int(a)-int(b), int(b)-int(a)) }
	return d(c.R, want.R) <= 4 && d(c.G, want.G) <= 4 && d(c.B, want.B) <= 4
}

// pngChunk returns one whole chunk (length, type, data, CRC) of a PNG file.
func pngChunk(t *testing.T, b []byte, typ string) []byte {
	t.Helper()
	for i := 8; i+12 <= len(b); {
		n := int(b[i])<<24 | int(b[i+1])<<16 | int(b[i+2])<<8 | int(b[i+3])
		if string(b[i+4:i+8]) == typ {
			return b[i : i+12+n]
		}
		i += 12 + n
	}
	t.Fatalf("no %s chunk", typ)
	return nil
}
