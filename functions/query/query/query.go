// Package query is the query function's handler: every GET route of the
// HTTP API (search, one image, kinds, palettes, stats, model card, and the
// API's own description).
package query

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/veglens/veglens/shared/api"
	"github.com/veglens/veglens/shared/catalog"
	"github.com/veglens/veglens/shared/colour"
)

// DefaultCount is the page size when count is not given.
const DefaultCount = 12

// URLExpiry is how long image URLs handed to browsers are valid (at least
// three quarters of it; see objects.Store.PresignGet).
const URLExpiry = time.Hour

// RecentImages is how many recent images the speed percentiles cover.
const RecentImages = 1000

// Kinds are the 15 kinds in the model's label order; used when MODEL_DIR
// has no model.json to read them from.
var Kinds = []string{
	"Bean", "Bitter_Gourd", "Bottle_Gourd", "Brinjal", "Broccoli", "Cabbage", "Capsicum", "Carrot",
	"Cauliflower", "Cucumber", "Papaya", "Potato", "Pumpkin", "Radish", "Tomato",
}

// Store is what the handler reads from the catalog (catalog.Store).
type Store interface {
	Get(ctx context.Context, id string) (catalog.Image, error)
	Search(ctx context.Context, q catalog.Search) (catalog.Page, error)
	ColourCounts(ctx context.Context, kind string, m catalog.Method, p catalog.Palette) ([]catalog.ColourCount, error)
	Kinds(ctx context.Context) (map[string]catalog.KindSummary, error)
	Stats(ctx context.Context, recent int) (catalog.Stats, error)
}

// URLSigner makes object URLs browsers can load (objects.Store).
type URLSigner interface {
	PresignGet(ctx context.Context, key string, expiry time.Duration) (string, error)
}

// Palette is a colour wheel as the API describes it.
type Palette struct {
	ID      catalog.Palette
	Name    string
	Colours []catalog.ColourRef // wheel order
}

// Deps are the handler's dependencies.
type Deps struct {
	Store   Store
	Objects URLSigner
	// ModelDir holds model.json, metrics.json and veglens.onnx (MODEL_DIR),
	// read once by New for GET /api/model and the kind vocabulary.
	ModelDir string
	// Palettes default to DefaultPalettes (the shared colour package's
	// wheels).
	Palettes []Palette
}

// Handler serves the GET routes.
type Handler struct {
	store    Store
	objs     URLSigner
	palettes map[catalog.Palette]Palette
	order    []catalog.Palette
	kinds    []string
	kindIdx  map[string]string // normalised -> label
	model    *modelInfo
	modelErr error
}

// New returns a Handler. A missing or unreadable model folder does not stop
// it: only GET /api/model then answers with an error.
func New(d Deps) (*Handler, error) {
	if d.Store == nil || d.Objects == nil {
		return nil, errors.New("query: Store and Objects are required")
	}
	if d.Palettes == nil {
		d.Palettes = DefaultPalettes()
	}
	if len(d.Palettes) == 0 {
		return nil, errors.New("query: no palettes")
	}
	h := &Handler{store: d.Store, objs: d.Objects, palettes: map[catalog.Palette]Palette{}}
	for _, p := range d.Palettes {
		h.palettes[p.ID] = p
		h.order = append(h.order, p.ID)
	}
	h.model, h.modelErr = loadModelInfo(d.ModelDir)
	h.kinds = Kinds
	if h.modelErr == nil && len(h.model.Labels) > 0 {
		h.kinds = h.model.Labels
	}
	h.kindIdx = map[string]string{}
	for _, k := range h.kinds {
		h.kindIdx[normaliseKind(k)] = k
	}
	return h, nil
}

// Handle serves one API Gateway v2 request.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	p := strings.TrimSuffix(api.Path(req), "/")
	if m := api.Method(req); m != http.MethodGet && m != http.MethodHead {
		return api.ErrorResponse(ctx, api.Invalid("method", fmt.Sprintf("%s only answers GET requests.", p), []string{http.MethodGet})), nil
	}
	var (
		body any
		err  error
	)
	switch {
	case p == "/api/images":
		body, err = h.search(ctx, req.QueryStringParameters)
	case strings.HasPrefix(p, "/api/images/"):
		id := strings.TrimPrefix(p, "/api/images/")
		if v := req.PathParameters["id"]; v != "" {
			id = v
		}
		body, err = h.image(ctx, id)
	case p == "/api/kinds":
		body, err = h.listKinds(ctx)
	case p == "/api/palettes":
		body = h.listPalettes()
	case p == "/api/stats":
		body, err = h.stats(ctx)
	case p == "/api/model":
		body, err = h.modelCard()
	case p == "/api/openapi.yaml":
		return events.APIGatewayV2HTTPResponse{
			StatusCode: http.StatusOK,
			Headers:    map[string]string{"Content-Type": "application/yaml"},
			Body:       string(api.OpenAPI),
		}, nil
	default:
		err = api.NotFound(fmt.Sprintf("There is nothing at %s.", p))
	}
	if err != nil {
		return api.ErrorResponse(ctx, storeError(err)), nil
	}
	return api.JSON(http.StatusOK, body), nil
}

