package query_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/veglens/veglens/infra/services/servicestest"
	"github.com/veglens/veglens/shared/veglens"
)

// BenchmarkSearchHandler measures GET /api/images as the browser sees it
// minus the network: parameter parsing, the search (page + total) on a real
// PostgreSQL holding 100,000 labelled rows with realistic colour records,
// presigning each image's URL and encoding the JSON. Each iteration asks for
// 12 images of a random kind in a random colour of a random wheel; p50_ms
// and p99_ms are per-request latencies. Target: p99 <= 10 ms.
func BenchmarkSearchHandler(b *testing.B) {
	be := servicestest.NewBackend(b, bucket)
	e := newEnv(b, be.Store, be.Objects)
	pool := be.Store.Pool()
	ctx := context.Background()
	meta, err := veglens.ReadModelMeta(filepath.Join(e.root, "models"))
	if err != nil {
		b.Fatal(err)
	}
	kinds := meta.Labels
	hexes := func(p veglens.Palette) []string {
		var out []string
		for _, c := range p.Colours {
			out = append(out, c.Hex)
		}
		return out
	}
	record, err := json.Marshal(wheelColours("red", "red"))
	if err != nil {
		b.Fatal(err)
	}
	// Each kind mostly in three neighbouring colours of each wheel, as
	// vegetables are; 1 in 20 rows is an unlisted upload (not searchable).
	// Committed synchronously so that VACUUM can mark every page all-visible
	// (the test server runs with synchronous_commit off): the steady state
	// autovacuum keeps the table in.
	tx, err := pool.Begin(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SET LOCAL synchronous_commit TO on"); err != nil {
		b.Fatal(err)
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO images (id, bucket, object_key, source, listed, status, true_kind, kind, confidence, refused, score,
			top, fg_rgb, fg_ryb, ref_rgb, ref_ryb, colours, width, height,
			fetch_ms, decode_ms, inference_ms, colour_ms, total_ms, model_version)
		SELECT gen_random_uuid(), 'images', 'dataset/' || k || '/' || i || '.jpg',
			CASE WHEN i % 20 = 0 THEN 'upload' ELSE 'dataset' END, false, 'done', k, k, c, false, c,
			jsonb_build_array(jsonb_build_object('kind', k, 'probability', c)),
			($2::text[])[1 + (ki * 12 / 15 + (random() * 2.99)::int) % 12 ],
			($3::text[])[1 + (ki * 12 / 15 + (random() * 2.99)::int) % 12 ],
			($2::text[])[1 + (ki * 12 / 15 + 1 + (random() * 2.99)::int) % 12 ],
			($3::text[])[1 + (ki * 12 / 15 + 1 + (random() * 2.99)::int) % 12 ],
			$4::jsonb, 224, 224, 1, 1, 9, 2, 13, 'bench'
		FROM generate_series(1, 100000) AS i,
			LATERAL (SELECT i % 15 AS ki, 0.5 + 0.5 * random() AS c) r,
			LATERAL (SELECT ($1::text[])[1 + ki] AS k) n`,
		kinds, hexes(veglens.RGBWheel), hexes(veglens.RYBWheel), record)
	if err != nil {
		b.Fatalf("seed: %v", err)
	}
	if err := tx.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "VACUUM ANALYZE images"); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	wheels := map[veglens.PaletteID]veglens.Palette{veglens.PaletteRGB: veglens.RGBWheel, veglens.PaletteRYB: veglens.RYBWheel}
	lat := make([]float64, 0, b.N)
	found := 0
	b.ResetTimer()
	for b.Loop() {
		p := veglens.PaletteRGB
		if rng.IntN(2) == 1 {
			p = veglens.PaletteRYB
		}
		entries := wheels[p].Colours
		req := events.APIGatewayV2HTTPRequest{RawPath: "/api/images", QueryStringParameters: map[string]string{
			"kind":    kinds[rng.IntN(len(kinds))],
			"colour":  entries[rng.IntN(len(entries))].Name,
			"palette": string(p),
			"count":   strconv.Itoa(12),
		}}
		req.RequestContext.HTTP.Method = "GET"
		start := time.Now()
		resp, err := e.h.Handle(ctx, req)
		lat = append(lat, float64(time.Since(start).Microseconds())/1000)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("%d %s %v", resp.StatusCode, resp.Body, err)
		}
		var out struct{ Total int }
		json.Unmarshal([]byte(resp.Body), &out)
		found += out.Total
	}
	b.StopTimer()
	if found == 0 {
		b.Fatal("no search found anything")
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return lat[min(max(int(p*float64(len(lat))+0.5)-1, 0), len(lat)-1)] }
	b.ReportMetric(pct(0.50), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
}
