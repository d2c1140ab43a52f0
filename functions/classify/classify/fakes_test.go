package classify_test

import (
	"context"
	"errors"
	"image"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/veglens/veglens/functions/classify/classify"
	"github.com/veglens/veglens/shared/fakes"
	"github.com/veglens/veglens/shared/labelling"
	"github.com/veglens/veglens/shared/veglens"
)

// The handler's own job, on the in-memory fakes: read S3 event records,
// hand them to the labeller, report metrics, return an error when the event
// must come back. What labelling does with an image is tested in
// shared/labelling; TestClassify runs the whole path on PostgreSQL, MinIO
// and the real model.

type fakeEnv struct {
	h       *classify.Handler
	images  *fakes.ImageStore
	objs    *fakes.ObjectStore
	metrics *syncBuffer
}

func newFakeEnv(t *testing.T) fakeEnv {
	t.Helper()
	e := fakeEnv{images: fakes.NewImageStore(), objs: fakes.NewObjectStore(bucket), metrics: &syncBuffer{}}
	model := &fakes.Classifier{Kinds: []veglens.Kind{"Bitter_Gourd", "Tomato"}, ModelVersion: "fake0000v1",
		Answer: func(image.Image) (veglens.Prediction, error) {
			return veglens.Prediction{Score: 0.9, Top: []veglens.Guess{{Kind: "Tomato", Probability: 0.9}, {Kind: "Bitter_Gourd", Probability: 0.1}}}, nil
		}}
	h, err := classify.New(classify.Deps{Deps: labelling.Deps{Images: e.images, Objects: e.objs, Classifier: model}, Metrics: e.metrics})
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

func TestClassifyWithFakes_EventsBecomeRowsAndMetrics(t *testing.T) {
	e := newFakeEnv(t)
	ctx := context.Background()
	if err := e.h.Handle(ctx, e.put(t, "dataset/Tomato/1209.jpg", galleryPhoto(t, "Tomato", "1209.jpg"))); err != nil {
		t.Fatal(err)
	}
	if im, err := e.images.GetByKey(ctx, "dataset/Tomato/1209.jpg"); err != nil || im.Status != veglens.StatusDone || im.Kind != "Tomato" {
		t.Errorf("row = %+v %v", im, err)
	}
	if !strings.Contains(e.metrics.String(), `"ClassifyTotalMs":`) {
		t.Errorf("no embedded-metric-format record: %q", e.metrics.String())
	}

	// Keys arrive URL-encoded; a runner may set only the encoded one.
	key := "dataset/Bitter_Gourd/my photo+1.jpg"
	e.put(t, key, galleryPhoto(t, "Tomato", "1209.jpg"))
	var rec events.S3EventRecord
	rec.EventName, rec.S3.Bucket.Name, rec.S3.Object.Key = "s3:ObjectCreated:Post", bucket, url.QueryEscape(key)
	if out, err := e.h.Process(ctx, rec); err != nil || out != labelling.Labelled {
		t.Fatalf("encoded key: %v %v", out, err)
	}
	if im, err := e.images.GetByKey(ctx, key); err != nil || im.TrueKind != "Bitter_Gourd" {
		t.Errorf("row = %+v %v", im, err)
	}

	// An upload whose object never arrived is recorded and counted as rejected.
	id := uuid.NewString()
	if err := e.h.Handle(ctx, event(t, veglens.UploadKey(id, "png"), 10, "x")); err != nil {
		t.Fatal(err)
	}
	if im, err := e.images.Get(ctx, id); err != nil || im.Status != veglens.StatusRejected {
		t.Errorf("missing upload: %+v %v", im, err)
	}
	if !strings.Contains(e.metrics.String(), `"Rejected":1`) {
		t.Errorf("no Rejected metric: %q", e.metrics.String())
	}
}

func TestClassifyWithFakes_OtherEventsAreSkipped(t *testing.T) {
	e := newFakeEnv(t)
	removed := event(t, "dataset/Tomato/gone.jpg", 10, "x")
	removed.Records[0].EventName = "ObjectRemoved:Delete"
	foreign := event(t, "dataset/Tomato/foreign.jpg", 10, "x")
	foreign.Records[0].S3.Bucket.Name = "someone-elses"
	var undecodable events.S3EventRecord
	undecodable.S3.Object.Key = "dataset/Tomato/%zz.jpg"
	for _, rec := range []events.S3EventRecord{removed.Records[0], foreign.Records[0], undecodable} {
		if out, err := e.h.Process(context.Background(), rec); err != nil || out != labelling.Skipped {
			t.Errorf("%s %s: %v %v, want skipped", rec.EventName, rec.S3.Object.Key, out, err)
		}
	}
	if n := len(e.images.All()); n != 0 {
		t.Errorf("%d rows written for skipped events", n)
	}
}

// TestClassifyWithFakes_DatabaseDownKeepsTheEvent: Handle fails, so the
// event is delivered again, and the redelivery labels the image.
func TestClassifyWithFakes_DatabaseDownKeepsTheEvent(t *testing.T) {
	e := newFakeEnv(t)
	ev := e.put(t, "dataset/Tomato/a.jpg", galleryPhoto(t, "Tomato", "1209.jpg"))
	e.images.Down(errors.New("connection refused"))
	if err := e.h.Handle(context.Background(), ev); !errors.Is(err, veglens.ErrUnavailable) {
		t.Fatalf("Handle = %v, want an error wrapping veglens.ErrUnavailable", err)
	}
	e.images.Down(nil)
	if err := e.h.Handle(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if n := len(e.images.All()); n != 1 {
		t.Errorf("%d rows after the redelivery, want 1", n)
	}
}

func TestClassifyWithFakes_ConcurrentDuplicatesLeaveOneRow(t *testing.T) {
	e := newFakeEnv(t)
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
