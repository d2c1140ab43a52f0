package ingest_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/veglens/veglens/infra/local/ingest"
	"github.com/veglens/veglens/infra/services"
	"github.com/veglens/veglens/infra/services/servicestest"
	"github.com/veglens/veglens/shared/veglens"
)

// bucketCatalog stands in for the classify function and the catalog: an
// object in the bucket counts as labelled at once, rejected when its name
// says "broken". It fails the first failures calls, as a database that is
// restarting does.
type bucketCatalog struct {
	s3       *s3.Client
	bucket   string
	failures atomic.Int64
	never    bool     // count nothing: the classifier is stuck
	outdated []string // what Outdated answers
}

func (c *bucketCatalog) Outdated(ctx context.Context, prefix, modelVersion string) ([]string, error) {
	return c.outdated, nil
}

func (c *bucketCatalog) CountLabelled(ctx context.Context, keys []string, since time.Time) (done, rejected int, err error) {
	if c.failures.Add(-1) >= 0 {
		return 0, 0, errors.New("count labelled images: database unavailable")
	}
	if c.never {
		return 0, 0, nil
	}
	for _, k := range keys {
		if _, err := c.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(c.bucket), Key: aws.String(k)}); err != nil {
			continue
		}
		if strings.Contains(k, "broken") {
			rejected++
		} else {
			done++
		}
	}
	return done, rejected, nil
}

type fakeSlots struct{ busy atomic.Int64 }

func (s *fakeSlots) Classifying() int { return 2 }
func (s *fakeSlots) ClassifyBusy() time.Duration {
	return time.Duration(s.busy.Add(int64(50 * time.Millisecond)))
}

// TestTree ingests a small tree into a real MinIO bucket: every image is put
// under its dataset key with its Content-Type, the wait ends when all are
// counted (through a catalog that fails at first), and a second run skips
// everything.
func TestTree(t *testing.T) {
	m := servicestest.MinIO(t)
	ctx := context.Background()
	client := m.S3Client()
	if err := services.SetupBucket(ctx, client, "images", nil); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "Carrot", "1.jpg"), "carrot one")
	writeFile(t, filepath.Join(dir, "Carrot", "2.png"), "carrot two")
	writeFile(t, filepath.Join(dir, "Tomato", "broken.jpg"), "not a photo")
	cat := &bucketCatalog{s3: client, bucket: "images"}
	cat.failures.Store(2)
	target := ingest.Target{S3: client, Bucket: "images", Labels: labels, Catalog: cat, Slots: &fakeSlots{}}

	var progress bytes.Buffer
	sum, err := ingest.Tree(ctx, target, dir, &progress)
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	if sum.Found != 3 || sum.Skipped != 0 || sum.Uploaded != 3 || sum.Done != 2 || sum.Rejected != 1 || sum.Pending != 0 {
		t.Errorf("summary = %s; want 3 uploaded, 2 classified, 1 rejected", sum)
	}
	if sum.Elapsed <= 0 || sum.SlotUse <= 0 {
		t.Errorf("summary = %+v; want the elapsed time and the slots' use measured", sum)
	}
	if !strings.Contains(progress.String(), "3/3 classified (1 rejected), 3 uploaded") || !strings.HasSuffix(progress.String(), "\n") {
		t.Errorf("progress output %q lacks the final count", progress.String())
	}
	head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("images"), Key: aws.String(veglens.DatasetKey("Carrot", "2.png"))})
	if err != nil || aws.ToString(head.ContentType) != "image/png" || aws.ToInt64(head.ContentLength) != int64(len("carrot two")) {
		t.Errorf("stored Carrot/2.png: %+v (%v), want image/png of 10 bytes", head, err)
	}

	again, err := ingest.Tree(ctx, target, dir, nil)
	if err != nil || again.Found != 3 || again.Skipped != 3 || again.Uploaded != 0 {
		t.Errorf("second ingest = %s (%v), want all 3 skipped", again, err)
	}

	// A newer model: the rows it finds out of date are sent again.
	cat.outdated = []string{veglens.DatasetKey("Carrot", "1.jpg")}
	target.ModelVersion = "0123456789ab"
	newer, err := ingest.Tree(ctx, target, dir, nil)
	if err != nil || newer.Skipped != 2 || newer.Outdated != 1 || newer.Uploaded != 1 || newer.Done != 1 ||
		!strings.Contains(newer.String(), "1 of them again") {
		t.Errorf("ingest for a newer model = %s (%v), want Carrot/1.jpg sent again and the rest skipped", newer, err)
	}

	writeFile(t, filepath.Join(dir, "Banana", "x.jpg"), "x")
	if _, err := ingest.Tree(ctx, target, dir, nil); err == nil || !strings.Contains(err.Error(), "Banana") {
		t.Errorf("ingest with a Banana folder: err = %v, want one naming the folder", err)
	}
}

// TestTree_GivesUpWithoutProgress stops waiting once nothing has been
// labelled for Patience, reporting what is still pending.
func TestTree_GivesUpWithoutProgress(t *testing.T) {
	m := servicestest.MinIO(t)
	ctx := context.Background()
	client := m.S3Client()
	if err := services.SetupBucket(ctx, client, "images", nil); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "Bean", "1.jpg"), "bean")
	target := ingest.Target{S3: client, Bucket: "images", Labels: labels,
		Catalog: &bucketCatalog{s3: client, bucket: "images", never: true}, Patience: 600 * time.Millisecond}
	sum, err := ingest.Tree(ctx, target, dir, nil)
	if err == nil || !strings.Contains(err.Error(), "1 images still unclassified after 600ms without progress") {
		t.Errorf("err = %v, want the stall reported", err)
	}
	if sum.Uploaded != 1 || sum.Pending != 1 {
		t.Errorf("summary = %s, want 1 uploaded and pending", sum)
	}

	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	writeFile(t, filepath.Join(dir, "Bean", "2.jpg"), "bean")
	target.Patience = time.Hour
	if _, err := ingest.Tree(cctx, target, dir, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled ingest: err = %v, want the context's error", err)
	}
}
