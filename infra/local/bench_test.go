package local_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/veglens/veglens/shared/sourcetree/sourcetreetest"
)

// BenchmarkStack_IngestGallery measures the whole local pipeline: the
// sample gallery (150 photos) put into the bucket under fresh names each
// iteration, delivered by MinIO's events, classified and written. Reported:
// images/s (until the last row is written) and the classify function's own
// timings from the stored rows (p50/p99 of total_ms). For the full
// validation split use `make run DATA=... RUN_FLAGS=-exit-after-ingest`.
//
//	go test -run '^$' -bench IngestGallery -benchtime 2x ./infra/local
func BenchmarkStack_IngestGallery(b *testing.B) {
	st := startStack(b)
	gallery := sourcetreetest.Path(b, "infra", "gallery")
	ctx := context.Background()

	var images int
	var seconds float64
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		dir := b.TempDir()
		kinds, _ := os.ReadDir(gallery)
		for _, k := range kinds {
			if !k.IsDir() {
				continue
			}
			files, _ := filepath.Glob(filepath.Join(gallery, k.Name(), "*.jpg"))
			if err := os.MkdirAll(filepath.Join(dir, k.Name()), 0o755); err != nil {
				b.Fatal(err)
			}
			for _, f := range files {
				if err := os.Link(f, filepath.Join(dir, k.Name(), fmt.Sprintf("b%d-%s", i, filepath.Base(f)))); err != nil {
					data, _ := os.ReadFile(f)
					_ = os.WriteFile(filepath.Join(dir, k.Name(), fmt.Sprintf("b%d-%s", i, filepath.Base(f))), data, 0o644)
				}
			}
		}
		b.StartTimer()
		sum, err := st.Ingest(ctx, dir, nil)
		if err != nil {
			b.Fatal(err)
		}
		if sum.Rejected != 0 || sum.Pending != 0 {
			b.Errorf("ingest: %s; want nothing rejected or pending", sum)
		}
		images += sum.Done + sum.Rejected
		seconds += sum.Elapsed.Seconds()
	}
	b.ReportMetric(float64(images)/seconds, "images/s")
	var p50, p99 float64
	if err := st.Catalog.Pool().QueryRow(ctx, `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY total_ms),
		percentile_cont(0.99) WITHIN GROUP (ORDER BY total_ms) FROM images WHERE status = 'done'`).Scan(&p50, &p99); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(p50, "classify-p50-ms")
	b.ReportMetric(p99, "classify-p99-ms")
	b.ReportMetric(0, "ns/op")
}
