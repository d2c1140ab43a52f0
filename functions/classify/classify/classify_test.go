package classify_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image/jpeg"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/veglens/veglens/functions/classify/classify"
	"github.com/veglens/veglens/infra/services"
	"github.com/veglens/veglens/infra/services/servicestest"
	"github.com/veglens/veglens/shared/catalog"
	"github.com/veglens/veglens/shared/labelling"
	"github.com/veglens/veglens/shared/objects"
	"github.com/veglens/veglens/shared/picture/picturetest"
	"github.com/veglens/veglens/shared/sourcetree/sourcetreetest"
	"github.com/veglens/veglens/shared/veglens"
	"github.com/veglens/veglens/shared/vision"
)

const bucket = "images"

var shared struct {
	once  sync.Once
	model *vision.Model
	err   error
}

// testModel loads the committed model once per test binary.
func testModel(t testing.TB) *vision.Model {
	t.Helper()
	lib := servicestest.ORTLib(t)
	shared.once.Do(func() {
		shared.model, shared.err = vision.LoadModel(filepath.Join(sourcetreetest.Path(t), "models"), vision.ModelOptions{LibraryPath: lib, Threads: 1})
	})
	if shared.err != nil {
		t.Fatalf("load model: %v", shared.err)
	}
	return shared.model
}