// storeError maps catalog failures onto the API's vocabulary.
func storeError(err error) error {
	var apiErr *api.Error
	switch {
	case errors.As(err, &apiErr):
		return err
	case errors.Is(err, catalog.ErrUnavailable):
		return api.Unavailable("database", err)
	default:
		return api.Internal(err)
	}
}

// ---------------------------------------------------------------- images

// Image is an image as the API returns it.
type Image struct {
	ID           string           `json:"id"`
	Status       catalog.Status   `json:"status"`
	Source       catalog.Source   `json:"source"`
	Kind         *string          `json:"kind"`
	Confidence   *float64         `json:"confidence"`
	Refused      bool             `json:"refused"`
	Top          []catalog.Guess  `json:"top"`
	Colours      *catalog.Colours `json:"colours"`
	Reason       string           `json:"reason,omitempty"`
	URL          string           `json:"url"`
	ThumbnailURL *string          `json:"thumbnailUrl"`
	Width        *int             `json:"width"`
	Height       *int             `json:"height"`
	Timings      *catalog.Timings `json:"timings"`
	ModelVersion *string          `json:"modelVersion"`
	TrueKind     *string          `json:"trueKind"`
	CreatedAt    time.Time        `json:"createdAt"`
	UpdatedAt    time.Time        `json:"updatedAt"`
}

