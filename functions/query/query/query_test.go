package query_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/veglens/veglens/functions/query/query"
	"github.com/veglens/veglens/infra/services/servicestest"
	"github.com/veglens/veglens/shared/fakes"
	"github.com/veglens/veglens/shared/sourcetree"
	"github.com/veglens/veglens/shared/veglens"
)

const bucket = "images"

type env struct {
	h     *query.Handler
	store veglens.ImageStore
	objs  veglens.ObjectStore
	root  string
	// stopDatabase makes the database unreachable and returns a function
	// that brings it back.
	stopDatabase func(t *testing.T) (restart func())
	// realStorage: image URLs can be fetched over HTTP.
	realStorage bool
}

func newEnv(t testing.TB, store veglens.ImageStore, objs veglens.ObjectStore) env {
	t.Helper()
	root, err := sourcetree.Root()
	if err != nil {
		t.Fatal(err)
	}
	model, err := veglens.ReadModel(filepath.Join(root, "models"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := query.New(query.Deps{Images: store, Objects: objs, Model: model})
	if err != nil {
		t.Fatal(err)
	}
	return env{h: h, store: store, objs: objs, root: root}
}

// TestQuery runs the handler against a real PostgreSQL and MinIO.
func TestQuery(t *testing.T) {
	be := servicestest.NewBackend(t, bucket)
	e := newEnv(t, be.Store, be.Objects)
	e.realStorage = true
	e.stopDatabase = func(t *testing.T) func() {
		if err := be.Postgres.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		return func() { be.Postgres.Restart(context.Background()) }
	}
	testQuery(t, e)
}

// TestQueryWithFakes runs the same tests against the in-memory fakes.
func TestQueryWithFakes(t *testing.T) {
	store := fakes.NewImageStore()
	e := newEnv(t, store, fakes.NewObjectStore(bucket))
	e.stopDatabase = func(t *testing.T) func() {
		store.Down(errors.New("dial tcp 127.0.0.1:5432: connection refused"))
		return func() { store.Down(nil) }
	}
	testQuery(t, e)
}

// The swatch counts are reused for a minute: a second ask does not group
// the table again (here: it still answers while the database is away).
func TestColourCountsAreReusedForAMinute_Fakes(t *testing.T) {
	store := fakes.NewImageStore()
	e := newEnv(t, store, fakes.NewObjectStore(bucket))
	seed(t, e)
	_, first := get(t, e.h, "/api/colours?kind=tomato")
	store.Down(errors.New("connection refused"))
	defer store.Down(nil)
	status, again := get(t, e.h, "/api/colours?kind=TOMATO")
	if status != 200 || fmt.Sprint(again) != fmt.Sprint(first) {
		t.Errorf("within a minute: %d %v, want the same answer as before", status, again)
	}
	if status, _ := get(t, e.h, "/api/colours?kind=carrot"); status != 503 {
		t.Errorf("another kind, database down: %d, want 503", status)
	}
}

// An upload whose link expired but whose photo did arrive (labelling is
// late) keeps waiting: it is not said to have never arrived.
func TestExpiredUploadWhosePhotoArrivedKeepsWaiting(t *testing.T) {
	store, objs := fakes.NewImageStore(), fakes.NewObjectStore(bucket)
	e := newEnv(t, store, objs)
	ctx := context.Background()
	late := uuid.NewString()
	key := "uploads/" + late + ".jpg"
	if err := store.CreatePending(ctx, veglens.NewPending{ID: late, Bucket: bucket, Key: key,
		ExpiresAt: time.Now().Add(-veglens.UploadGrace - time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if _, out := get(t, e.h, "/api/images/"+late); out["status"] != "rejected" {
		t.Fatalf("before its photo arrives: %v, want rejected", out["status"])
	}
	if err := objs.Put(ctx, key, "image/jpeg", []byte("jpeg")); err != nil {
		t.Fatal(err)
	}
	if _, out := get(t, e.h, "/api/images/"+late); out["status"] != "pending" {
		t.Errorf("an expired upload whose photo arrived is %v, want pending", out["status"])
	}
}

func get(t *testing.T, h *query.Handler, rawURL string) (int, map[string]any) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	req := events.APIGatewayV2HTTPRequest{RawPath: u.Path, RawQueryString: u.RawQuery, QueryStringParameters: map[string]string{}}
	for k, v := range u.Query() {
		req.QueryStringParameters[k] = strings.Join(v, ",")
	}
	req.RequestContext.HTTP.Method = "GET"
	resp, err := h.Handle(context.Background(), req)
	if err != nil {
		t.Fatalf("Handle returned an error (API errors must be responses): %v", err)
	}
	var out map[string]any
	if strings.HasPrefix(resp.Headers["Content-Type"], "application/json") {
		if err := json.Unmarshal([]byte(resp.Body), &out); err != nil {
			t.Fatalf("body is not JSON: %q", resp.Body)
		}
	}
	return resp.StatusCode, out
}

// wheelColours returns catalog colours with the given wheel entries as the
// dominant ones (foreground and reference alike).
func wheelColours(rgbName, rybName string) *veglens.Colours {
	rgb, ok1 := veglens.RGBWheel.Lookup(rgbName)
	ryb, ok2 := veglens.RYBWheel.Lookup(rybName)
	if !ok1 || !ok2 {
		panic("unknown colour " + rgbName + "/" + rybName)
	}
	pr := func(e veglens.Colour) veglens.PaletteResult {
		return veglens.PaletteResult{Dominant: veglens.Colour{Name: e.Name, Hex: e.Hex},
			Shares: []veglens.ColourShare{{Name: e.Name, Hex: e.Hex, Share: 0.8}}}
	}
	return &veglens.Colours{
		Foreground: veglens.MethodColours{RGB: pr(rgb), RYB: pr(ryb)},
		Reference:  veglens.MethodColours{RGB: pr(rgb), RYB: pr(ryb)},
	}
}

type seeded struct {
	tomatoRed1, tomatoRed2, listedUpload, privateUpload, pending, expired, rejected string
}

func seed(t *testing.T, e env) seeded {
	t.Helper()
	ctx := context.Background()
	put := func(im veglens.Image) string {
		if im.Status == "" {
			im.Status = veglens.StatusDone
		}
		if im.Bucket == "" {
			im.Bucket = bucket
		}
		if im.Status == veglens.StatusDone {
			im.Top = []veglens.Guess{{Kind: im.Kind, Probability: im.Confidence}, {Kind: "Bean", Probability: 0.05}, {Kind: "Carrot", Probability: 0.01}}
			im.Timings = &veglens.Timings{FetchMs: 1, DecodeMs: 1, InferenceMs: 8, ColourMs: 2, TotalMs: 12}
			im.ModelVersion, im.Width, im.Height = "356c587946b0", 224, 224
		}
		id, err := e.store.Upsert(ctx, im)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.objs.Put(ctx, im.Key, "image/jpeg", []byte("jpeg of "+im.Key)); err != nil {
			t.Fatal(err)
		}
		return id
	}
	var s seeded
	s.tomatoRed1 = put(veglens.Image{Key: "dataset/Tomato/1.jpg", Source: veglens.SourceDataset, TrueKind: "Tomato", Kind: "Tomato", Confidence: 0.97, Colours: wheelColours("red", "red"), SimilarityKey: []float32{1, 0}})
	s.tomatoRed2 = put(veglens.Image{Key: "dataset/Tomato/2.jpg", Source: veglens.SourceDataset, TrueKind: "Tomato", Kind: "Tomato", Confidence: 0.91, Colours: wheelColours("red", "red-orange"), SimilarityKey: []float32{0.6, 0.8}})
	put(veglens.Image{Key: "dataset/Tomato/3.jpg", Source: veglens.SourceDataset, TrueKind: "Tomato", Kind: "Tomato", Confidence: 0.8, Colours: wheelColours("orange", "orange")})
	put(veglens.Image{Key: "dataset/Tomato/4.jpg", Source: veglens.SourceDataset, TrueKind: "Tomato", Kind: "Tomato", Confidence: 0.7, Colours: wheelColours("green", "green")})
	put(veglens.Image{Key: "dataset/Bitter_Gourd/1.jpg", Source: veglens.SourceDataset, TrueKind: "Bitter_Gourd", Kind: "Bitter_Gourd", Confidence: 0.9, Colours: wheelColours("chartreuse", "yellow-green"), ThumbnailKey: "thumbnails/dataset/Bitter_Gourd/1.jpg"})
	if err := e.objs.Put(ctx, "thumbnails/dataset/Bitter_Gourd/1.jpg", "image/jpeg", []byte("thumbnail")); err != nil {
		t.Fatal(err)
	}

	s.listedUpload = uuid.NewString()
	if err := e.store.CreatePending(ctx, veglens.NewPending{ID: s.listedUpload, Bucket: bucket, Key: "uploads/" + s.listedUpload + ".jpg", Listed: true}); err != nil {
		t.Fatal(err)
	}
	put(veglens.Image{Key: "uploads/" + s.listedUpload + ".jpg", Source: veglens.SourceUpload, Kind: "Tomato", Confidence: 0.95, Colours: wheelColours("red", "red"), SimilarityKey: []float32{0, 1}})
	s.privateUpload = uuid.NewString()
	put(veglens.Image{ID: s.privateUpload, Key: "uploads/" + s.privateUpload + ".jpg", Source: veglens.SourceUpload, Kind: "Tomato", Confidence: 0.99, Colours: wheelColours("red", "red"), SimilarityKey: []float32{1, 0}})
	s.pending = uuid.NewString()
	if err := e.store.CreatePending(ctx, veglens.NewPending{ID: s.pending, Bucket: bucket, Key: "uploads/" + s.pending + ".png", Listed: true}); err != nil {
		t.Fatal(err)
	}
	s.expired = uuid.NewString()
	if err := e.store.CreatePending(ctx, veglens.NewPending{ID: s.expired, Bucket: bucket, Key: "uploads/" + s.expired + ".jpg",
		ExpiresAt: time.Now().Add(-veglens.UploadGrace - time.Minute)}); err != nil {
		t.Fatal(err)
	}
	s.rejected = uuid.NewString()
	put(veglens.Image{ID: s.rejected, Key: "uploads/" + s.rejected + ".jpg", Source: veglens.SourceUpload, Status: veglens.StatusRejected, Reason: "The file is empty (0 bytes)."})
	return s
}

func ids(out map[string]any) []string {
	var r []string
	imgs, _ := out["images"].([]any)
	for _, im := range imgs {
		r = append(r, im.(map[string]any)["id"].(string))
	}
	return r
}

func testQuery(t *testing.T, e env) {
	s := seed(t, e)

	t.Run("Search", func(t *testing.T) {
		redTomatoes := []string{s.tomatoRed1, s.listedUpload, s.tomatoRed2}
		tests := []struct {
			name  string
			url   string
			total int
			ids   []string // nil: don't check
		}{
			{"kind and colour name", "/api/images?kind=Tomato&colour=red", 3, redTomatoes},
			{"any case, hex with #", "/api/images?kind=TOMATO&colour=%23ff0000", 3, redTomatoes},
			{"hex without #", "/api/images?kind=tomato&colour=FF0000", 3, redTomatoes},
			{"colour name in capitals with extra spaces", "/api/images?kind=tomato&colour=+RED+", 3, redTomatoes},
			{"explicit defaults", "/api/images?kind=tomato&colour=red&palette=rgb&method=foreground&count=12", 3, redTomatoes},
			{"count limits the page, not the total", "/api/images?kind=tomato&colour=red&count=2", 3, redTomatoes[:2]},
			{"kind with a space", "/api/images?kind=bitter+gourd", 1, nil},
			{"kind with a hyphen", "/api/images?kind=Bitter-Gourd&colour=chartreuse", 1, nil},
			{"RYB palette", "/api/images?kind=tomato&colour=red-orange&palette=ryb", 1, []string{s.tomatoRed2}},
			{"RYB in capitals", "/api/images?kind=tomato&colour=RED-ORANGE&palette=RYB&method=Reference", 1, []string{s.tomatoRed2}},
			{"colour only", "/api/images?colour=red", 3, redTomatoes},
			{"no filter", "/api/images", 6, nil},
			{"nothing matches", "/api/images?kind=tomato&colour=violet", 0, []string{}},
			{"in words: wheel colour, synonym, number word", "/api/images?q=two+chartreuse+bitter+melons", 1, nil},
			{"in words: RYB name", "/api/images?q=show+me+red-orange+tomatoes", 1, []string{s.tomatoRed2}},
			{"in words: count limits the page", "/api/images?q=2+tomatoes+in+red&method=reference", 3, redTomatoes[:2]},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				status, out := get(t, e.h, tc.url)
				if status != 200 {
					t.Fatalf("status %d %v", status, out)
				}
				if int(out["total"].(float64)) != tc.total {
					t.Errorf("total = %v, want %d", out["total"], tc.total)
				}
				if tc.ids != nil && fmt.Sprint(ids(out)) != fmt.Sprint(tc.ids) {
					t.Errorf("ids = %v, want %v", ids(out), tc.ids)
				}
				for _, id := range ids(out) {
					if id == s.privateUpload || id == s.pending || id == s.rejected {
						t.Errorf("search shows %s, which is not public and labelled", id)
					}
				}
			})
		}
	})

	t.Run("ColourCountsMarkTheEmptySwatches", func(t *testing.T) {
		status, out := get(t, e.h, "/api/colours?kind=tomato")
		if status != 200 || out["kind"] != "Tomato" || out["method"] != "foreground" {
			t.Fatalf("%d %v", status, out)
		}
		pals, _ := out["palettes"].(map[string]any)
		count := func(p, name string) float64 {
			for _, c := range pals[p].([]any) {
				c := c.(map[string]any)
				if c["colour"].(map[string]any)["name"] == name {
					return c["count"].(float64)
				}
			}
			t.Fatalf("%s has no %s", p, name)
			return -1
		}
		if len(pals["rgb"].([]any)) != 12 || len(pals["ryb"].([]any)) != 12 || len(pals["common"].([]any)) != 12 {
			t.Errorf("every palette lists all 12 colours: %v", pals)
		}
		// The same numbers a search for each would give.
		for _, c := range []struct {
			p, name string
			want    float64
		}{{"rgb", "red", 3}, {"rgb", "orange", 1}, {"rgb", "violet", 0}, {"ryb", "red-orange", 1}} {
			if got := count(c.p, c.name); got != c.want {
				t.Errorf("%s %s: %v, want %v", c.p, c.name, got, c.want)
			}
			_, s := get(t, e.h, "/api/images?kind=tomato&palette="+c.p+"&colour="+url.QueryEscape(c.name))
			if s["total"].(float64) != c.want {
				t.Errorf("%s %s: a search finds %v, the count says %v", c.p, c.name, s["total"], c.want)
			}
		}
		_, out = get(t, e.h, "/api/colours?method=reference")
		if _, has := out["palettes"].(map[string]any)["common"]; has {
			t.Error("the reference method has no common names to count")
		}
		if status, _ := get(t, e.h, "/api/colours?kind=apple"); status != 400 {
			t.Errorf("an unknown kind: %d, want 400", status)
		}
	})

	t.Run("SearchInWordsAnswersWithWhatItUnderstood", func(t *testing.T) {
		status, out := get(t, e.h, "/api/images?q=Two+chartreuse+bitter+melons")
		q, _ := out["query"].(map[string]any)
		colour, _ := q["colour"].(map[string]any)
		if status != 200 || q["kind"] != "Bitter_Gourd" || colour["name"] != "chartreuse" || q["palette"] != "rgb" || q["count"] != float64(2) {
			t.Errorf("q=Two chartreuse bitter melons: %d, query %v; want kind Bitter_Gourd, chartreuse on rgb, count 2", status, q)
		}
		_, out = get(t, e.h, "/api/images?q=white+cauliflowers")
		q, _ = out["query"].(map[string]any)
		colour, _ = q["colour"].(map[string]any)
		if q["palette"] != "common" || colour["name"] != "white" {
			t.Errorf("q=white cauliflowers: query %v; want white among the common names", q)
		}
		for _, tc := range []struct{ url, says string }{
			{"/api/images?q=3+red+apples", `"apples"`},
			{"/api/images?q=tomatoes+and+carrots", "two different kinds"},
			{"/api/images?q=", "Type what to look for"},
			{"/api/images?q=500+tomatoes", "1 to 100"},
			{"/api/images?q=tomatoes&kind=tomato&count=3", "leave out kind and count"},
			{"/api/images?q=brown+potatoes&method=reference", "names colours on the two wheels only"},
		} {
			status, out := get(t, e.h, tc.url)
			errObj, _ := out["error"].(map[string]any)
			if status != 400 || errObj["parameter"] != "q" || !strings.Contains(fmt.Sprint(errObj["message"]), tc.says) {
				t.Errorf("%s: %d %v; want 400 naming q and saying %s", tc.url, status, out, tc.says)
			}
		}
	})

	t.Run("PagesFollowByCursor", func(t *testing.T) {
		redTomatoes := []string{s.tomatoRed1, s.listedUpload, s.tomatoRed2}
		var got []string
		url := "/api/images?kind=tomato&colour=red&count=2"
		for pages := 0; ; pages++ {
			status, out := get(t, e.h, url)
			if status != 200 || pages > 2 {
				t.Fatalf("page %d: status %d %v", pages, status, out)
			}
			if out["total"] != float64(3) || out["totalCapped"] != false {
				t.Errorf("page %d: total %v capped %v, want 3, false on every page", pages, out["total"], out["totalCapped"])
			}
			got = append(got, ids(out)...)
			next, ok := out["next"].(string)
			if !ok {
				if out["next"] != nil {
					t.Errorf("next = %v, want a string or null", out["next"])
				}
				break
			}
			url = "/api/images?kind=tomato&colour=red&count=2&cursor=" + next
		}
		if fmt.Sprint(got) != fmt.Sprint(redTomatoes) {
			t.Errorf("pages gave %v, want %v", got, redTomatoes)
		}
		for _, bad := range []string{"abc", "MTIzOm5vdC1hLXV1aWQ", "%00"} {
			status, out := get(t, e.h, "/api/images?kind=tomato&cursor="+bad)
			errObj, _ := out["error"].(map[string]any)
			if status != 400 || errObj["parameter"] != "cursor" {
				t.Errorf("cursor %q: %d %v, want 400 naming cursor", bad, status, out)
			}
		}
		// A cursor used with another search (here: without its filters) is
		// refused, not quietly applied to that search.
		_, out := get(t, e.h, "/api/images?kind=tomato&colour=red&count=2")
		next, _ := out["next"].(string)
		for _, other := range []string{"/api/images?cursor=" + next, "/api/images?kind=tomato&colour=orange&cursor=" + next} {
			status, out := get(t, e.h, other)
			errObj, _ := out["error"].(map[string]any)
			if status != 400 || errObj["parameter"] != "cursor" || !strings.Contains(fmt.Sprint(errObj["message"]), "another search") {
				t.Errorf("%s: %d %v, want 400: the cursor belongs to another search", other, status, out)
			}
		}
		if status, _ := get(t, e.h, "/api/images?kind=tomato&colour=red&count=5&cursor="+next); status != 200 {
			t.Errorf("the same search with another count: %d, want 200", status)
		}
	})

	t.Run("AnUploadThatNeverArrivedIsRejectedWithAReason", func(t *testing.T) {
		status, out := get(t, e.h, "/api/images/"+s.expired)
		if status != 200 || out["status"] != "rejected" || !strings.Contains(fmt.Sprint(out["reason"]), "never arrived") {
			t.Errorf("expired upload: %d %v %q; want rejected, never arrived", status, out["status"], out["reason"])
		}
		_, out = get(t, e.h, "/api/images/"+s.expired+"/similar")
		if out["comparable"] != false || !strings.Contains(fmt.Sprint(out["reason"]), "never arrived") {
			t.Errorf("more like an upload that never arrived: %v", out)
		}

		_, out = get(t, e.h, "/api/images/"+s.pending)
		if out["status"] != "pending" {
			t.Errorf("an upload without an expiry is still %v, want pending", out["status"])
		}
	})

	t.Run("MoreLikeThisPhoto", func(t *testing.T) {
		similar := func(out map[string]any) (ids []string, sims []float64) {
			for _, n := range out["images"].([]any) {
				n := n.(map[string]any)
				ids = append(ids, n["image"].(map[string]any)["id"].(string))
				sims = append(sims, n["similarity"].(float64))
			}
			return ids, sims
		}
		tests := []struct {
			name       string
			url        string
			status     int
			comparable bool
			ids        []string
			sims       []float64
			reason     string
		}{
			{"from a private upload: public photos, nearest first", "/api/images/" + s.privateUpload + "/similar", 200, true,
				[]string{s.tomatoRed1, s.tomatoRed2, s.listedUpload}, []float64{1, 0.6, 0}, ""},
			{"count limits the answer", "/api/images/" + strings.ToUpper(s.privateUpload) + "/similar?count=1", 200, true,
				[]string{s.tomatoRed1}, []float64{1}, ""},
			{"a public photo leaves itself and private photos out", "/api/images/" + s.tomatoRed1 + "/similar", 200, true,
				[]string{s.tomatoRed2, s.listedUpload}, []float64{0.6, 0}, ""},
			{"still pending", "/api/images/" + s.pending + "/similar", 200, false, []string{}, nil, "still being labelled"},
			{"rejected", "/api/images/" + s.rejected + "/similar", 200, false, []string{}, nil, "could not be read"},
			{"unknown id", "/api/images/" + uuid.NewString() + "/similar", 404, false, nil, nil, ""},
			{"not an id", "/api/images/tomato/similar", 404, false, nil, nil, ""},
			{"count zero", "/api/images/" + s.privateUpload + "/similar?count=0", 400, false, nil, nil, ""},
			{"count not a number", "/api/images/" + s.privateUpload + "/similar?count=lots", 400, false, nil, nil, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				status, out := get(t, e.h, tc.url)
				if status != tc.status {
					t.Fatalf("status %d %v, want %d", status, out, tc.status)
				}
				if status != 200 {
					return
				}
				if out["comparable"] != tc.comparable || !strings.Contains(fmt.Sprint(out["reason"]), tc.reason) {
					t.Errorf("comparable = %v, reason %q; want %v, a reason with %q", out["comparable"], out["reason"], tc.comparable, tc.reason)
				}
				got, sims := similar(out)
				if fmt.Sprint(got) != fmt.Sprint(tc.ids) && !(len(got) == 0 && len(tc.ids) == 0) {
					t.Errorf("ids = %v, want %v", got, tc.ids)
				}
				for i, want := range tc.sims {
					if i < len(sims) && (sims[i] < want-1e-3 || sims[i] > want+1e-3) {
						t.Errorf("similarity %d = %v, want %v", i, sims[i], want)
					}
				}
			})
		}
	})

	t.Run("SearchEchoesTheQueryNormalised", func(t *testing.T) {
		_, out := get(t, e.h, "/api/images?kind=bitter%20GOURD&colour=%23FE2712&palette=RYB")
		q := out["query"].(map[string]any)
		if q["kind"] != "Bitter_Gourd" || fmt.Sprint(q["colour"]) != "map[hex:#FE2712 name:red]" || q["palette"] != "ryb" ||
			q["method"] != "foreground" || q["count"].(float64) != 12 {
			t.Errorf("query = %v", q)
		}
	})

	t.Run("NoneFoundOffersAlternatives", func(t *testing.T) {
		_, out := get(t, e.h, "/api/images?kind=tomato&colour=violet")
		alts, _ := out["alternatives"].([]any)
		var got []string
		for _, a := range alts {
			m := a.(map[string]any)
			got = append(got, fmt.Sprintf("%s:%v", m["colour"].(map[string]any)["name"], m["count"]))
		}
		// Violet is 9th on the RGB wheel: red is 3 steps away, orange 4, green 5.
		if fmt.Sprint(got) != "[red:3 orange:1 green:1]" {
			t.Errorf("alternatives = %v", got)
		}
		_, out = get(t, e.h, "/api/images?kind=tomato&colour=red")
		if alts := out["alternatives"].([]any); len(alts) != 0 {
			t.Errorf("alternatives offered although images were found: %v", alts)
		}
	})

	t.Run("ImagesCarryLoadableURLs", func(t *testing.T) {
		if !e.realStorage {
			t.Skip("the fake object store's URLs are not served over HTTP; TestQuery checks this against MinIO")
		}
		_, out := get(t, e.h, "/api/images?kind=bitter_gourd")
		im := out["images"].([]any)[0].(map[string]any)
		for field, want := range map[string]string{"url": "jpeg of dataset/Bitter_Gourd/1.jpg", "thumbnailUrl": "thumbnail"} {
			resp, err := http.Get(im[field].(string))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(body) != want {
				t.Errorf("GET %s: %d %q", field, resp.StatusCode, body)
			}
		}
	})

	t.Run("BadParametersAreNamed", func(t *testing.T) {
		tests := []struct {
			url, parameter string
			allowed        int // how many allowed values are listed (0: none)
		}{
			{"/api/images?kind=banana", "kind", 15},
			{"/api/images?kind=tomato&colour=purple", "colour", 12},
			{"/api/images?colour=spring+green&palette=ryb", "colour", 12},
			{"/api/images?colour=%2300FF81", "colour", 12},
			{"/api/images?palette=cmyk", "palette", 3},
			{"/api/images?palette=common&colour=chartreuse", "colour", 12},
			{"/api/images?palette=common&method=reference", "palette", 2},
			{"/api/images?method=average", "method", 2},
			{"/api/images?count=0", "count", 0},
			{"/api/images?count=101", "count", 0},
			{"/api/images?count=ten", "count", 0},
			{"/api/images?count=1.5", "count", 0},
		}
		for _, tc := range tests {
			t.Run(tc.url, func(t *testing.T) {
				status, out := get(t, e.h, tc.url)
				errObj, _ := out["error"].(map[string]any)
				allowed, _ := errObj["allowed"].([]any)
				if status != 400 || errObj["code"] != "invalid_input" || errObj["parameter"] != tc.parameter || len(allowed) != tc.allowed {
					t.Errorf("%d %v; want 400 naming %s with %d allowed values", status, errObj, tc.parameter, tc.allowed)
				}
				if msg, _ := errObj["message"].(string); msg == "" {
					t.Error("no message")
				}
			})
		}
	})

	t.Run("OneImage", func(t *testing.T) {
		tests := []struct {
			name, id string
			status   int
			check    func(t *testing.T, im map[string]any)
		}{
			{"done", s.tomatoRed1, 200, func(t *testing.T, im map[string]any) {
				top := im["top"].([]any)
				if im["status"] != "done" || im["kind"] != "Tomato" || im["confidence"].(float64) < 0.969 || im["refused"] != false ||
					len(top) != 3 || im["trueKind"] != "Tomato" || im["source"] != "dataset" || im["modelVersion"] != "356c587946b0" {
					t.Errorf("image = %v", im)
				}
				c := im["colours"].(map[string]any)
				if fmt.Sprint(c["foreground"].(map[string]any)["rgb"].(map[string]any)["dominant"]) != "map[hex:#FF0000 name:red]" {
					t.Errorf("colours = %v", c)
				}
				if _, ok := im["reason"]; ok {
					t.Error("reason present on a labelled image")
				}
				tm := im["timings"].(map[string]any)
				if tm["total_ms"].(float64) != 12 {
					t.Errorf("timings = %v", tm)
				}
			}},
			{"private upload by its id", s.privateUpload, 200, func(t *testing.T, im map[string]any) {
				if im["status"] != "done" || im["source"] != "upload" || im["trueKind"] != nil {
					t.Errorf("image = %v", im)
				}
			}},
			{"id in capitals", strings.ToUpper(s.privateUpload), 200, nil},
			{"pending", s.pending, 200, func(t *testing.T, im map[string]any) {
				if im["status"] != "pending" || im["kind"] != nil || im["confidence"] != nil || im["colours"] != nil ||
					len(im["top"].([]any)) != 0 || im["timings"] != nil || im["url"] == "" {
					t.Errorf("image = %v", im)
				}
			}},
			{"rejected", s.rejected, 200, func(t *testing.T, im map[string]any) {
				if im["status"] != "rejected" || im["reason"] != "The file is empty (0 bytes)." || im["kind"] != nil {
					t.Errorf("image = %v", im)
				}
			}},
			{"unknown", uuid.NewString(), 404, nil},
			{"not a UUID", "abc", 404, nil},
			{"path traversal", "..%2F..%2Fetc", 404, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				status, out := get(t, e.h, "/api/images/"+tc.id)
				if status != tc.status {
					t.Fatalf("status %d %v, want %d", status, out, tc.status)
				}
				if tc.status == 404 {
					if out["error"].(map[string]any)["code"] != "not_found" {
						t.Errorf("error = %v", out)
					}
					return
				}
				for _, k := range []string{"id", "status", "kind", "confidence", "refused", "top", "colours", "url", "thumbnailUrl", "timings", "modelVersion", "trueKind", "createdAt"} {
					if _, ok := out[k]; !ok {
						t.Errorf("key %q missing", k)
					}
				}
				if tc.check != nil {
					tc.check(t, out)
				}
			})
		}
	})

	t.Run("Kinds", func(t *testing.T) {
		status, out := get(t, e.h, "/api/kinds")
		kinds := out["kinds"].([]any)
		if status != 200 || len(kinds) != 15 {
			t.Fatalf("%d %v", status, out)
		}
		byName := map[string]map[string]any{}
		for _, k := range kinds {
			m := k.(map[string]any)
			byName[m["name"].(string)] = m
		}
		if byName["Tomato"]["count"].(float64) != 5 || byName["Bitter_Gourd"]["label"] != "Bitter gourd" || byName["Bean"]["count"].(float64) != 0 {
			t.Errorf("kinds = %v", byName)
		}
		if byName["Bitter_Gourd"]["imageUrl"] == nil || byName["Bean"]["imageUrl"] != nil {
			t.Errorf("example pictures: bitter gourd %v, bean %v", byName["Bitter_Gourd"]["imageUrl"], byName["Bean"]["imageUrl"])
		}
	})

	t.Run("Palettes", func(t *testing.T) {
		_, out := get(t, e.h, "/api/palettes")
		pals := out["palettes"].([]any)
		if len(pals) != 3 || len(out["methods"].([]any)) != 2 {
			t.Fatalf("palettes = %v", out)
		}
		for i, id := range []string{"rgb", "ryb", "common"} {
			p := pals[i].(map[string]any)
			if p["id"] != id || len(p["colours"].([]any)) != 12 {
				t.Errorf("palette %d = %v", i, p)
			}
		}
	})

	t.Run("Stats", func(t *testing.T) {
		_, out := get(t, e.h, "/api/stats")
		// The upload that never arrived counts as rejected, not pending.
		if out["images"].(float64) != 10 || out["done"].(float64) != 7 || out["pending"].(float64) != 1 || out["rejected"].(float64) != 2 {
			t.Errorf("counts = %v", out)
		}
		speed := out["speed"].(map[string]any)
		if speed["samples"].(float64) != 7 || speed["p50_ms"].(float64) != 12 || speed["p99_ms"].(float64) != 12 {
			t.Errorf("speed = %v", speed)
		}
		rgb := out["colours"].(map[string]any)["rgb"].([]any)
		if len(rgb) != 12 || fmt.Sprint(rgb[0]) != "map[colour:map[hex:#FF0000 name:red] count:4]" {
			t.Errorf("rgb colour counts = %v", rgb)
		}
		if series := out["series"].([]any); len(series) != 1 || series[0].(map[string]any)["images"].(float64) != 7 {
			t.Errorf("series = %v", series)
		}
	})

	t.Run("Model", func(t *testing.T) {
		status, out := get(t, e.h, "/api/model")
		var meta struct {
			Version string   `json:"version"`
			Labels  []string `json:"labels"`
		}
		raw, err := os.ReadFile(filepath.Join(e.root, "models", "model.json"))
		if err != nil {
			t.Fatal(err)
		}
		json.Unmarshal(raw, &meta)
		fi, err := os.Stat(filepath.Join(e.root, "models", "veglens.onnx"))
		if err != nil {
			t.Fatal(err)
		}
		if status != 200 || out["version"] != meta.Version || out["sizeBytes"].(float64) != float64(fi.Size()) || len(out["labels"].([]any)) != 15 {
			t.Errorf("%d %v", status, out)
		}
		if _, ok := out["metrics"].(map[string]any); !ok {
			t.Errorf("metrics = %v", out["metrics"])
		}
	})

	t.Run("OpenAPIAndUnknownRoutes", func(t *testing.T) {
		req := events.APIGatewayV2HTTPRequest{RawPath: "/api/openapi.yaml"}
		req.RequestContext.HTTP.Method = "GET"
		resp, _ := e.h.Handle(context.Background(), req)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Body, "openapi: 3.1") {
			t.Errorf("openapi.yaml: %d %.40q", resp.StatusCode, resp.Body)
		}
		if status, out := get(t, e.h, "/api/nothing"); status != 404 || out["error"].(map[string]any)["code"] != "not_found" {
			t.Errorf("unknown route: %d %v", status, out)
		}
		req = events.APIGatewayV2HTTPRequest{RawPath: "/api/images"}
		req.RequestContext.HTTP.Method = "DELETE"
		if resp, _ := e.h.Handle(context.Background(), req); resp.StatusCode != 400 {
			t.Errorf("DELETE: %d %s", resp.StatusCode, resp.Body)
		}
	})

	// Last: it stops the database.
	t.Run("DatabaseDownIs503", func(t *testing.T) {
		defer e.stopDatabase(t)()
		status, out := get(t, e.h, "/api/images?kind=tomato")
		errObj, _ := out["error"].(map[string]any)
		if status != 503 || errObj["code"] != "unavailable" || strings.Contains(fmt.Sprint(errObj["message"]), "127.0.0.1") {
			t.Errorf("%d %v", status, out)
		}
		if status, _ := get(t, e.h, "/api/palettes"); status != 200 {
			t.Errorf("palettes need no database, got %d", status)
		}
	})

	// Runs last: it adds rows and labels that the counts above do not expect.
	t.Run("RefusalsExplainThemselvesAndUserLabelsShow", func(t *testing.T) {
		ctx := context.Background()
		put := func(key string, kind string, score, familiarity float64, refused bool) string {
			id, err := e.store.Upsert(ctx, veglens.Image{Bucket: bucket, Key: key, Source: veglens.SourceUpload, Status: veglens.StatusDone,
				Kind: kind, Confidence: score, Score: score, Refused: refused, Familiarity: familiarity, HasFamiliarity: true,
				Top: []veglens.Guess{{Kind: kind, Probability: score}}, ModelVersion: "test"})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.objs.Put(ctx, key, "image/jpeg", []byte("jpeg")); err != nil {
				t.Fatal(err)
			}
			return id
		}
		unfamiliar := put("uploads/"+uuid.NewString()+".jpg", "Pumpkin", 0.98, 0.2, true)
		unsure := put("uploads/"+uuid.NewString()+".jpg", "Potato", 0.01, 0.9, true)
		named := put("uploads/"+uuid.NewString()+".jpg", "Carrot", 0.9, 0.9, false)

		_, out := get(t, e.h, "/api/images/"+unfamiliar)
		r, _ := out["refusal"].(map[string]any)
		if s, _ := r["score"].(float64); r["reason"] != "unfamiliar" || s < 0.979 || s > 0.981 || r["familiarity"] == nil || r["familiarityThreshold"] == nil {
			t.Errorf("a sure but unfamiliar refusal: %v", r)
		}
		if f, _ := r["familiarity"].(float64); f < 0.19 || f > 0.21 {
			t.Errorf("familiarity %v, want the stored 0.2", r["familiarity"])
		}
		_, out = get(t, e.h, "/api/images/"+unsure)
		if r, _ := out["refusal"].(map[string]any); r["reason"] != "unsure" || r["threshold"].(float64) <= 0.01 {
			t.Errorf("an unsure refusal: %v", r)
		}
		_, out = get(t, e.h, "/api/images/"+named)
		if out["refusal"] != nil {
			t.Errorf("a named photo carries a refusal: %v", out["refusal"])
		}
		if _, has := out["userLabel"]; has {
			t.Errorf("a photo nobody labelled has userLabel %v", out["userLabel"])
		}

		// Two labels: one agrees with the prediction (not a vegetable for
		// the refused pumpkin), one does not (the carrot is a radish).
		for id, kind := range map[string]veglens.Kind{unfamiliar: "", named: "Radish"} {
			if _, err := e.store.SaveUserLabel(ctx, id, kind); err != nil {
				t.Fatal(err)
			}
		}
		_, out = get(t, e.h, "/api/images/"+named)
		if l, _ := out["userLabel"].(map[string]any); l["kind"] != "Radish" || l["imageId"] != named {
			t.Errorf("userLabel = %v, want Radish", out["userLabel"])
		}
		_, out = get(t, e.h, "/api/images/"+unfamiliar)
		if l, _ := out["userLabel"].(map[string]any); l["kind"] != "none" {
			t.Errorf("userLabel = %v, want none", out["userLabel"])
		}
		_, out = get(t, e.h, "/api/stats")
		a, _ := out["agreement"].(map[string]any)
		if a["days"] != float64(30) || a["labels"] != float64(2) || a["agree"] != float64(1) || a["share"] != 0.5 {
			t.Errorf("agreement = %v, want 2 labels over 30 days, 1 agreeing", a)
		}
	})
}