type env struct {
	h       *classify.Handler
	store   *catalog.Store
	objs    *objects.Store
	pg      *services.Postgres
	model   *vision.Model
	metrics *syncBuffer
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newEnv wires the handler to real PostgreSQL, MinIO and the real model.
func newEnv(t testing.TB) env {
	t.Helper()
	model := testModel(t)
	be := servicestest.NewBackend(t, bucket)
	store, objs, pg := be.Store, be.Objects, be.Postgres
	buf := &syncBuffer{}
	h, err := classify.New(classify.Deps{Deps: labelling.Deps{Images: store, Objects: objs, Classifier: model}, Metrics: buf})
	if err != nil {
		t.Fatal(err)
	}
	return env{h: h, store: store, objs: objs, pg: pg, model: model, metrics: buf}
}

// event builds the S3 event S3 (and the local runner) deliver for key, the
// way Lambda decodes it: from JSON, with the key URL-encoded.
func event(t testing.TB, key string, size int, etag string) events.S3Event {
	t.Helper()
	raw := fmt.Sprintf(`{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":%q},"object":{"key":%q,"size":%d,"eTag":%q}}}]}`,
		bucket, url.QueryEscape(key), size, etag)
	var ev events.S3Event
	if err := json.Unmarshal([]byte(raw), &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

func put(t testing.TB, e env, key string, body []byte) events.S3Event {
	t.Helper()
	if err := e.objs.Put(context.Background(), key, "image/jpeg", body); err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(body) // the ETag of a single-part upload
	return event(t, key, len(body), hex.EncodeToString(sum[:]))
}

func galleryPhoto(t testing.TB, kind, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sourcetreetest.Path(t), "infra", "gallery", kind, file))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func rows(t *testing.T, s *catalog.Store, key string) int {
	t.Helper()
	var n int
	if err := s.Pool().QueryRow(context.Background(), `SELECT count(*) FROM images WHERE object_key = $1`, key).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestClassify(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	t.Run("GalleryPhotoIsLabelledWithItsKind", func(t *testing.T) {
		tests := []struct{ kind, file string }{
			{"Tomato", "1209.jpg"},
			{"Carrot", firstFile(t, "Carrot")},
			{"Bitter_Gourd", firstFile(t, "Bitter_Gourd")},
		}
		for _, tc := range tests {
			t.Run(tc.kind, func(t *testing.T) {
				key := "dataset/" + tc.kind + "/" + tc.file
				if err := e.h.Handle(ctx, put(t, e, key, galleryPhoto(t, tc.kind, tc.file))); err != nil {
					t.Fatal(err)
				}
				im, err := e.store.GetByKey(ctx, key)
				if err != nil {
					t.Fatal(err)
				}
				if im.Status != veglens.StatusDone || im.TrueKind != tc.kind || im.Source != veglens.SourceDataset {
					t.Fatalf("row = %+v", im)
				}
				if im.Kind != tc.kind {
					t.Errorf("predicted %s (top %v), want %s", im.Kind, im.Top, tc.kind)
				}
				if len(im.Top) != 3 || im.Top[0].Kind != im.Kind || im.Confidence != im.Top[0].Probability || im.Confidence <= 0 || im.Confidence > 1 {
					t.Errorf("top-3 %v, confidence %v", im.Top, im.Confidence)
				}
				c := im.Colours
				if c == nil || c.Foreground.RGB.Dominant.Hex == "" || c.Foreground.RYB.Dominant.Hex == "" ||
					c.Reference.RGB.Dominant.Hex == "" || c.Reference.RYB.Dominant.Hex == "" || len(c.Foreground.RGB.Shares) == 0 ||
					c.Foreground.Common == nil || c.Foreground.Common.Dominant.Name == "" || c.Reference.Common != nil {
					t.Errorf("colours = %+v", c)
				}
				tm := im.Timings
				if tm == nil || tm.TotalMs <= 0 || tm.InferenceMs <= 0 || tm.ColourMs <= 0 ||
					tm.TotalMs < tm.FetchMs+tm.DecodeMs+max(tm.InferenceMs, tm.ColourMs) {
					t.Errorf("timings = %+v", tm)
				}
				if im.ModelVersion != e.model.Version() || im.Width != 224 || im.Height != 224 || im.ThumbnailKey != "" {
					t.Errorf("model %q size %dx%d thumbnail %q", im.ModelVersion, im.Width, im.Height, im.ThumbnailKey)
				}
			})
		}
		// Every labelled photo can be asked "more like this": the gallery
		// photos just labelled are each other's neighbours.
		tomato, err := e.store.GetByKey(ctx, "dataset/Tomato/1209.jpg")
		if err != nil {
			t.Fatal(err)
		}
		near, err := e.store.Similar(ctx, tomato.ID, 10)
		if err != nil || len(near) < 2 {
			t.Errorf("Similar(the tomato) = %d photos, %v; want the other labelled gallery photos", len(near), err)
		}
		if !strings.Contains(e.metrics.String(), `"Namespace":"veglens"`) || !strings.Contains(e.metrics.String(), `"ClassifyTotalMs":`) {
			t.Errorf("no embedded-metric-format record written: %q", e.metrics.String())
		}
	})

	t.Run("UploadKeepsItsPendingRowAndGetsAThumbnail", func(t *testing.T) {
		id := uuid.NewString()
		key := "uploads/" + id + ".jpg"
		if err := e.store.CreatePending(ctx, veglens.NewPending{ID: id, Bucket: bucket, Key: key, Listed: true}); err != nil {
			t.Fatal(err)
		}
		photo := picturetest.Enlarge(t, galleryPhoto(t, "Tomato", "1209.jpg"), 1200)
		if err := e.h.Handle(ctx, put(t, e, key, photo)); err != nil {
			t.Fatal(err)
		}
		im, err := e.store.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if im.Status != veglens.StatusDone || !im.Listed || im.Width != 1200 || im.Height != 900 || im.TrueKind != "" {
			t.Fatalf("row = %+v", im)
		}
		if im.ThumbnailKey != "thumbnails/uploads/"+id+".jpg" {
			t.Fatalf("thumbnail key = %q", im.ThumbnailKey)
		}
		thumb, err := e.objs.Get(ctx, im.ThumbnailKey, veglens.MaxImageBytes)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(thumb.Body))
		if err != nil || max(cfg.Width, cfg.Height) != 512 || cfg.Width != 512 {
			t.Errorf("thumbnail %dx%d, %v; want 512 px on the long side", cfg.Width, cfg.Height, err)
		}
	})

	t.Run("DuplicateDeliveryLeavesOneRow", func(t *testing.T) {
		key := "dataset/Potato/" + firstFile(t, "Potato")
		ev := put(t, e, key, galleryPhoto(t, "Potato", strings.TrimPrefix(key, "dataset/Potato/")))
		for range 2 {
			if err := e.h.Handle(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		if n := rows(t, e.store, key); n != 1 {
			t.Errorf("%d rows", n)
		}
		out, err := e.h.Process(ctx, ev.Records[0])
		if err != nil || out != labelling.Skipped {
			t.Errorf("third delivery: %v %v, want skipped (already labelled)", out, err)
		}
	})

	t.Run("ConcurrentDuplicatesLeaveOneRow", func(t *testing.T) {
		id := uuid.NewString()
		key := "uploads/" + id + ".jpg"
		ev := put(t, e, key, galleryPhoto(t, "Cabbage", firstFile(t, "Cabbage")))
		var wg sync.WaitGroup
		errs := make([]error, 6)
		for i := range errs {
			wg.Go(func() { errs[i] = e.h.Handle(ctx, ev) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("delivery %d: %v", i, err)
			}
		}
		if n := rows(t, e.store, key); n != 1 {
			t.Errorf("%d rows", n)
		}
		im, err := e.store.Get(ctx, id)
		if err != nil || im.Status != veglens.StatusDone {
			t.Errorf("row by the id in the key: %+v %v", im, err)
		}
	})

	t.Run("BadFilesAreRejectedWithAReason", func(t *testing.T) {
		photo := galleryPhoto(t, "Tomato", "1209.jpg")
		corrupt := append([]byte(nil), photo...)
		for i := 600; i < len(corrupt)-2; i += 7 {
			corrupt[i] ^= 0x5A
		}
		tests := []struct {
			name   string
			body   []byte
			reason string // a word the reason must contain
		}{
			{"empty", []byte{}, "empty"},
			{"not an image", []byte("hello, this is a text file renamed to .jpg\n"), "JPEG"},
			{"truncated", photo[:len(photo)/2], "damaged"},
			{"corrupt", corrupt, "damaged"},
			{"100-megapixel bomb", picturetest.PNGHeader(10000, 10000), "megapixels"},
			{"too small", picturetest.PNGHeader(8, 8), "at least"},
			{"over 10 MiB", append(append([]byte(nil), photo...), make([]byte, 10<<20)...), "The file is 10.1 MB; the largest accepted is 10 MB."},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				id := uuid.NewString()
				key := "uploads/" + id + ".jpg"
				if err := e.store.CreatePending(ctx, veglens.NewPending{ID: id, Bucket: bucket, Key: key}); err != nil {
					t.Fatal(err)
				}
				if err := e.h.Handle(ctx, put(t, e, key, tc.body)); err != nil {
					t.Fatalf("Handle returned %v: a bad file must not be retried", err)
				}
				im, err := e.store.Get(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if im.Status != veglens.StatusRejected || !strings.Contains(im.Reason, tc.reason) || im.Kind != "" || im.Colours != nil {
					t.Errorf("row = status %s reason %q kind %q; want rejected mentioning %q", im.Status, im.Reason, im.Kind, tc.reason)
				}
				if r := im.Reason; r == "" || r[:1] != strings.ToUpper(r[:1]) || !strings.HasSuffix(r, ".") {
					t.Errorf("reason %q is not a sentence", r)
				}
			})
		}
		if !strings.Contains(e.metrics.String(), `"Rejected":1`) {
			t.Error("no Rejected metric written")
		}
	})

	t.Run("EventClaimingOver10MiBIsRejectedWithoutFetching", func(t *testing.T) {
		key := "uploads/" + uuid.NewString() + ".jpg"
		// Nothing is stored under key: a fetch would find nothing.
		if err := e.h.Handle(ctx, event(t, key, 11<<20, "abc")); err != nil {
			t.Fatal(err)
		}
		im, err := e.store.GetByKey(ctx, key)
		if err != nil || im.Status != veglens.StatusRejected || im.Reason != "The file is 11 MB; the largest accepted is 10 MB." {
			t.Errorf("row = %+v %v", im, err)
		}
	})

	t.Run("ObjectOver10MiBIsRefusedWhenTheEventOmitsItsSize", func(t *testing.T) {
		key := "uploads/" + uuid.NewString() + ".jpg"
		ev := put(t, e, key, make([]byte, 10<<20+1))
		ev.Records[0].S3.Object.Size = 0
		if err := e.h.Handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
		im, err := e.store.GetByKey(ctx, key)
		if err != nil || im.Status != veglens.StatusRejected || im.Reason != "The file is over 10 MB, the largest accepted." {
			t.Errorf("row = %+v %v", im, err)
		}
	})

	t.Run("KeysAreURLDecoded", func(t *testing.T) {
		key := "dataset/Bitter_Gourd/my photo+1.jpg"
		if err := e.objs.Put(ctx, key, "image/jpeg", galleryPhoto(t, "Bitter_Gourd", firstFile(t, "Bitter_Gourd"))); err != nil {
			t.Fatal(err)
		}
		// Built by hand, as a local runner might: only the encoded key is set.
		var rec events.S3EventRecord
		rec.EventName = "s3:ObjectCreated:Post"
		rec.S3.Bucket.Name = bucket
		rec.S3.Object.Key = url.QueryEscape(key)
		if err := e.h.Handle(ctx, events.S3Event{Records: []events.S3EventRecord{rec}}); err != nil {
			t.Fatal(err)
		}
		im, err := e.store.GetByKey(ctx, key)
		if err != nil || im.Status != veglens.StatusDone || im.TrueKind != "Bitter_Gourd" {
			t.Errorf("row = %+v %v", im, err)
		}
	})

	t.Run("OtherObjectsAndEventsAreIgnored", func(t *testing.T) {
		photo := galleryPhoto(t, "Tomato", "1209.jpg")
		thumbEv := put(t, e, "thumbnails/uploads/x.jpg", photo)
		otherEv := put(t, e, "elsewhere/x.jpg", photo)
		removed := event(t, "dataset/Tomato/gone.jpg", 10, "x")
		removed.Records[0].EventName = "ObjectRemoved:Delete"
		foreign := event(t, "dataset/Tomato/foreign.jpg", 10, "x")
		foreign.Records[0].S3.Bucket.Name = "someone-elses"
		for _, ev := range []events.S3Event{thumbEv, otherEv, removed, foreign} {
			if out, err := e.h.Process(ctx, ev.Records[0]); err != nil || out != labelling.Skipped {
				t.Errorf("%s %s: %v %v, want skipped", ev.Records[0].EventName, ev.Records[0].S3.Object.Key, out, err)
			}
		}
		var n int
		e.store.Pool().QueryRow(ctx, `SELECT count(*) FROM images WHERE object_key IN ('thumbnails/uploads/x.jpg', 'elsewhere/x.jpg', 'dataset/Tomato/gone.jpg', 'dataset/Tomato/foreign.jpg')`).Scan(&n)
		if n != 0 {
			t.Errorf("%d rows written for ignored events", n)
		}
	})

	t.Run("StorageDownReturnsAnError", func(t *testing.T) {
		down, err := objects.New(ctx, objects.Config{Bucket: bucket, Endpoint: "http://127.0.0.1:1", Region: "us-east-1", AccessKey: "a", SecretKey: "b"})
		if err != nil {
			t.Fatal(err)
		}
		h, err := classify.New(classify.Deps{Deps: labelling.Deps{Images: e.store, Objects: down, Classifier: e.model}, Metrics: &syncBuffer{}})
		if err != nil {
			t.Fatal(err)
		}
		key := "uploads/" + uuid.NewString() + ".jpg"
		shortCtx, cancel := context.WithTimeout(ctx, 20e9)
		defer cancel()
		if err := h.Handle(shortCtx, event(t, key, 1000, "e")); err == nil {
			t.Fatal("Handle succeeded with storage unreachable; the event would be lost")
		}
		if _, err := e.store.GetByKey(ctx, key); !errors.Is(err, veglens.ErrNotFound) {
			t.Errorf("a row was written although the image was never read: %v", err)
		}
	})

	t.Run("ClosedModelReturnsAnError", func(t *testing.T) {
		// A container shutting down closes its model; events it was still
		// handling must come back rather than end as rejected.
		m, err := vision.LoadModel(filepath.Join(sourcetreetest.Path(t), "models"), vision.ModelOptions{LibraryPath: servicestest.ORTLib(t), Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		m.Close()
		h, err := classify.New(classify.Deps{Deps: labelling.Deps{Images: e.store, Objects: e.objs, Classifier: m}, Metrics: &syncBuffer{}})
		if err != nil {
			t.Fatal(err)
		}
		key := "dataset/Papaya/" + firstFile(t, "Papaya")
		ev := put(t, e, key, galleryPhoto(t, "Papaya", strings.TrimPrefix(key, "dataset/Papaya/")))
		if err := h.Handle(ctx, ev); !errors.Is(err, vision.ErrClosed) {
			t.Errorf("Handle = %v, want vision.ErrClosed", err)
		}
		if _, err := e.store.GetByKey(ctx, key); !errors.Is(err, veglens.ErrNotFound) {
			t.Errorf("a row was written: %v", err)
		}
	})

	// Last: it stops the database.
	t.Run("DatabaseDownReturnsAnErrorAndTheRetrySucceeds", func(t *testing.T) {
		key := "dataset/Radish/" + firstFile(t, "Radish")
		ev := put(t, e, key, galleryPhoto(t, "Radish", strings.TrimPrefix(key, "dataset/Radish/")))
		if err := e.pg.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		err := e.h.Handle(ctx, ev)
		if restartErr := e.pg.Restart(ctx); restartErr != nil {
			t.Fatalf("restart PostgreSQL: %v", restartErr)
		}
		if err == nil {
			t.Fatal("Handle succeeded with the database down; the event would be lost")
		}
		if !errors.Is(err, veglens.ErrUnavailable) {
			t.Errorf("error %v is not marked unavailable", err)
		}
		if err := e.h.Handle(ctx, ev); err != nil {
			t.Fatalf("redelivery after the database came back: %v", err)
		}
		im, err := e.store.GetByKey(ctx, key)
		if err != nil || im.Status != veglens.StatusDone || rows(t, e.store, key) != 1 {
			t.Errorf("after redelivery: %+v %v", im, err)
		}
	})
}

func firstFile(t testing.TB, kind string) string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(sourcetreetest.Path(t), "infra", "gallery", kind))
	if err != nil || len(entries) == 0 {
		t.Fatalf("gallery folder %s: %v", kind, err)
	}
	return entries[0].Name()
}
