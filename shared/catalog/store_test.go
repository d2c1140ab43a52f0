package catalog_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/veglens/veglens/infra/services"
	"github.com/veglens/veglens/infra/services/servicestest"
	"github.com/veglens/veglens/shared/catalog"
	"github.com/veglens/veglens/shared/veglens"
)

var dbSeq atomic.Int64

// freshDatabase creates an empty database on pg and returns its URL.
func freshDatabase(t testing.TB, pg *services.Postgres) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("catalog_%d_%d", time.Now().UnixNano()%1e6, dbSeq.Add(1))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// openStore migrates a fresh database and opens a store on it.
func openStore(t testing.TB, pg *services.Postgres) *catalog.Store {
	t.Helper()
	ctx := context.Background()
	dbURL := freshDatabase(t, pg)
	if err := catalog.Migrate(ctx, dbURL, nil); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	s, err := catalog.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func colours(fgRGB, fgRYB, refRGB, refRYB string) *veglens.Colours {
	pr := func(hex string) veglens.PaletteResult {
		return veglens.PaletteResult{Dominant: veglens.Colour{Name: "c" + hex, Hex: hex},
			Shares: []veglens.ColourShare{{Name: "c" + hex, Hex: hex, Share: 1}}}
	}
	return &veglens.Colours{
		Foreground: veglens.MethodColours{RGB: pr(fgRGB), RYB: pr(fgRYB)},
		Reference:  veglens.MethodColours{RGB: pr(refRGB), RYB: pr(refRYB)},
	}
}

func done(key string, src veglens.Source, kind string, conf float64, c *veglens.Colours) veglens.Image {
	return veglens.Image{
		Bucket: "images", Key: key, Source: src, Status: veglens.StatusDone, ETag: "e-" + key,
		Kind: kind, Confidence: conf, Score: conf,
		Top:     []veglens.Guess{{Kind: kind, Probability: conf}, {Kind: "Bean", Probability: (1 - conf) / 2}},
		Colours: c, Width: 640, Height: 480, ModelVersion: "abc123def456", SimilarityKey: []float32{0.6, 0.8},
		Timings: &veglens.Timings{FetchMs: 1, DecodeMs: 2, InferenceMs: 3, ColourMs: 4, TotalMs: 10},
	}
}

func count(t *testing.T, s *catalog.Store, key string) int {
	t.Helper()
	var n int
	if err := s.Pool().QueryRow(context.Background(), `SELECT count(*) FROM images WHERE object_key = $1`, key).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestStore runs every store test against one real PostgreSQL server, each
// on its own fresh, migrated database.
func TestStore(t *testing.T) {
	pg := servicestest.Postgres(t)
	ctx := context.Background()

	t.Run("MigrateTwiceAndConcurrently", func(t *testing.T) {
		dbURL := freshDatabase(t, pg)
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() { errs[i] = catalog.Migrate(ctx, dbURL, nil) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("concurrent migrate %d: %v", i, err)
			}
		}
		if err := catalog.Migrate(ctx, dbURL, nil); err != nil {
			t.Fatalf("migrate again: %v", err)
		}
	})

	t.Run("PendingThenLabelledKeepsIDAndListing", func(t *testing.T) {
		s := openStore(t, pg)
		id := uuid.NewString()
		key := "uploads/" + id + ".jpg"
		if err := s.CreatePending(ctx, veglens.NewPending{ID: id, Bucket: "images", Key: key, Listed: true}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != veglens.StatusPending || !got.Listed || got.Source != veglens.SourceUpload || got.Colours != nil || got.Timings != nil {
			t.Fatalf("pending row = %+v", got)
		}
		im := done(key, veglens.SourceUpload, "Tomato", 0.9, colours("#FF0000", "#FE2712", "#FF8000", "#FC600A"))
		im.ID = uuid.NewString() // a different id must not replace the pending row's
		gotID, err := s.Upsert(ctx, im)
		if err != nil {
			t.Fatal(err)
		}
		if gotID != id {
			t.Errorf("upsert returned id %s, want the pending row's %s", gotID, id)
		}
		got, err = s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != veglens.StatusDone || got.Kind != "Tomato" || !got.Listed || got.Colours == nil ||
			got.Colours.Foreground.RGB.Dominant.Hex != "#FF0000" || got.Timings == nil || got.Timings.TotalMs != 10 || len(got.Top) != 2 {
			t.Errorf("labelled row = %+v", got)
		}
		if !got.Labelled("e-"+key, "abc123def456") || got.Labelled("other-etag", "abc123def456") || got.Labelled("e-"+key, "newmodel") {
			t.Error("Labelled does not tell the same object and model from others")
		}
		// Labelled before similarity keys existed: not final, so the next
		// event labels it again.
		im.SimilarityKey = nil
		if _, err := s.Upsert(ctx, im); err != nil {
			t.Fatal(err)
		}
		if got, err = s.Get(ctx, id); err != nil || got.HasSimilarityKey || got.Labelled("e-"+key, "abc123def456") {
			t.Errorf("a done row without a similarity key: has key %v, labelled %v (%v); want neither", got.HasSimilarityKey, got.Labelled("e-"+key, "abc123def456"), err)
		}
	})

	t.Run("DuplicateDeliveriesLeaveOneRow", func(t *testing.T) {
		s := openStore(t, pg)
		im := done("dataset/Tomato/0001.jpg", veglens.SourceDataset, "Tomato", 0.8, colours("#FF0000", "#FE2712", "#FF0000", "#FE2712"))
		im.TrueKind = "Tomato"
		id1, err := s.Upsert(ctx, im)
		if err != nil {
			t.Fatal(err)
		}
		im.Confidence = 0.85
		id2, err := s.Upsert(ctx, im)
		if err != nil {
			t.Fatal(err)
		}
		if id1 != id2 {
			t.Errorf("second delivery changed the id: %s -> %s", id1, id2)
		}
		if n := count(t, s, im.Key); n != 1 {
			t.Errorf("%d rows for one object", n)
		}
		got, _ := s.Get(ctx, id1)
		if got.Confidence < 0.849 || got.Confidence > 0.851 {
			t.Errorf("confidence = %v, want the latest write (0.85)", got.Confidence)
		}
	})

	t.Run("ConcurrentDuplicatesLeaveOneRow", func(t *testing.T) {
		s := openStore(t, pg)
		uploadID := uuid.NewString()
		for _, tc := range []struct {
			name string
			im   veglens.Image
		}{
			{"upload without pending row", func() veglens.Image {
				im := done("uploads/"+uploadID+".png", veglens.SourceUpload, "Carrot", 0.7, colours("#FF8000", "#FB9902", "#FF8000", "#FB9902"))
				im.ID = uploadID
				return im
			}()},
			{"dataset", done("dataset/Carrot/0042.jpg", veglens.SourceDataset, "Carrot", 0.7, colours("#FF8000", "#FB9902", "#FF8000", "#FB9902"))},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var wg sync.WaitGroup
				ids := make([]string, 8)
				errs := make([]error, 8)
				for i := range ids {
					wg.Go(func() { ids[i], errs[i] = s.Upsert(ctx, tc.im) })
				}
				wg.Wait()
				for i := range ids {
					if errs[i] != nil {
						t.Fatalf("delivery %d: %v", i, errs[i])
					}
					if ids[i] != ids[0] {
						t.Errorf("deliveries returned different ids: %s, %s", ids[0], ids[i])
					}
				}
				if n := count(t, s, tc.im.Key); n != 1 {
					t.Errorf("%d rows for one object", n)
				}
				if tc.im.ID != "" && ids[0] != tc.im.ID {
					t.Errorf("upload row id = %s, want the id in its key %s", ids[0], tc.im.ID)
				}
			})
		}
	})

	t.Run("RejectedRowKeepsReason", func(t *testing.T) {
		s := openStore(t, pg)
		im := veglens.Image{Bucket: "images", Key: "uploads/" + uuid.NewString() + ".jpg", Source: veglens.SourceUpload,
			Status: veglens.StatusRejected, Reason: "This file is not an image.", ModelVersion: "v"}
		id, err := s.Upsert(ctx, im)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != veglens.StatusRejected || got.Reason != im.Reason || got.Kind != "" || got.Colours != nil {
			t.Errorf("rejected row = %+v", got)
		}
	})

	t.Run("UpsertRefusesIncompleteRecords", func(t *testing.T) {
		s := openStore(t, pg)
		for _, im := range []veglens.Image{
			{Key: "uploads/x.jpg", Source: veglens.SourceUpload, Status: veglens.StatusPending},
			{Key: "uploads/x.jpg", Source: "elsewhere", Status: veglens.StatusDone},
		} {
			if _, err := s.Upsert(ctx, im); err == nil {
				t.Errorf("Upsert(%+v) succeeded", im)
			}
		}
	})

	t.Run("GetUnknownOrMalformedID", func(t *testing.T) {
		s := openStore(t, pg)
		for _, id := range []string{uuid.NewString(), "not-a-uuid", "", "'; DROP TABLE images; --"} {
			if _, err := s.Get(ctx, id); !errors.Is(err, veglens.ErrNotFound) {
				t.Errorf("Get(%q) = %v, want ErrNotFound", id, err)
			}
		}
	})

	t.Run("Search", func(t *testing.T) {
		s := openStore(t, pg)
		red := colours("#FF0000", "#FE2712", "#FF8000", "#FC600A")
		green := colours("#00FF00", "#66B032", "#80FF00", "#B2D732")
		rows := []veglens.Image{
			done("dataset/Tomato/1.jpg", veglens.SourceDataset, "Tomato", 0.95, red),
			done("dataset/Tomato/2.jpg", veglens.SourceDataset, "Tomato", 0.75, red),
			done("dataset/Tomato/3.jpg", veglens.SourceDataset, "Tomato", 0.85, green),
			done("dataset/Capsicum/1.jpg", veglens.SourceDataset, "Capsicum", 0.9, green),
		}
		listed := done("uploads/"+uuid.NewString()+".jpg", veglens.SourceUpload, "Tomato", 0.99, red)
		private := done("uploads/"+uuid.NewString()+".jpg", veglens.SourceUpload, "Tomato", 0.98, red)
		refused := done("dataset/Tomato/4.jpg", veglens.SourceDataset, "Tomato", 0.3, red)
		refused.Refused = true
		for _, im := range append(rows, private, refused) {
			if _, err := s.Upsert(ctx, im); err != nil {
				t.Fatal(err)
			}
		}
		listedID := uuid.NewString()
		if err := s.CreatePending(ctx, veglens.NewPending{ID: listedID, Bucket: "images", Key: listed.Key, Listed: true}); err != nil {
			t.Fatal(err)
		}
		pendingListed := veglens.NewPending{ID: uuid.NewString(), Bucket: "images", Key: "uploads/" + uuid.NewString() + ".jpg", Listed: true}
		if err := s.CreatePending(ctx, pendingListed); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Upsert(ctx, listed); err != nil {
			t.Fatal(err)
		}

		tests := []struct {
			name      string
			q         veglens.Search
			wantTotal int
			wantKeys  []string
		}{
			{"red tomatoes, listed upload first", veglens.Search{Kind: "Tomato", Colour: "#FF0000", Method: veglens.MethodForeground, Palette: veglens.PaletteRGB, Count: 10},
				3, []string{listed.Key, "dataset/Tomato/1.jpg", "dataset/Tomato/2.jpg"}},
			{"count limits the page, not the total", veglens.Search{Kind: "Tomato", Colour: "#FF0000", Method: veglens.MethodForeground, Palette: veglens.PaletteRGB, Count: 1},
				3, []string{listed.Key}},
			{"RYB column", veglens.Search{Kind: "Tomato", Colour: "#66B032", Method: veglens.MethodForeground, Palette: veglens.PaletteRYB, Count: 10},
				1, []string{"dataset/Tomato/3.jpg"}},
			{"reference method", veglens.Search{Colour: "#80FF00", Method: veglens.MethodReference, Palette: veglens.PaletteRGB, Count: 10},
				2, []string{"dataset/Capsicum/1.jpg", "dataset/Tomato/3.jpg"}},
			{"kind only", veglens.Search{Kind: "Capsicum", Method: veglens.MethodForeground, Palette: veglens.PaletteRGB, Count: 10},
				1, []string{"dataset/Capsicum/1.jpg"}},
			{"none", veglens.Search{Kind: "Capsicum", Colour: "#FF0000", Method: veglens.MethodForeground, Palette: veglens.PaletteRGB, Count: 10},
				0, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				page, err := s.Search(ctx, tc.q)
				if err != nil {
					t.Fatal(err)
				}
				var keys []string
				for _, im := range page.Images {
					keys = append(keys, im.Key)
				}
				if page.Total != tc.wantTotal || fmt.Sprint(keys) != fmt.Sprint(tc.wantKeys) {
					t.Errorf("got total %d %v, want %d %v", page.Total, keys, tc.wantTotal, tc.wantKeys)
				}
			})
		}
		for _, bad := range []veglens.Search{
			{Method: veglens.MethodForeground, Palette: veglens.PaletteRGB, Count: 0},
			{Method: veglens.MethodForeground, Palette: veglens.PaletteRGB, Count: 101},
			{Method: "sideways", Palette: veglens.PaletteRGB, Count: 1},
		} {
			if _, err := s.Search(ctx, bad); err == nil {
				t.Errorf("Search(%+v) succeeded", bad)
			}
		}

		counts, err := s.ColourCounts(ctx, "Tomato", veglens.MethodForeground, veglens.PaletteRGB)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(counts) != "[{#FF0000 3} {#00FF00 1}]" {
			t.Errorf("tomato colour counts = %v", counts)
		}

		kinds, err := s.Kinds(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if kinds["Tomato"].Count != 4 || kinds["Capsicum"].Count != 1 {
			t.Errorf("kinds = %+v", kinds)
		}

		st, err := s.Stats(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		if st.Images != 8 || st.Done != 7 || st.Pending != 1 || st.Rejected != 0 || st.Refused != 1 {
			t.Errorf("stats counts = %+v", st)
		}
		if st.Kinds["Tomato"] != 5 || st.Speed.Samples != 7 || st.Speed.P50 == nil || *st.Speed.P50 != 10 {
			t.Errorf("stats kinds/speed = %v %+v", st.Kinds, st.Speed)
		}
		if len(st.Series) != 1 || st.Series[0].Images != 7 {
			t.Errorf("stats series = %+v", st.Series)
		}
	})

	t.Run("DatabaseDownIsUnavailable", func(t *testing.T) {
		s := openStore(t, pg)
		if err := pg.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := pg.Restart(ctx); err != nil {
				t.Fatalf("restart: %v", err)
			}
		}()
		_, err := s.Upsert(ctx, done("dataset/Bean/1.jpg", veglens.SourceDataset, "Bean", 0.9, colours("#00FF00", "#66B032", "#00FF00", "#66B032")))
		if !errors.Is(err, veglens.ErrUnavailable) {
			t.Errorf("upsert with the database down: %v, want ErrUnavailable", err)
		}
		if _, err := s.Get(ctx, uuid.NewString()); !errors.Is(err, veglens.ErrUnavailable) {
			t.Errorf("get with the database down: %v, want ErrUnavailable", err)
		}
	})
}
