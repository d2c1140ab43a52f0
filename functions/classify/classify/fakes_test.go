package classify_test

import (
	"context"
	"errors"
	"image"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/veglens/veglens/functions/classify/classify"
	"github.com/veglens/veglens/shared/fakes"
	"github.com/veglens/veglens/shared/labelling"
	"github.com/veglens/veglens/shared/veglens"
	"github.com/veglens/veglens/shared/vision"
)

// fakeEnv is the handler on the in-memory fakes: real decoding, colours and
// thumbnails, a fake classifier that answers what the test says.
type fakeEnv struct {
	h       *classify.Handler
	images  *fakes.ImageStore
	objs    *fakes.ObjectStore
	model   *fakes.Classifier
	metrics *syncBuffer
}

var kinds = []veglens.Kind{"Bean", "Bitter_Gourd", "Carrot", "Potato", "Tomato"}

func newFakeEnv(t *testing.T, colours func(image.Image) veglens.Colours) fakeEnv {
	t.Helper()
	e := fakeEnv{
		images:  fakes.NewImageStore(),
		objs:    fakes.NewObjectStore(bucket),
		model:   &fakes.Classifier{Kinds: kinds, ModelVersion: "fake0000v1"},
		metrics: &syncBuffer{},
	}
	e.model.Answer = func(image.Image) (veglens.Prediction, error) {
		return veglens.Prediction{Score: 0.9, Top: []veglens.Guess{
			{Kind: "Tomato", Probability: 0.9}, {Kind: "Carrot", Probability: 0.06}, {Kind: "Bean", Probability: 0.03}, {Kind: "Potato", Probability: 0.01},
		}}, nil
	}
	h, err := classify.New(classify.Deps{Images: e.images, Objects: e.objs, Classifier: e.model, MeasureColours: colours, Metrics: e.metrics})
	if err != nil {
		t.Fatal(err)
	}
	e.h = h
	return e
}

func (e fakeEnv) put(t *testing.T, key string, body []byte) events.S3Event {
	t.Helper()
	if err := e.objs.Put(context.Background(), key, "image/jpeg", body); err != nil {
		t.Fatal(err)
	}
	return event(t, key, len(body), e.objs.ETag(key))
}