// A white cauliflower (neutral: no measurable tint) is not found by a wheel
// colour, even the one its faint tint is nearest, but by its everyday name;
// its JSON says it has no hue with a null dominant colour.
func TestNeutralVegetablesAreFoundByTheirCommonName_Fakes(t *testing.T) {
	e := newEnv(t, fakes.NewImageStore(), fakes.NewObjectStore(bucket))
	ctx := context.Background()
	white, _ := veglens.CommonNames.Lookup("white")
	c := &veglens.Colours{
		Foreground: veglens.MethodColours{
			RGB:    veglens.PaletteResult{Neutral: true, Shares: []veglens.ColourShare{}},
			RYB:    veglens.PaletteResult{Neutral: true, Shares: []veglens.ColourShare{}},
			Common: &veglens.PaletteResult{Dominant: white, Neutral: true, Shares: []veglens.ColourShare{}},
		},
		Reference: wheelColours("orange", "orange").Reference,
	}
	id, err := e.store.Upsert(ctx, veglens.Image{Bucket: bucket, Key: "dataset/Cauliflower/1.jpg", Source: veglens.SourceDataset, Status: veglens.StatusDone,
		TrueKind: "Cauliflower", Kind: "Cauliflower", Confidence: 0.9, Top: []veglens.Guess{{Kind: "Cauliflower", Probability: 0.9}}, Colours: c})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.objs.Put(ctx, "dataset/Cauliflower/1.jpg", "image/jpeg", []byte("jpeg")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		url   string
		total int
	}{
		{"/api/images?kind=Cauliflower&colour=orange", 0},
		{"/api/images?kind=Cauliflower&colour=white&palette=common", 1},
		{"/api/images?kind=Cauliflower&colour=WHITE&palette=Common", 1},
		{"/api/images?kind=Cauliflower&colour=orange&method=reference", 1},
	} {
		status, out := get(t, e.h, tc.url)
		if status != 200 || out["total"].(float64) != float64(tc.total) {
			t.Errorf("%s: %d total %v, want %d", tc.url, status, out["total"], tc.total)
		}
	}
	// A wheel search that finds nothing offers the neutral ones by their word.
	_, out := get(t, e.h, "/api/images?kind=Cauliflower&colour=orange")
	alts, _ := out["alternatives"].([]any)
	if len(alts) != 1 || alts[0].(map[string]any)["palette"] != "common" || alts[0].(map[string]any)["colour"].(map[string]any)["name"] != "white" {
		t.Errorf("alternatives for orange cauliflowers = %v, want white (common)", alts)
	}
	_, out = get(t, e.h, "/api/images/"+id)
	fg := out["colours"].(map[string]any)["foreground"].(map[string]any)
	if rgb := fg["rgb"].(map[string]any); rgb["dominant"] != nil || rgb["neutral"] != true {
		t.Errorf("neutral foreground rgb = %v, want a null dominant colour", rgb)
	}
	if common := fg["common"].(map[string]any)["dominant"].(map[string]any); common["name"] != "white" {
		t.Errorf("common = %v, want white", common)
	}
}
