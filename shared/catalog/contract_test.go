package catalog_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/veglens/veglens/infra/services/servicestest"
	"github.com/veglens/veglens/shared/catalog"
	"github.com/veglens/veglens/shared/fakes"
	"github.com/veglens/veglens/shared/veglens"
)

var _ veglens.ImageStore = (*catalog.Store)(nil)

// The veglens.ImageStore contract, checked against the real catalog and
// against the in-memory fake the handler tests use: what passes against
// the fake must hold for PostgreSQL too.
func TestImageStoreContract_Catalog(t *testing.T) {
	pg := servicestest.Postgres(t)
	imageStoreContract(t, func(t *testing.T) veglens.ImageStore { return openStore(t, pg) })
}

func TestImageStoreContract_Fake(t *testing.T) {
	imageStoreContract(t, func(*testing.T) veglens.ImageStore { return fakes.NewImageStore() })
}

func imageStoreContract(t *testing.T, open func(t *testing.T) veglens.ImageStore) {
	ctx := context.Background()
	colours := func(rgb, ryb string) *veglens.Colours {
		c, _ := veglens.RGBWheel.Lookup(rgb)
		r, _ := veglens.RYBWheel.Lookup(ryb)
		pr := func(x veglens.Colour) veglens.PaletteResult {
			return veglens.PaletteResult{Dominant: x, Shares: []veglens.ColourShare{{Name: x.Name, Hex: x.Hex, Share: 1}}}
		}
		return &veglens.Colours{Foreground: veglens.MethodColours{RGB: pr(c), RYB: pr(r)}, Reference: veglens.MethodColours{RGB: pr(c), RYB: pr(r)}}
	}
	done := func(key string, src veglens.Source, kind string, conf float64, c *veglens.Colours) veglens.Image {
		return veglens.Image{Bucket: "b", Key: key, Source: src, Status: veglens.StatusDone, TrueKind: map[bool]string{true: kind}[src == veglens.SourceDataset],
			Kind: kind, Confidence: conf, Top: []veglens.Guess{{Kind: kind, Probability: conf}}, Colours: c,
			Timings: &veglens.Timings{TotalMs: 10}, ModelVersion: "m1", ETag: "e"}
	}

	t.Run("PendingThenLabelledKeepsIDAndListing", func(t *testing.T) {
		s := open(t)
		id := uuid.NewString()
		key := veglens.UploadKey(id, "jpg")
		if err := s.CreatePending(ctx, veglens.NewPending{ID: id, Bucket: "b", Key: key, Listed: true}); err != nil {
			t.Fatal(err)
		}
		if err := s.CreatePending(ctx, veglens.NewPending{ID: uuid.NewString(), Bucket: "b", Key: key}); err != nil {
			t.Fatalf("second CreatePending of the key: %v", err)
		}
		for _, spelling := range []string{id, strings.ToUpper(id), strings.ReplaceAll(id, "-", "")} {
			im, err := s.Get(ctx, spelling)
			if err != nil || im.ID != id || im.Status != veglens.StatusPending || !im.Listed || im.Source != veglens.SourceUpload {
				t.Errorf("Get(%s) = %+v, %v", spelling, im, err)
			}
		}
		got, err := s.Upsert(ctx, done(key, veglens.SourceUpload, "Tomato", 0.9, colours("red", "red")))
		if err != nil || got != id {
			t.Fatalf("Upsert = %q, %v; want the pending row's id %s", got, err, id)
		}
		im, err := s.GetByKey(ctx, key)
		if err != nil || im.ID != id || !im.Listed || im.Status != veglens.StatusDone || im.Kind != "Tomato" || len(im.Colours.Foreground.RGB.Shares) != 1 {
			t.Errorf("after labelling: %+v %v", im, err)
		}
	})

	t.Run("UpsertIsIdempotentOnTheKey", func(t *testing.T) {
		s := open(t)
		want := uuid.NewString()
		im := done("dataset/Tomato/a.jpg", veglens.SourceDataset, "Tomato", 0.8, colours("red", "red"))
		im.ID = want
		for i := range 3 {
			id, err := s.Upsert(ctx, im)
			if err != nil || id != want {
				t.Fatalf("upsert %d = %q, %v; want %s", i, id, err, want)
			}
		}
		other := done("dataset/Tomato/b.jpg", veglens.SourceDataset, "Tomato", 0.8, nil)
		other.ID = want // taken by another key: a fresh id instead
		if id, err := s.Upsert(ctx, other); err != nil || id == want || uuid.Validate(id) != nil {
			t.Errorf("upsert with a taken id = %q, %v", id, err)
		}
	})

	t.Run("RefusesWhatItCannotStore", func(t *testing.T) {
		s := open(t)
		pending := done("dataset/x/a.jpg", veglens.SourceDataset, "Tomato", 1, nil)
		pending.Status = veglens.StatusPending
		noSource := done("dataset/x/b.jpg", "", "Tomato", 1, nil)
		for name, im := range map[string]veglens.Image{"pending status": pending, "no source": noSource} {
			if _, err := s.Upsert(ctx, im); err == nil {
				t.Errorf("Upsert with %s accepted", name)
			}
		}
		if err := s.CreatePending(ctx, veglens.NewPending{ID: "abc", Bucket: "b", Key: "uploads/abc.jpg"}); err == nil {
			t.Error("CreatePending with a non-UUID id accepted")
		}
		for _, id := range []string{"abc", uuid.NewString()} {
			if _, err := s.Get(ctx, id); !errors.Is(err, veglens.ErrNotFound) {
				t.Errorf("Get(%s) = %v, want ErrNotFound", id, err)
			}
		}
		if _, err := s.GetByKey(ctx, "uploads/none.jpg"); !errors.Is(err, veglens.ErrNotFound) {
			t.Errorf("GetByKey = %v, want ErrNotFound", err)
		}
		for _, q := range []veglens.Search{
			{Method: veglens.MethodForeground, Palette: veglens.PaletteRGB, Count: 0},
			{Method: veglens.MethodForeground, Palette: veglens.PaletteRGB, Count: veglens.MaxCount + 1},
			{Method: "average", Palette: veglens.PaletteRGB, Count: 1},
			{Method: veglens.MethodForeground, Palette: "cmyk", Count: 1},
		} {
			if _, err := s.Search(ctx, q); err == nil {
				t.Errorf("Search(%+v) accepted", q)
			}
		}
		if _, err := s.ColourCounts(ctx, "", veglens.MethodReference, "cmyk"); err == nil {
			t.Error("ColourCounts on an unknown palette accepted")
		}
	})

	t.Run("SearchShowsOnlyPublicLabelledImagesMostConfidentFirst", func(t *testing.T) {
		s := open(t)
		put := func(im veglens.Image) string {
			id, err := s.Upsert(ctx, im)
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		a := put(done("dataset/Tomato/a.jpg", veglens.SourceDataset, "Tomato", 0.7, colours("red", "red")))
		b := put(done("dataset/Tomato/b.jpg", veglens.SourceDataset, "Tomato", 0.95, colours("red", "red-orange")))
		put(done("dataset/Tomato/c.jpg", veglens.SourceDataset, "Tomato", 0.8, colours("green", "green")))
		refused := done("dataset/Tomato/d.jpg", veglens.SourceDataset, "Tomato", 0.99, colours("red", "red"))
		refused.Refused = true
		put(refused)
		put(done(veglens.UploadKey(uuid.NewString(), "jpg"), veglens.SourceUpload, "Tomato", 0.99, colours("red", "red"))) // not listed
		rejected := veglens.Image{Bucket: "b", Key: "dataset/Tomato/e.jpg", Source: veglens.SourceDataset, Status: veglens.StatusRejected, Reason: "Bad."}
		put(rejected)

		page, err := s.Search(ctx, veglens.Search{Kind: "Tomato", Colour: "#FF0000", Method: veglens.MethodForeground, Palette: veglens.PaletteRGB, Count: 10})
		if err != nil || page.Total != 2 || len(page.Images) != 2 || page.Images[0].ID != b || page.Images[1].ID != a {
			t.Errorf("red tomatoes: %v; total %d, ids %v; want [%s %s]", err, page.Total, ids(page), b, a)
		}
		page, err = s.Search(ctx, veglens.Search{Method: veglens.MethodReference, Palette: veglens.PaletteRYB, Count: 1})
		if err != nil || page.Total != 3 || len(page.Images) != 1 || page.Images[0].ID != b {
			t.Errorf("everything, one per page: %v; total %d, ids %v", err, page.Total, ids(page))
		}
		counts, err := s.ColourCounts(ctx, "Tomato", veglens.MethodForeground, veglens.PaletteRGB)
		if err != nil || fmt.Sprint(counts) != "[{#FF0000 2} {#00FF00 1}]" {
			t.Errorf("colour counts = %v, %v", counts, err)
		}
		kinds, err := s.Kinds(ctx)
		if err != nil || kinds["Tomato"].Count != 3 || kinds["Tomato"].ExampleKey != "dataset/Tomato/b.jpg" || len(kinds) != 1 {
			t.Errorf("kinds = %+v, %v", kinds, err)
		}
		st, err := s.Stats(ctx, 100)
		if err != nil || st.Images != 6 || st.Done != 5 || st.Rejected != 1 || st.Refused != 1 || st.Pending != 0 ||
			st.Kinds["Tomato"] != 4 || st.Speed.Samples != 5 || st.Speed.P50 == nil || *st.Speed.P50 != 10 {
			t.Errorf("stats = %+v, %v", st, err)
		}
	})

	t.Run("NeutralSubjectsAreFoundByTheirCommonNameOnly", func(t *testing.T) {
		s := open(t)
		white, _ := veglens.CommonNames.Lookup("white")
		orange, _ := veglens.CommonNames.Lookup("orange")
		carrot := colours("orange", "orange")
		carrot.Foreground.Common = &veglens.PaletteResult{Dominant: orange, Shares: []veglens.ColourShare{}}
		// A white cauliflower with a faint peach tint: its wheel answers name
		// the tint, but it is neutral.
		cauli := colours("orange", "orange")
		cauli.Foreground.RGB.Neutral, cauli.Foreground.RYB.Neutral = true, true
		cauli.Foreground.Common = &veglens.PaletteResult{Dominant: white, Neutral: true, Shares: []veglens.ColourShare{}}
		c, err := s.Upsert(ctx, done("dataset/Carrot/a.jpg", veglens.SourceDataset, "Carrot", 0.9, carrot))
		if err != nil {
			t.Fatal(err)
		}
		w, err := s.Upsert(ctx, done("dataset/Cauliflower/a.jpg", veglens.SourceDataset, "Cauliflower", 0.9, cauli))
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			palette veglens.PaletteID
			hex     string
			want    []string
		}{
			{veglens.PaletteRGB, "#FF8000", []string{c}},
			{veglens.PaletteRYB, "#FB9902", []string{c}},
			{veglens.PaletteCommon, white.Hex, []string{w}},
			{veglens.PaletteCommon, orange.Hex, []string{c}},
		} {
			page, err := s.Search(ctx, veglens.Search{Colour: tc.hex, Method: veglens.MethodForeground, Palette: tc.palette, Count: 10})
			if err != nil || fmt.Sprint(ids(page)) != fmt.Sprint(tc.want) || page.Total != len(tc.want) {
				t.Errorf("%s %s: %v, total %d, ids %v; want %v", tc.palette, tc.hex, err, page.Total, ids(page), tc.want)
			}
		}
		counts, err := s.ColourCounts(ctx, "", veglens.MethodForeground, veglens.PaletteCommon)
		if err != nil || len(counts) != 2 {
			t.Errorf("common-name counts = %v, %v; want white and orange", counts, err)
		}
		if _, err := s.Search(ctx, veglens.Search{Colour: white.Hex, Method: veglens.MethodReference, Palette: veglens.PaletteCommon, Count: 10}); err == nil {
			t.Error("the reference method has no common names: want an error")
		}
	})

	t.Run("UploadsThatNeverArriveStopBeingPending", func(t *testing.T) {
		s := open(t)
		now := time.Now()
		waiting, gone := uuid.NewString(), uuid.NewString()
		for _, p := range []veglens.NewPending{
			{ID: waiting, Bucket: "b", Key: veglens.UploadKey(waiting, "jpg"), ExpiresAt: now.Add(time.Minute)},
			{ID: gone, Bucket: "b", Key: veglens.UploadKey(gone, "jpg"), ExpiresAt: now.Add(-veglens.UploadGrace - time.Minute)},
		} {
			if err := s.CreatePending(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			id      string
			expired bool
		}{{waiting, false}, {gone, true}} {
			im, err := s.Get(ctx, tc.id)
			if err != nil {
				t.Fatal(err)
			}
			if im.ExpiresAt.IsZero() || im.Expired(now) != tc.expired {
				t.Errorf("%s: expires %v, expired %v; want %v", tc.id, im.ExpiresAt, im.Expired(now), tc.expired)
			}
		}
		st, err := s.Stats(ctx, 10)
		if err != nil || st.Pending != 1 || st.Rejected != 1 {
			t.Errorf("stats: %d pending, %d rejected (%v); want the expired upload counted as rejected", st.Pending, st.Rejected, err)
		}
	})

	t.Run("TotalsStopCountingAtTheCap", func(t *testing.T) {
		s := open(t)
		for i := range veglens.TotalCap + 5 {
			key := fmt.Sprintf("dataset/Carrot/%05d.jpg", i)
			if _, err := s.Upsert(ctx, done(key, veglens.SourceDataset, "Carrot", 0.9, colours("orange", "orange"))); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 3 {
			if _, err := s.Upsert(ctx, done(fmt.Sprintf("dataset/Bean/%d.jpg", i), veglens.SourceDataset, "Bean", 0.9, colours("green", "green"))); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			kind   string
			total  int
			capped bool
		}{{"Carrot", veglens.TotalCap, true}, {"Bean", 3, false}, {"", veglens.TotalCap, true}} {
			page, err := s.Search(ctx, veglens.Search{Kind: tc.kind, Method: veglens.MethodForeground, Palette: veglens.PaletteRGB, Count: 12})
			if err != nil || page.Total != tc.total || page.TotalCapped != tc.capped {
				t.Errorf("search %q: total %d capped %v (%v); want %d, %v", tc.kind, page.Total, page.TotalCapped, err, tc.total, tc.capped)
			}
		}
	})

	t.Run("PagesFollowEachOtherByCursor", func(t *testing.T) {
		s := open(t)
		// 25 tomatoes; confidences repeat (ties are broken by id).
		for i := range 25 {
			key := fmt.Sprintf("dataset/Tomato/%02d.jpg", i)
			if _, err := s.Upsert(ctx, done(key, veglens.SourceDataset, "Tomato", 0.5+float64(i%7)/20, colours("red", "red"))); err != nil {
				t.Fatal(err)
			}
		}
		all, err := s.Search(ctx, veglens.Search{Kind: "Tomato", Method: veglens.MethodForeground, Palette: veglens.PaletteRGB, Count: 25})
		if err != nil || len(all.Images) != 25 || all.Next != nil || all.Total != 25 || all.TotalCapped {
			t.Fatalf("one page of all: %d images, next %v, total %d capped %v, %v", len(all.Images), all.Next, all.Total, all.TotalCapped, err)
		}
		var got []string
		q := veglens.Search{Kind: "Tomato", Method: veglens.MethodForeground, Palette: veglens.PaletteRGB, Count: 10}
		for pages := 0; ; pages++ {
			if pages > 3 {
				t.Fatal("more pages than 25 images make")
			}
			page, err := s.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if page.Total != 25 {
				t.Errorf("page %d: total %d, want 25 on every page", pages, page.Total)
			}
			for _, im := range page.Images {
				got = append(got, im.ID)
			}
			if page.Next == nil {
				break
			}
			// The cursor survives its text form, as the API hands it out.
			c, err := veglens.ParseCursor(page.Next.String())
			if err != nil {
				t.Fatal(err)
			}
			q.After = &c
		}
		var want []string
		for _, im := range all.Images {
			want = append(want, im.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("pages in turn gave %d images %v,\nwant the one-page order %v", len(got), got, want)
		}
		for i := 1; i < len(all.Images); i++ {
			a, b := all.Images[i-1], all.Images[i]
			if a.Confidence < b.Confidence || (a.Confidence == b.Confidence && a.ID < b.ID) {
				t.Errorf("images %d and %d out of order: %.3f %s then %.3f %s", i-1, i, a.Confidence, a.ID, b.Confidence, b.ID)
			}
		}
	})

	t.Run("SweepSettlesExpiredUploadsAndRemovesRows", func(t *testing.T) {
		s := open(t)
		now := time.Now()
		waiting, gone, labelled := uuid.NewString(), uuid.NewString(), uuid.NewString()
		for _, p := range []veglens.NewPending{
			{ID: waiting, Bucket: "b", Key: veglens.UploadKey(waiting, "jpg"), ExpiresAt: now.Add(time.Minute)},
			{ID: gone, Bucket: "b", Key: veglens.UploadKey(gone, "jpg"), ExpiresAt: now.Add(-veglens.UploadGrace - time.Minute)},
			{ID: labelled, Bucket: "b", Key: veglens.UploadKey(labelled, "jpg"), ExpiresAt: now.Add(-veglens.UploadGrace - 2*time.Minute)},
		} {
			if err := s.CreatePending(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		expired, err := s.ExpiredPending(ctx, now, 10)
		if err != nil || len(expired) != 2 || expired[0].ID != labelled || expired[1].ID != gone {
			t.Fatalf("ExpiredPending = %d images (%v); want the two expired ones, longest expired first", len(expired), err)
		}
		if one, err := s.ExpiredPending(ctx, now, 1); err != nil || len(one) != 1 {
			t.Errorf("ExpiredPending with limit 1 = %d images, %v", len(one), err)
		}
		// The photo arrives and is labelled before the sweep writes.
		if _, err := s.Upsert(ctx, done(veglens.UploadKey(labelled, "jpg"), veglens.SourceUpload, "Carrot", 0.9, colours("orange", "orange"))); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			id      string
			changed bool
			status  veglens.Status
		}{{gone, true, veglens.StatusRejected}, {labelled, false, veglens.StatusDone}, {waiting, true, veglens.StatusRejected}} {
			changed, err := s.MarkNeverArrived(ctx, veglens.UploadKey(tc.id, "jpg"))
			im, _ := s.Get(ctx, tc.id)
			if err != nil || changed != tc.changed || im.Status != tc.status {
				t.Errorf("MarkNeverArrived(%s) = %v, %v, status %s; want %v, %s", tc.id, changed, err, im.Status, tc.changed, tc.status)
			}
			if tc.status == veglens.StatusRejected && im.Reason != veglens.NeverArrived {
				t.Errorf("%s: reason %q, want %q", tc.id, im.Reason, veglens.NeverArrived)
			}
		}
		if changed, err := s.MarkNeverArrived(ctx, "uploads/none.jpg"); err != nil || changed {
			t.Errorf("MarkNeverArrived of no row = %v, %v; want false", changed, err)
		}
		if removed, err := s.Delete(ctx, veglens.UploadKey(gone, "jpg")); err != nil || !removed {
			t.Errorf("Delete = %v, %v; want true", removed, err)
		}
		if removed, err := s.Delete(ctx, veglens.UploadKey(gone, "jpg")); err != nil || removed {
			t.Errorf("Delete again = %v, %v; want false", removed, err)
		}
		if _, err := s.Get(ctx, gone); !errors.Is(err, veglens.ErrNotFound) {
			t.Errorf("Get after Delete = %v, want ErrNotFound", err)
		}
		if _, err := s.Upsert(ctx, done("dataset/Carrot/kept.jpg", veglens.SourceDataset, "Carrot", 0.9, colours("orange", "orange"))); err != nil {
			t.Fatal(err)
		}
		if n, err := s.DeleteUploadsBefore(ctx, now.Add(-time.Hour)); err != nil || n != 0 {
			t.Errorf("DeleteUploadsBefore an hour ago = %d, %v; want 0", n, err)
		}
		if n, err := s.DeleteUploadsBefore(ctx, time.Now().Add(time.Minute)); err != nil || n != 2 {
			t.Errorf("DeleteUploadsBefore now = %d, %v; want the 2 uploads left", n, err)
		}
		if _, err := s.GetByKey(ctx, "dataset/Carrot/kept.jpg"); err != nil {
			t.Errorf("a dataset image went with the uploads: %v", err)
		}
	})

	t.Run("UserLabelsSitBesideThePrediction", func(t *testing.T) {
		s := open(t)
		id, err := s.Upsert(ctx, done("dataset/Carrot/1.jpg", veglens.SourceDataset, "Carrot", 0.9, nil))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok, err := s.UserLabel(ctx, id); ok || err != nil {
			t.Fatalf("a new image has a user label (%v)", err)
		}
		first, err := s.SaveUserLabel(ctx, id, "Radish")
		if err != nil || first.Kind != "Radish" || first.ImageID != id {
			t.Fatalf("SaveUserLabel = %+v, %v", first, err)
		}
		time.Sleep(10 * time.Millisecond)
		again, err := s.SaveUserLabel(ctx, id, "Radish")
		if err != nil || !again.UpdatedAt.Equal(first.UpdatedAt) {
			t.Errorf("the same label again: %+v, %v; want nothing changed", again, err)
		}
		none, err := s.SaveUserLabel(ctx, id, "")
		if err != nil || none.Kind != "" || !none.UpdatedAt.After(first.UpdatedAt) || !none.CreatedAt.Equal(first.CreatedAt) {
			t.Errorf("a new label: %+v, %v; want it replaced, created when first given", none, err)
		}
		if im, err := s.Get(ctx, id); err != nil || im.Kind != "Carrot" {
			t.Errorf("the prediction is now %q (%v), want Carrot", im.Kind, err)
		}
		st, err := s.Stats(ctx, 10)
		if err != nil || st.Agreement.Labels != 1 || st.Agreement.Agree != 0 {
			t.Errorf("agreement = %+v, %v; want 1 label, not agreeing", st.Agreement, err)
		}
		pending := uuid.NewString()
		if err := s.CreatePending(ctx, veglens.NewPending{ID: pending, Bucket: "b", Key: veglens.UploadKey(pending, "jpg")}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveUserLabel(ctx, pending, "Carrot"); !errors.Is(err, veglens.ErrNotLabelled) {
			t.Errorf("labelling a pending image: %v, want ErrNotLabelled", err)
		}
		if _, err := s.SaveUserLabel(ctx, uuid.NewString(), "Carrot"); !errors.Is(err, veglens.ErrNotFound) {
			t.Errorf("labelling a missing image: %v, want ErrNotFound", err)
		}
		// A new picture under the same key (an upload link used again)
		// drops the label of the old picture; labelling it again (same
		// picture, a new model) keeps it.
		if _, err := s.SaveUserLabel(ctx, id, "Radish"); err != nil {
			t.Fatal(err)
		}
		same := done("dataset/Carrot/1.jpg", veglens.SourceDataset, "Carrot", 0.95, nil)
		same.ModelVersion = "m2"
		if _, err := s.Upsert(ctx, same); err != nil {
			t.Fatal(err)
		}
		if l, ok, _ := s.UserLabel(ctx, id); !ok || l.Kind != "Radish" {
			t.Errorf("relabelling the same picture lost its label: %+v %v", l, ok)
		}
		other := done("dataset/Carrot/1.jpg", veglens.SourceDataset, "Tomato", 0.9, nil)
		other.ETag = "another picture"
		if _, err := s.Upsert(ctx, other); err != nil {
			t.Fatal(err)
		}
		if l, ok, _ := s.UserLabel(ctx, id); ok {
			t.Errorf("a new picture under the key kept the old picture's label %+v", l)
		}
		if _, err := s.SaveUserLabel(ctx, id, "Tomato"); err != nil {
			t.Fatal(err)
		}
		// The label goes with its image.
		if _, err := s.Delete(ctx, "dataset/Carrot/1.jpg"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.UserLabel(ctx, id); ok {
			t.Error("the label outlived its image")
		}
	})

	t.Run("TokenBucketsLimitEachClient", func(t *testing.T) {
		s := open(t)
		limit := veglens.RateLimit{Burst: 3, Every: time.Hour}
		for i := range 3 {
			if ok, _, err := s.TakeToken(ctx, "a", limit); !ok || err != nil {
				t.Fatalf("token %d of a full bucket: %v %v", i+1, ok, err)
			}
		}
		ok, wait, err := s.TakeToken(ctx, "a", limit)
		if ok || err != nil || wait < 59*time.Minute || wait > time.Hour {
			t.Errorf("an empty bucket: ok=%v wait=%v %v; want refused, about an hour to wait", ok, wait, err)
		}
		if ok, _, _ := s.TakeToken(ctx, "b", limit); !ok {
			t.Error("another client's bucket is empty too")
		}
		fast := veglens.RateLimit{Burst: 1, Every: 50 * time.Millisecond}
		s.TakeToken(ctx, "c", fast)
		if ok, _, _ := s.TakeToken(ctx, "c", fast); ok {
			t.Error("a burst of 1 gave two tokens at once")
		}
		time.Sleep(80 * time.Millisecond)
		if ok, _, _ := s.TakeToken(ctx, "c", fast); !ok {
			t.Error("the bucket did not refill")
		}
		n, err := s.ForgetTokensBefore(ctx, time.Now().Add(time.Minute))
		if err != nil || n != 3 {
			t.Errorf("ForgetTokensBefore = %d, %v; want the 3 buckets", n, err)
		}
	})

	t.Run("SimilarFindsTheNearestPublicPhotosByKey", func(t *testing.T) {
		s := open(t)
		put := func(im veglens.Image, key ...float32) string {
			t.Helper()
			im.SimilarityKey = key
			id, err := s.Upsert(ctx, im)
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		c := colours("green", "green")
		// The photo asked about is a private upload: it is only the point
		// searched from.
		private := done(veglens.UploadKey(uuid.NewString(), "jpg"), veglens.SourceUpload, "Cabbage", 0.9, c)
		from := put(private, 1, 0, 0)
		near := put(done("dataset/Cabbage/near.jpg", veglens.SourceDataset, "Cabbage", 0.9, c), 0.8, 0.6, 0)
		far := put(done("dataset/Broccoli/far.jpg", veglens.SourceDataset, "Broccoli", 0.99, c), 0, 0, 1)
		refused := done("dataset/Cabbage/refused.jpg", veglens.SourceDataset, "Cabbage", 0.9, c)
		refused.Refused = true
		put(refused, 1, 0, 0)
		put(done(veglens.UploadKey(uuid.NewString(), "jpg"), veglens.SourceUpload, "Cabbage", 0.9, c), 1, 0, 0) // not listed
		noKey := put(done("dataset/Cabbage/old.jpg", veglens.SourceDataset, "Cabbage", 0.9, c))

		got, err := s.Similar(ctx, from, 10)
		if err != nil {
			t.Fatal(err)
		}
		var gotIDs []string
		for _, n := range got {
			gotIDs = append(gotIDs, n.Image.ID)
			if n.Image.SimilarityKey != nil {
				t.Errorf("%s: reads carry no key, got %v", n.Image.Key, n.Image.SimilarityKey)
			}
		}
		if fmt.Sprint(gotIDs) != fmt.Sprint([]string{near, far}) {
			t.Fatalf("Similar = %v; want the public keyed photos nearest first [%s %s]", gotIDs, near, far)
		}
		for i, want := range []float64{0.8, 0} {
			if d := got[i].Similarity - want; d > 1e-6 || d < -1e-6 {
				t.Errorf("similarity of %s = %.6f, want %.1f (cosine of the keys)", gotIDs[i], got[i].Similarity, want)
			}
		}
		if got, err := s.Similar(ctx, from, 1); err != nil || len(got) != 1 || got[0].Image.ID != near {
			t.Errorf("Similar(count 1) = %v, %v; want only %s", got, err, near)
		}
		for _, tc := range []struct {
			id   string
			want error
		}{
			{noKey, veglens.ErrNotComparable},
			{uuid.NewString(), veglens.ErrNotFound},
			{"not-a-uuid", veglens.ErrNotFound},
		} {
			if _, err := s.Similar(ctx, tc.id, 10); !errors.Is(err, tc.want) {
				t.Errorf("Similar(%s) = %v; want %v", tc.id, err, tc.want)
			}
		}
		// Labelled again by a model without a key: the photo drops out.
		put(done("dataset/Cabbage/near.jpg", veglens.SourceDataset, "Cabbage", 0.9, c))
		if got, err := s.Similar(ctx, from, 10); err != nil || len(got) != 1 || got[0].Image.ID != far {
			t.Errorf("after relabelling without a key: %v, %v; want only %s", got, err, far)
		}
	})
}

func ids(p veglens.Page) []string {
	var out []string
	for _, im := range p.Images {
		out = append(out, im.ID)
	}
	return out
}