func TestClassifyWithFakes_LabelsGalleryPhotoAndUpload(t *testing.T) {
	e := newFakeEnv(t, nil)
	ctx := context.Background()

	key := "dataset/Tomato/1209.jpg"
	if err := e.h.Handle(ctx, e.put(t, key, galleryPhoto(t, "Tomato", "1209.jpg"))); err != nil {
		t.Fatal(err)
	}
	im, err := e.images.GetByKey(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if im.Status != veglens.StatusDone || im.Source != veglens.SourceDataset || im.TrueKind != "Tomato" ||
		im.Kind != "Tomato" || im.Confidence != 0.9 || len(im.Top) != labelling.TopK || im.ModelVersion != "fake0000v1" {
		t.Errorf("row = %+v", im)
	}
	if c := im.Colours; c == nil || c.Foreground.RGB.Dominant.Hex == "" || c.Reference.RYB.Dominant.Hex == "" {
		t.Errorf("colours = %+v", im.Colours)
	}
	if tm := im.Timings; tm == nil || tm.TotalMs <= 0 || im.Width != 224 || im.ThumbnailKey != "" {
		t.Errorf("timings %+v, width %d, thumbnail %q", tm, im.Width, im.ThumbnailKey)
	}
	if !strings.Contains(e.metrics.String(), `"ClassifyTotalMs":`) {
		t.Errorf("no embedded-metric-format record: %q", e.metrics.String())
	}

	id := uuid.NewString()
	key = veglens.UploadKey(id, "jpg")
	if err := e.images.CreatePending(ctx, veglens.NewPending{ID: id, Bucket: bucket, Key: key, Listed: true}); err != nil {
		t.Fatal(err)
	}
	if err := e.h.Handle(ctx, e.put(t, key, bigJPEG(t, galleryPhoto(t, "Tomato", "1209.jpg"), 1200))); err != nil {
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

func TestClassifyWithFakes_DuplicateDeliveryClassifiesOnce(t *testing.T) {
	e := newFakeEnv(t, nil)
	ctx := context.Background()
	ev := e.put(t, "dataset/Carrot/a.jpg", galleryPhoto(t, "Tomato", "1209.jpg"))
	for range 3 {
		if err := e.h.Handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if n, calls := len(e.images.All()), e.model.Calls(); n != 1 || calls != 1 {
		t.Errorf("%d rows, %d classifications; want 1 and 1", n, calls)
	}
	if out, err := e.h.Process(ctx, ev.Records[0]); err != nil || out != labelling.Skipped {
		t.Errorf("fourth delivery: %v %v, want skipped", out, err)
	}
}

// TestClassifyWithFakes_FailuresAreRetried: when a dependency is down or the
// model is shutting down, Handle returns an error (the event comes back) and
// writes nothing half-done; the redelivery then succeeds.
func TestClassifyWithFakes_FailuresAreRetried(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(e fakeEnv)
		mend   func(e fakeEnv)
		is     error
	}{
		{"database down", func(e fakeEnv) { e.images.Down(errors.New("connection refused")) }, func(e fakeEnv) { e.images.Down(nil) }, veglens.ErrUnavailable},
		{"storage down", func(e fakeEnv) { e.objs.Down(errors.New("connection refused")) }, func(e fakeEnv) { e.objs.Down(nil) }, nil},
		{"model closed", func(e fakeEnv) {
			e.model.Answer = func(image.Image) (veglens.Prediction, error) { return veglens.Prediction{}, vision.ErrClosed }
		}, func(e fakeEnv) { e.model.Answer = nil }, vision.ErrClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newFakeEnv(t, nil)
			ctx := context.Background()
			key := "dataset/Potato/p.jpg"
			ev := e.put(t, key, galleryPhoto(t, "Tomato", "1209.jpg"))
			tc.break_(e)
			err := e.h.Handle(ctx, ev)
			if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Fatalf("Handle = %v, want an error wrapping %v", err, tc.is)
			}
			tc.mend(e)
			if n := len(e.images.All()); n != 0 {
				t.Fatalf("%d rows written during the failure", n)
			}
			if err := e.h.Handle(ctx, ev); err != nil {
				t.Fatalf("redelivery: %v", err)
			}
			if im, err := e.images.GetByKey(ctx, key); err != nil || im.Status != veglens.StatusDone {
				t.Errorf("after redelivery: %+v %v", im, err)
			}
		})
	}
}

func TestClassifyWithFakes_IgnoresWhatIsNotAnImageToLabel(t *testing.T) {
	e := newFakeEnv(t, nil)
	ctx := context.Background()
	photo := galleryPhoto(t, "Tomato", "1209.jpg")
	removed := event(t, "dataset/Tomato/gone.jpg", 10, "x")
	removed.Records[0].EventName = "ObjectRemoved:Delete"
	foreign := event(t, "dataset/Tomato/foreign.jpg", 10, "x")
	foreign.Records[0].S3.Bucket.Name = "someone-elses"
	gone := event(t, "dataset/Tomato/deleted-before-labelling.jpg", 10, "x")
	for i, ev := range []events.S3Event{
		e.put(t, "thumbnails/uploads/x.jpg", photo), e.put(t, "elsewhere/x.jpg", photo), e.put(t, "dataset/Tomato/", photo),
		removed, foreign, gone,
	} {
		if out, err := e.h.Process(ctx, ev.Records[0]); err != nil || out != labelling.Skipped {
			t.Errorf("event %d (%s): %v %v, want skipped", i, ev.Records[0].S3.Object.Key, out, err)
		}
	}
	if n := len(e.images.All()); n != 0 {
		t.Errorf("%d rows written for ignored events", n)
	}

	// An upload whose object never arrived is recorded, so its sender is
	// told, and counted as rejected.
	id := uuid.NewString()
	if err := e.h.Handle(ctx, event(t, veglens.UploadKey(id, "png"), 10, "x")); err != nil {
		t.Fatal(err)
	}
	if im, err := e.images.Get(ctx, id); err != nil || im.Reason != "The uploaded file could not be found in storage." {
		t.Errorf("missing upload: %+v %v", im, err)
	}
	if !strings.Contains(e.metrics.String(), `"Rejected":1`) {
		t.Errorf("no Rejected metric: %q", e.metrics.String())
	}
}

func TestClassifyWithFakes_ConcurrentDuplicatesLeaveOneRow(t *testing.T) {
	e := newFakeEnv(t, nil)
	ev := e.put(t, veglens.UploadKey(uuid.NewString(), "jpg"), galleryPhoto(t, "Tomato", "1209.jpg"))
	errs := make(chan error, 6)
	for range cap(errs) {
		go func() { errs <- e.h.Handle(context.Background(), ev) }()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n := len(e.images.All()); n != 1 {
		t.Errorf("%d rows, want 1", n)
	}
}
