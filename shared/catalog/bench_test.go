package catalog_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/veglens/veglens/infra/services/servicestest"
	"github.com/veglens/veglens/shared/catalog"
	"github.com/veglens/veglens/shared/veglens"
)

var benchKinds = []string{
	"Bean", "Bitter_Gourd", "Bottle_Gourd", "Brinjal", "Broccoli", "Cabbage", "Capsicum", "Carrot",
	"Cauliflower", "Cucumber", "Papaya", "Potato", "Pumpkin", "Radish", "Tomato",
}

// Twelve stand-in wheel colours per palette; only equality matters to SQL.
func benchWheel(p string) []string {
	out := make([]string, 12)
	for i := range out {
		out[i] = fmt.Sprintf("#%s%04X", map[string]string{"rgb": "AA", "ryb": "BB"}[p], i)
	}
	return out
}

// seedRows fills the images table with n synthetic rows shaped like a real
// catalogue: 15 kinds, each with a few likely colours per wheel, 90% gallery
// images, uploads mostly unlisted, a few pending, rejected and refused rows.
func seedRows(b *testing.B, s *catalog.Store, n int) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	rgb, ryb := benchWheel("rgb"), benchWheel("ryb")
	pick := func(wheel []string, home int) string {
		// Most images near the kind's home colour, some anywhere.
		switch r := rng.Float64(); {
		case r < 0.6:
			return wheel[home]
		case r < 0.9:
			return wheel[(home+1+rng.IntN(2))%12]
		default:
			return wheel[rng.IntN(12)]
		}
	}
	now := time.Now()
	top, _ := json.Marshal([]veglens.Guess{{Kind: "Tomato", Probability: 0.9}, {Kind: "Bean", Probability: 0.05}, {Kind: "Carrot", Probability: 0.02}})
	rows := make([][]any, 0, n)
	for i := range n {
		ki := rng.IntN(len(benchKinds))
		kind := benchKinds[ki]
		home := ki * 12 / len(benchKinds)
		src, listed := "dataset", false
		if rng.Float64() < 0.1 {
			src, listed = "upload", rng.Float64() < 0.2
		}
		status := "done"
		switch r := rng.Float64(); {
		case r < 0.02:
			status = "pending"
		case r < 0.05:
			status = "rejected"
		}
		var k, fr, fy, rr, ry, c any
		var conf, total any
		refused := false
		if status == "done" {
			k = kind
			fr, fy, rr, ry = pick(rgb, home), pick(ryb, home), pick(rgb, (home+1)%12), pick(ryb, (home+1)%12)
			cf := 0.3 + 0.7*rng.Float64()
			conf, refused = cf, cf < 0.5 && rng.Float64() < 0.3
			total = 8 + 10*rng.Float64()
			c = []byte(`{"foreground":{},"reference":{}}`)
		}
		key := fmt.Sprintf("dataset/%s/%07d.jpg", kind, i)
		if src == "upload" {
			key = "uploads/" + uuid.NewString() + ".jpg"
		}
		rows = append(rows, []any{
			uuid.New(), "images", key, src, listed, status, kind, k, conf, refused, top,
			fr, fy, rr, ry, c, total, "abc123def456", now.Add(-time.Duration(n-i) * time.Second),
		})
	}
	// A synchronous commit lets the VACUUM below mark every page all-visible
	// at once (the test server runs with synchronous_commit off, and pages
	// whose inserting commit is not yet flushed stay not-all-visible): the
	// state autovacuum keeps a table in, where counts are index-only scans.
	tx, err := s.Pool().Begin(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SET LOCAL synchronous_commit TO on"); err != nil {
		b.Fatal(err)
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"images"},
		[]string{"id", "bucket", "object_key", "source", "listed", "status", "true_kind", "kind", "confidence", "refused", "top",
			"fg_rgb", "fg_ryb", "ref_rgb", "ref_ryb", "colours", "total_ms", "model_version", "updated_at"},
		pgx.CopyFromRows(rows))
	if err != nil {
		b.Fatalf("seed: %v", err)
	}
	if err := tx.Commit(ctx); err != nil {
		b.Fatalf("seed: %v", err)
	}
	if _, err := s.Pool().Exec(ctx, "VACUUM ANALYZE images"); err != nil {
		b.Fatalf("vacuum: %v", err)
	}
}

// BenchmarkQuery measures the search path (one round trip: page + total)
// with 100,000 rows in the table, on a real PostgreSQL server. Each
// iteration asks for a random combination; p50_ms and p99_ms are the
// per-search latency percentiles. Target: p99 <= 10 ms.
func BenchmarkQuery(b *testing.B) {
	pg := servicestest.Postgres(b)
	s := openStore(b, pg)
	seedRows(b, s, 100_000)
	ctx := context.Background()

	cases := []struct {
		name          string
		kind, colour  bool
		count         int
		method        veglens.Method
		palette       veglens.PaletteID
		wantSomeTotal bool
	}{
		{"KindColour_count12", true, true, 12, veglens.MethodForeground, veglens.PaletteRGB, true},
		{"KindColour_count100", true, true, 100, veglens.MethodForeground, veglens.PaletteRGB, true},
		{"KindColour_reference_ryb", true, true, 12, veglens.MethodReference, veglens.PaletteRYB, true},
		{"ColourOnly_count12", false, true, 12, veglens.MethodForeground, veglens.PaletteRGB, true},
		{"KindOnly_count12", true, false, 12, veglens.MethodForeground, veglens.PaletteRGB, true},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(3, 4))
			wheel := benchWheel(string(tc.palette))
			lat := make([]float64, 0, b.N)
			found := 0
			b.ResetTimer()
			for b.Loop() {
				q := veglens.Search{Method: tc.method, Palette: tc.palette, Count: tc.count}
				if tc.kind {
					q.Kind = benchKinds[rng.IntN(len(benchKinds))]
				}
				if tc.colour {
					q.Colour = wheel[rng.IntN(12)]
				}
				start := time.Now()
				page, err := s.Search(ctx, q)
				lat = append(lat, float64(time.Since(start).Microseconds())/1000)
				if err != nil {
					b.Fatal(err)
				}
				found += page.Total
			}
			b.StopTimer()
			if tc.wantSomeTotal && found == 0 {
				b.Fatal("no search found anything: the seed does not match the queries")
			}
			slices.Sort(lat)
			b.ReportMetric(percentile(lat, 0.50), "p50_ms")
			b.ReportMetric(percentile(lat, 0.99), "p99_ms")
		})
	}
}

func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
