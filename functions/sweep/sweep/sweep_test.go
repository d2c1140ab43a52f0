package sweep_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/veglens/veglens/functions/sweep/sweep"
	"github.com/veglens/veglens/shared/fakes"
	"github.com/veglens/veglens/shared/veglens"
)

// env is a sweep handler over in-memory fakes (the real catalog's side is
// covered by shared/catalog's tests, the whole path by infra/local's) with
// a clock the test moves.
type env struct {
	h       *sweep.Handler
	images  *fakes.ImageStore
	objects *fakes.ObjectStore
	now     time.Time
}

func newEnv(t *testing.T, retention time.Duration) *env {
	t.Helper()
	e := &env{images: fakes.NewImageStore(), objects: fakes.NewObjectStore("images"), now: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
	e.images.SetClock(func() time.Time { return e.now })
	h, err := sweep.New(sweep.Deps{Images: e.images, Objects: e.objects, Retention: retention, Now: func() time.Time { return e.now }})
	if err != nil {
		t.Fatal(err)
	}
	e.h = h
	return e
}

// pending records an upload whose presigned POST expires in expiry.
func (e *env) pending(t *testing.T, expiry time.Duration) string {
	t.Helper()
	id := uuid.NewString()
	key := veglens.UploadKey(id, "jpg")
	if err := e.images.CreatePending(context.Background(), veglens.NewPending{ID: id, Bucket: "images", Key: key, ExpiresAt: e.now.Add(expiry)}); err != nil {
		t.Fatal(err)
	}
	return key
}

func (e *env) status(t *testing.T, key string) (veglens.Status, string) {
	t.Helper()
	im, err := e.images.GetByKey(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return im.Status, im.Reason
}

func TestSweepSettlesUploadsThatCanNoLongerArrive(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 0)
	never := e.pending(t, 5*time.Minute)
	arrived := e.pending(t, 5*time.Minute)
	if err := e.objects.Put(ctx, arrived, "image/jpeg", []byte("photo")); err != nil {
		t.Fatal(err)
	}
	waiting := e.pending(t, time.Hour) // its form is still valid

	// Within the grace after the form's expiry nothing happens yet.
	e.now = e.now.Add(5*time.Minute + veglens.UploadGrace - time.Second)
	if r, err := e.h.Sweep(ctx); err != nil || r != (sweep.Report{}) {
		t.Fatalf("sweep within the grace = %+v, %v; want nothing done", r, err)
	}

	e.now = e.now.Add(2 * time.Second)
	r, err := e.h.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r != (sweep.Report{NeverArrived: 1, Renotified: 1}) {
		t.Errorf("report %+v, want one never arrived and one announced again", r)
	}
	if st, reason := e.status(t, never); st != veglens.StatusRejected || reason != veglens.NeverArrived {
		t.Errorf("upload that never arrived: %s %q, want rejected, %q", st, reason, veglens.NeverArrived)
	}
	if st, _ := e.status(t, arrived); st != veglens.StatusPending {
		t.Errorf("upload that arrived: %s, want still pending until classify labels it", st)
	}
	if got := e.objects.Renotified(); len(got) != 1 || got[0] != arrived {
		t.Errorf("renotified %v, want [%s]", got, arrived)
	}
	if st, _ := e.status(t, waiting); st != veglens.StatusPending {
		t.Errorf("upload whose form is still valid: %s, want pending", st)
	}

	// A second sweep finds nothing new to reject.
	if r, err := e.h.Sweep(ctx); err != nil || r.NeverArrived != 0 {
		t.Errorf("second sweep = %+v, %v; want no new rejection", r, err)
	}
}

// A photo that arrives between the sweep's look at the bucket and its
// write keeps its result: only a pending row is rejected.
func TestMarkNeverArrivedLeavesLabelledImages(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 0)
	key := e.pending(t, time.Minute)
	if _, err := e.images.Upsert(ctx, veglens.Image{Key: key, Bucket: "images", Source: veglens.SourceUpload, Status: veglens.StatusDone, Kind: "Carrot"}); err != nil {
		t.Fatal(err)
	}
	if changed, err := e.images.MarkNeverArrived(ctx, key); err != nil || changed {
		t.Fatalf("MarkNeverArrived of a labelled image = %v, %v; want false", changed, err)
	}
	if st, _ := e.status(t, key); st != veglens.StatusDone {
		t.Errorf("status %s, want done", st)
	}
}

func TestSweepRemovesUploadsPastTheRetention(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 30*24*time.Hour)
	old := e.pending(t, time.Minute)
	e.now = e.now.Add(29*24*time.Hour - time.Hour)
	recent := e.pending(t, time.Minute)
	e.now = e.now.Add(2 * time.Hour) // old is now 29 days and an hour old: a day before its object goes
	r, err := e.h.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Expired != 1 {
		t.Errorf("report %+v, want one upload removed", r)
	}
	if _, err := e.images.GetByKey(ctx, old); !errors.Is(err, veglens.ErrNotFound) {
		t.Errorf("the old upload's row: %v, want removed", err)
	}
	if _, err := e.images.GetByKey(ctx, recent); err != nil {
		t.Errorf("the recent upload's row: %v, want kept", err)
	}
}

func TestRemovedObjectsTakeTheirRowsWithThem(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 0)
	upload := e.pending(t, time.Minute)
	dataset := veglens.DatasetKey("Bitter_Gourd", "a b.jpg")
	if _, err := e.images.Upsert(ctx, veglens.Image{Key: dataset, Bucket: "images", Source: veglens.SourceDataset, Status: veglens.StatusDone}); err != nil {
		t.Fatal(err)
	}
	record := func(name, key string) events.S3EventRecord {
		var r events.S3EventRecord
		r.EventName, r.S3.Bucket.Name, r.S3.Object.Key = name, "images", key
		return r
	}
	ev := events.S3Event{Records: []events.S3EventRecord{
		record("s3:ObjectRemoved:Delete", upload),
		record("LifecycleExpiration:Delete", "dataset/Bitter_Gourd/a+b.jpg"), // keys arrive URL-encoded
		record("s3:ObjectRemoved:Delete", veglens.ThumbnailKey(upload)),      // not an image: skipped
		record("s3:ObjectCreated:Put", upload),                               // not a removal: skipped
	}}
	raw, _ := json.Marshal(ev)
	if err := e.h.Handle(ctx, raw); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{upload, dataset} {
		if _, err := e.images.GetByKey(ctx, key); !errors.Is(err, veglens.ErrNotFound) {
			t.Errorf("%s: %v, want its row removed", key, err)
		}
	}
	// The same event again (at-least-once delivery) is harmless.
	if err := e.h.Handle(ctx, raw); err != nil {
		t.Errorf("duplicate event: %v", err)
	}
}

func TestSweepReportsAStoreThatIsDown(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 0)
	e.pending(t, -time.Hour)
	e.objects.Down(errors.New("connection refused"))
	if _, err := e.h.Sweep(ctx); err == nil {
		t.Error("sweep with the bucket down succeeded; want an error so the schedule tries again")
	}
	e.objects.Down(nil)
	e.images.Down(errors.New("connection refused"))
	if err := e.h.Handle(ctx, json.RawMessage(`{"source":"aws.events","detail-type":"Scheduled Event"}`)); !errors.Is(err, veglens.ErrUnavailable) {
		t.Errorf("scheduled sweep with the database down = %v, want ErrUnavailable", err)
	}
}