func (h *Handler) toImage(ctx context.Context, im catalog.Image) (Image, error) {
	out := Image{
		ID: im.ID, Status: im.Status, Source: im.Source, Refused: im.Refused, Top: im.Top,
		Timings: im.Timings, ModelVersion: opt(im.ModelVersion), TrueKind: opt(im.TrueKind),
		CreatedAt: im.CreatedAt.UTC(), UpdatedAt: im.UpdatedAt.UTC(),
		Width: optInt(im.Width), Height: optInt(im.Height),
	}
	if out.Top == nil {
		out.Top = []catalog.Guess{}
	}
	switch im.Status {
	case catalog.StatusDone:
		out.Kind, out.Confidence, out.Colours = opt(im.Kind), &im.Confidence, im.Colours
	case catalog.StatusRejected:
		out.Reason = im.Reason
		if out.Reason == "" {
			out.Reason = "The file could not be read as an image."
		}
		out.Timings = nil
	}
	u, err := h.objs.PresignGet(ctx, im.Key, URLExpiry)
	if err != nil {
		return Image{}, api.Internal(err)
	}
	out.URL = u
	if im.ThumbnailKey != "" {
		t, err := h.objs.PresignGet(ctx, im.ThumbnailKey, URLExpiry)
		if err != nil {
			return Image{}, api.Internal(err)
		}
		out.ThumbnailURL = &t
	}
	return out, nil
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func optInt(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

func (h *Handler) image(ctx context.Context, id string) (Image, error) {
	im, err := h.store.Get(ctx, strings.ToLower(id))
	if errors.Is(err, catalog.ErrNotFound) {
		return Image{}, api.NotFound("There is no image with this id.")
	}
	if err != nil {
		return Image{}, err
	}
	return h.toImage(ctx, im)
}

// ---------------------------------------------------------------- search

// SearchQuery is the query as understood.
type SearchQuery struct {
	Kind    *string            `json:"kind"`
	Colour  *catalog.ColourRef `json:"colour"`
	Palette catalog.Palette    `json:"palette"`
	Method  catalog.Method     `json:"method"`
	Count   int                `json:"count"`
}

// Alternative is a colour of the asked-for kind that does have images.
type Alternative struct {
	Colour catalog.ColourRef `json:"colour"`
	Count  int               `json:"count"`
}

// SearchResult is the body of GET /api/images.
type SearchResult struct {
	Query        SearchQuery   `json:"query"`
	Total        int           `json:"total"`
	Images       []Image       `json:"images"`
	Alternatives []Alternative `json:"alternatives"`
}

// ParseSearch validates the query parameters of GET /api/images. Errors are
// *api.Error values naming the parameter and its allowed values.
func (h *Handler) ParseSearch(params map[string]string) (SearchQuery, error) {
	q := SearchQuery{Palette: catalog.PaletteRGB, Method: catalog.MethodForeground, Count: DefaultCount}
	if v := strings.ToLower(strings.TrimSpace(params["palette"])); v != "" {
		if _, ok := h.palettes[catalog.Palette(v)]; !ok {
			return q, api.Invalid("palette", fmt.Sprintf("There is no palette %q.", clip(params["palette"])), h.paletteIDs())
		}
		q.Palette = catalog.Palette(v)
	}
	if v := strings.ToLower(strings.TrimSpace(params["method"])); v != "" {
		switch catalog.Method(v) {
		case catalog.MethodForeground, catalog.MethodReference:
			q.Method = catalog.Method(v)
		default:
			return q, api.Invalid("method", fmt.Sprintf("There is no colour method %q.", clip(params["method"])),
				[]string{string(catalog.MethodForeground), string(catalog.MethodReference)})
		}
	}
	if v := strings.TrimSpace(params["count"]); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > catalog.MaxCount {
			return q, api.Invalid("count", fmt.Sprintf("count must be a whole number from 1 to %d, not %q.", catalog.MaxCount, clip(params["count"])), nil)
		}
		q.Count = n
	}
	if v := strings.TrimSpace(params["kind"]); v != "" {
		k, ok := h.kindIdx[normaliseKind(v)]
		if !ok {
			return q, api.Invalid("kind", fmt.Sprintf("There is no kind %q.", clip(v)), h.kinds)
		}
		q.Kind = &k
	}
	if v := strings.TrimSpace(params["colour"]); v != "" {
		c, ok := h.lookupColour(q.Palette, v)
		if !ok {
			pal := h.palettes[q.Palette]
			names := make([]string, 0, len(pal.Colours))
			for _, c := range pal.Colours {
				names = append(names, c.Name)
			}
			return q, api.Invalid("colour", fmt.Sprintf("There is no colour %q on the %s wheel; use a name or hex code from it.", clip(v), strings.ToUpper(string(q.Palette))), names)
		}
		q.Colour = &c
	}
	return q, nil
}

func (h *Handler) search(ctx context.Context, params map[string]string) (SearchResult, error) {
	q, err := h.ParseSearch(params)
	if err != nil {
		return SearchResult{}, err
	}
	s := catalog.Search{Method: q.Method, Palette: q.Palette, Count: q.Count}
	if q.Kind != nil {
		s.Kind = *q.Kind
	}
	if q.Colour != nil {
		s.Colour = q.Colour.Hex
	}
	page, err := h.store.Search(ctx, s)
	if err != nil {
		return SearchResult{}, err
	}
	res := SearchResult{Query: q, Total: page.Total, Images: make([]Image, 0, len(page.Images)), Alternatives: []Alternative{}}
	for _, im := range page.Images {
		out, err := h.toImage(ctx, im)
		if err != nil {
			return SearchResult{}, err
		}
		res.Images = append(res.Images, out)
	}
	if page.Total == 0 && q.Colour != nil {
		res.Alternatives, err = h.alternatives(ctx, s.Kind, *q.Colour, q.Method, q.Palette)
		if err != nil {
			return SearchResult{}, err
		}
	}
	return res, nil
}

// alternatives lists the colours the kind does come in, nearest to the
// asked-for colour on the wheel first (then most frequent).
func (h *Handler) alternatives(ctx context.Context, kind string, want catalog.ColourRef, m catalog.Method, p catalog.Palette) ([]Alternative, error) {
	counts, err := h.store.ColourCounts(ctx, kind, m, p)
	if err != nil {
		return nil, err
	}
	wheel := h.palettes[p].Colours
	pos := func(hex string) int {
		return slices.IndexFunc(wheel, func(c catalog.ColourRef) bool { return c.Hex == hex })
	}
	from := pos(want.Hex)
	type alt struct {
		Alternative
		dist int
	}
	var alts []alt
	for _, c := range counts {
		i := pos(c.Hex)
		if i < 0 || c.Hex == want.Hex || c.Count < 1 {
			continue
		}
		d := abs(i - from)
		if n := len(wheel); d > n/2 {
			d = n - d
		}
		alts = append(alts, alt{Alternative{Colour: wheel[i], Count: c.Count}, d})
	}
	slices.SortStableFunc(alts, func(a, b alt) int {
		if a.dist != b.dist {
			return a.dist - b.dist
		}
		return b.Count - a.Count
	})
	out := make([]Alternative, 0, len(alts))
	for _, a := range alts {
		out = append(out, a.Alternative)
	}
	return out, nil
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// normaliseKind folds case and treats spaces and hyphens as underscores, so
// "bitter gourd", "Bitter-Gourd" and "BITTER_GOURD" are the same kind.
func normaliseKind(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.NewReplacer(" ", "_", "-", "_").Replace(s)
	return s
}

// lookupColour finds a wheel colour by name or hex (with or without #), any
// case: colour.Lookup for the shared wheels, the same rules otherwise.
func (h *Handler) lookupColour(p catalog.Palette, s string) (catalog.ColourRef, bool) {
	pal, ok := h.palettes[p]
	if !ok {
		return catalog.ColourRef{}, false
	}
	entries := make([]colour.Entry, 0, len(pal.Colours))
	for _, c := range pal.Colours {
		entries = append(entries, colour.Entry{Name: c.Name, Hex: c.Hex})
	}
	name := strings.Join(strings.Fields(s), " ")
	e, ok := colour.Lookup(colour.Palette{ID: string(p), Entries: entries}, name)
	return catalog.ColourRef{Name: e.Name, Hex: e.Hex}, ok
}

func (h *Handler) paletteIDs() []string {
	ids := make([]string, 0, len(h.order))
	for _, id := range h.order {
		ids = append(ids, string(id))
	}
	return ids
}

// clip shortens what a client sent before it is echoed in a message.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// ---------------------------------------------------------------- vocabulary

// KindInfo is one kind of GET /api/kinds.
type KindInfo struct {
	Name     string  `json:"name"`
	Label    string  `json:"label"`
	Count    int     `json:"count"`
	ImageURL *string `json:"imageUrl"`
}

// KindLabel turns a model label into words for people: Bitter_Gourd ->
// "Bitter gourd".
func KindLabel(kind string) string {
	s := strings.ToLower(strings.ReplaceAll(kind, "_", " "))
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (h *Handler) listKinds(ctx context.Context) (map[string][]KindInfo, error) {
	sum, err := h.store.Kinds(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]KindInfo, 0, len(h.kinds))
	for _, k := range h.kinds {
		s := sum[k]
		info := KindInfo{Name: k, Label: KindLabel(k), Count: s.Count}
		key := s.ExampleThumb
		if key == "" {
			key = s.ExampleKey
		}
		if key != "" {
			u, err := h.objs.PresignGet(ctx, key, URLExpiry)
			if err != nil {
				return nil, api.Internal(err)
			}
			info.ImageURL = &u
		}
		out = append(out, info)
	}
	return map[string][]KindInfo{"kinds": out}, nil
}

type paletteJSON struct {
	ID      catalog.Palette     `json:"id"`
	Name    string              `json:"name"`
	Colours []catalog.ColourRef `json:"colours"`
}

type methodJSON struct {
	ID          catalog.Method `json:"id"`
	Description string         `json:"description"`
}

type paletteList struct {
	Palettes []paletteJSON `json:"palettes"`
	Methods  []methodJSON  `json:"methods"`
}

func (h *Handler) listPalettes() paletteList {
	out := paletteList{Methods: []methodJSON{
		{ID: catalog.MethodForeground, Description: "The colour of the vegetable itself, with the background left out."},
		{ID: catalog.MethodReference, Description: "The colour of the whole picture."},
	}}
	for _, id := range h.order {
		p := h.palettes[id]
		out.Palettes = append(out.Palettes, paletteJSON{ID: p.ID, Name: p.Name, Colours: p.Colours})
	}
	return out
}

// ---------------------------------------------------------------- stats

type kindCount struct {
	Kind  string `json:"kind"`
	Count int    `json:"count"`
}

type colourCount struct {
	Colour catalog.ColourRef `json:"colour"`
	Count  int               `json:"count"`
}

type speedJSON struct {
	Samples int      `json:"samples"`
	P50     *float64 `json:"p50_ms"`
	P90     *float64 `json:"p90_ms"`
	P99     *float64 `json:"p99_ms"`
}

type seriesJSON struct {
	Start  time.Time `json:"start"`
	Images int       `json:"images"`
	P50    *float64  `json:"p50_ms"`
	P99    *float64  `json:"p99_ms"`
}

// StatsResult is the body of GET /api/stats.
type StatsResult struct {
	Images   int                      `json:"images"`
	Done     int                      `json:"done"`
	Pending  int                      `json:"pending"`
	Rejected int                      `json:"rejected"`
	Refused  int                      `json:"refused"`
	Kinds    []kindCount              `json:"kinds"`
	Colours  map[string][]colourCount `json:"colours"`
	Speed    speedJSON                `json:"speed"`
	Series   []seriesJSON             `json:"series"`
}

func (h *Handler) stats(ctx context.Context) (StatsResult, error) {
	st, err := h.store.Stats(ctx, RecentImages)
	if err != nil {
		return StatsResult{}, err
	}
	out := StatsResult{
		Images: st.Images, Done: st.Done, Pending: st.Pending, Rejected: st.Rejected, Refused: st.Refused,
		Kinds:   make([]kindCount, 0, len(h.kinds)),
		Colours: map[string][]colourCount{},
		Speed:   speedJSON{Samples: st.Speed.Samples, P50: round(st.Speed.P50), P90: round(st.Speed.P90), P99: round(st.Speed.P99)},
		Series:  make([]seriesJSON, 0, len(st.Series)),
	}
	for _, k := range h.kinds {
		out.Kinds = append(out.Kinds, kindCount{Kind: k, Count: st.Kinds[k]})
	}
	for _, pc := range []struct {
		p      catalog.Palette
		counts []catalog.ColourCount
	}{{catalog.PaletteRGB, st.ColoursRGB}, {catalog.PaletteRYB, st.ColoursRYB}} {
		n := map[string]int{}
		for _, c := range pc.counts {
			n[c.Hex] = c.Count
		}
		list := []colourCount{}
		for _, c := range h.palettes[pc.p].Colours {
			list = append(list, colourCount{Colour: c, Count: n[c.Hex]})
		}
		out.Colours[string(pc.p)] = list
	}
	for _, p := range st.Series {
		out.Series = append(out.Series, seriesJSON{Start: p.Start.UTC(), Images: p.Images, P50: round(p.P50), P99: round(p.P99)})
	}
	return out, nil
}

func round(p *float64) *float64 {
	if p == nil {
		return nil
	}
	v := float64(int64(*p*100+0.5)) / 100
	return &v
}

// ---------------------------------------------------------------- model

// modelInfo is the body of GET /api/model.
type modelInfo struct {
	Name         string          `json:"name"`
	Version      string          `json:"version"`
	Architecture string          `json:"architecture"`
	SizeBytes    int64           `json:"sizeBytes"`
	Labels       []string        `json:"labels"`
	Threshold    float64         `json:"threshold"`
	Metrics      json.RawMessage `json:"metrics"`
}

func loadModelInfo(dir string) (*modelInfo, error) {
	if dir == "" {
		return nil, errors.New("no model folder configured (MODEL_DIR)")
	}
	raw, err := os.ReadFile(filepath.Join(dir, "model.json"))
	if err != nil {
		return nil, fmt.Errorf("read model description: %w", err)
	}
	var meta struct {
		Name         string   `json:"name"`
		Version      string   `json:"version"`
		Architecture string   `json:"architecture"`
		Labels       []string `json:"labels"`
		Refusal      struct {
			Threshold float64 `json:"threshold"`
		} `json:"refusal"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return nil, fmt.Errorf("parse model.json: %w", err)
	}
	info := &modelInfo{Name: meta.Name, Version: meta.Version, Architecture: meta.Architecture,
		Labels: meta.Labels, Threshold: meta.Refusal.Threshold, Metrics: json.RawMessage(`{}`)}
	if fi, err := os.Stat(filepath.Join(dir, "veglens.onnx")); err == nil {
		info.SizeBytes = fi.Size()
	}
	if m, err := os.ReadFile(filepath.Join(dir, "metrics.json")); err == nil {
		var obj map[string]any
		if err := json.Unmarshal(m, &obj); err != nil {
			return nil, fmt.Errorf("parse metrics.json: %w", err)
		}
		info.Metrics = m
	}
	return info, nil
}

func (h *Handler) modelCard() (*modelInfo, error) {
	if h.modelErr != nil {
		return nil, api.Internal(fmt.Errorf("model card: %w", h.modelErr))
	}
	return h.model, nil
}

// ModelError reports why GET /api/model cannot answer, or nil.
func (h *Handler) ModelError() error { return h.modelErr }
