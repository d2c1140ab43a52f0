package catalog_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/veglens/veglens/infra/services/servicestest"
	"github.com/veglens/veglens/shared/veglens"
)

// TestCountLabelled counts done and rejected rows among the given keys on a
// real PostgreSQL server: pending rows, keys without a row, rows of other
// keys and rows labelled before the given time count in neither.
func TestCountLabelled(t *testing.T) {
	pg := servicestest.Postgres(t)
	ctx := context.Background()
	s := openStore(t, pg)
	start := time.Now().Add(-time.Second)

	if done, rejected, err := s.CountLabelled(ctx, nil, start); err != nil || done != 0 || rejected != 0 {
		t.Errorf("no keys: %d done, %d rejected (%v), want 0, 0", done, rejected, err)
	}

	green := colours("#00FF00", "#66B032", "#00FF00", "#66B032")
	var keys []string
	for _, k := range []string{"dataset/Bean/1.jpg", "dataset/Bean/2.jpg", "dataset/Carrot/3.jpg"} {
		if _, err := s.Upsert(ctx, done(k, veglens.SourceDataset, "Bean", 0.9, green)); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	broken := veglens.Image{Bucket: "images", Key: "dataset/Carrot/broken.jpg", Source: veglens.SourceDataset,
		Status: veglens.StatusRejected, Reason: "not a supported picture"}
	if _, err := s.Upsert(ctx, broken); err != nil {
		t.Fatal(err)
	}
	keys = append(keys, broken.Key)
	id := uuid.NewString()
	pending := veglens.UploadKey(id, "jpg")
	if err := s.CreatePending(ctx, veglens.NewPending{ID: id, Bucket: "images", Key: pending}); err != nil {
		t.Fatal(err)
	}
	keys = append(keys, pending, "dataset/Carrot/never-written.jpg")
	// A labelled row whose key is not asked about.
	if _, err := s.Upsert(ctx, done("dataset/Tomato/9.jpg", veglens.SourceDataset, "Tomato", 0.8, green)); err != nil {
		t.Fatal(err)
	}

	done, rejected, err := s.CountLabelled(ctx, keys, start)
	if err != nil || done != 3 || rejected != 1 {
		t.Errorf("CountLabelled = %d done, %d rejected (%v), want 3, 1", done, rejected, err)
	}
	if done, rejected, err := s.CountLabelled(ctx, keys[:1], start); err != nil || done != 1 || rejected != 0 {
		t.Errorf("CountLabelled of one key = %d done, %d rejected (%v), want 1, 0", done, rejected, err)
	}
	// Sent again: only the rows labelled since count.
	later := time.Now().Add(time.Second)
	if done, rejected, err := s.CountLabelled(ctx, keys, later); err != nil || done != 0 || rejected != 0 {
		t.Errorf("CountLabelled since a later time = %d done, %d rejected (%v), want 0, 0", done, rejected, err)
	}

	if err := pg.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := pg.Restart(ctx); err != nil {
			t.Fatalf("restart: %v", err)
		}
	}()
	if _, _, err := s.CountLabelled(ctx, keys, start); !errors.Is(err, veglens.ErrUnavailable) {
		t.Errorf("count with the database down: %v, want ErrUnavailable", err)
	}
}

// TestOutdated lists the rows a new model, or the similarity key, makes
// out of date, and nothing else.
func TestOutdated(t *testing.T) {
	pg := servicestest.Postgres(t)
	ctx := context.Background()
	s := openStore(t, pg)
	green := colours("#00FF00", "#66B032", "#00FF00", "#66B032")
	put := func(im veglens.Image) {
		t.Helper()
		if _, err := s.Upsert(ctx, im); err != nil {
			t.Fatal(err)
		}
	}
	put(done("dataset/Bean/current.jpg", veglens.SourceDataset, "Bean", 0.9, green))
	old := done("dataset/Bean/old-model.jpg", veglens.SourceDataset, "Bean", 0.9, green)
	old.ModelVersion = "0123456789ab"
	put(old)
	noKey := done("dataset/Bean/no-key.jpg", veglens.SourceDataset, "Bean", 0.9, green)
	noKey.SimilarityKey = nil
	put(noKey)
	put(veglens.Image{Bucket: "images", Key: "dataset/Bean/broken.jpg", Source: veglens.SourceDataset,
		Status: veglens.StatusRejected, Reason: "not a picture", ModelVersion: "abc123def456"})
	other := done(veglens.UploadKey(uuid.NewString(), "jpg"), veglens.SourceUpload, "Bean", 0.9, green)
	other.ModelVersion = "0123456789ab"
	put(other)

	got, err := s.Outdated(ctx, veglens.DatasetPrefix, "abc123def456")
	if want := []string{"dataset/Bean/no-key.jpg", "dataset/Bean/old-model.jpg"}; err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Outdated = %v (%v), want %v", got, err, want)
	}
}
