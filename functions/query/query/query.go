// Package query is the query function's handler: every GET route of the
// HTTP API (search, one image, kinds, palettes, stats, model card, and the
// API's own description).
package query

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/veglens/veglens/shared/api"
	"github.com/veglens/veglens/shared/phrase"
	"github.com/veglens/veglens/shared/veglens"
)

// DefaultCount is the page size when count is not given.
const DefaultCount = 12

// URLExpiry is how long image URLs handed to browsers are valid (at least
// three quarters of it; see objects.Store.PresignGet).
const URLExpiry = time.Hour

// RecentImages is how many recent images the speed percentiles cover.
const RecentImages = 1000

// Deps are the handler's dependencies.
type Deps struct {
	Images  veglens.ImageStore
	Objects veglens.ObjectStore
	// Model describes the model (veglens.ReadModel of MODEL_DIR): its kinds
	// are the search vocabulary and it is GET /api/model's answer.
	Model veglens.Model
	// Log receives failures worth a person's attention; nil discards.
	Log *slog.Logger
}

// Handler serves the GET routes.
type Handler struct {
	images veglens.ImageStore
	objs   veglens.ObjectStore
	log    *slog.Logger
	kinds  veglens.Kinds
	words  *phrase.Vocabulary
	model  modelInfo
	// familiarityThreshold is the model's familiarity threshold; nil when
	// its refusal rule has none.
	familiarityThreshold *float64
	counts               countsCache
}

// New returns a Handler.
func New(d Deps) (*Handler, error) {
	if d.Images == nil || d.Objects == nil {
		return nil, errors.New("query: Images and Objects are required")
	}
	if len(d.Model.Meta.Labels) == 0 {
		return nil, errors.New("query: the model lists no kinds (is MODEL_DIR's model.json read?)")
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	m := d.Model
	var famThreshold *float64
	if f := m.Meta.Refusal.Familiarity; f != nil {
		famThreshold = &f.Threshold
	}
	return &Handler{familiarityThreshold: famThreshold,
		images: d.Images, objs: d.Objects, log: d.Log, kinds: m.Meta.Kinds(), words: phrase.NewVocabulary(m.Meta.Kinds()),
		model: modelInfo{Name: m.Meta.Name, Version: m.Meta.Version, Architecture: m.Meta.Architecture,
			SizeBytes: m.SizeBytes, Labels: m.Meta.Labels, Threshold: m.Meta.Refusal.Threshold, Metrics: m.Metrics},
	}, nil
}

// Handle serves one API Gateway v2 request.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	p := strings.TrimSuffix(api.Path(req), "/")
	if m := api.Method(req); m != http.MethodGet && m != http.MethodHead {
		return api.ErrorResponse(ctx, h.log, api.Invalid("method", fmt.Sprintf("%s only answers GET requests.", p), []string{http.MethodGet})), nil
	}
	var (
		body any
		err  error
	)
	switch {
	case p == "/api/images":
		body, err = h.search(ctx, req.QueryStringParameters)
	case strings.HasPrefix(p, "/api/images/") && strings.HasSuffix(p, "/similar"):
		id := strings.TrimSuffix(strings.TrimPrefix(p, "/api/images/"), "/similar")
		if v := req.PathParameters["id"]; v != "" {
			id = v
		}
		body, err = h.similar(ctx, id, req.QueryStringParameters)
	case strings.HasPrefix(p, "/api/images/"):
		id := strings.TrimPrefix(p, "/api/images/")
		if v := req.PathParameters["id"]; v != "" {
			id = v
		}
		body, err = h.image(ctx, id)
	case p == "/api/kinds":
		body, err = h.listKinds(ctx)
	case p == "/api/colours":
		body, err = h.colourCounts(ctx, req.QueryStringParameters)
		if err == nil {
			// Counts move slowly (see CountsTTL): browsers may keep them a
			// minute too.
			resp := api.JSON(ctx, h.log, http.StatusOK, body)
			resp.Headers["Cache-Control"] = "public, max-age=60"
			return resp, nil
		}
	case p == "/api/palettes":
		body = h.listPalettes()
	case p == "/api/stats":
		body, err = h.stats(ctx)
	case p == "/api/model":
		body = h.model
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
		return api.ErrorResponse(ctx, h.log, storeError(err)), nil
	}
	return api.JSON(ctx, h.log, http.StatusOK, body), nil
}

// storeError maps catalog failures onto the API's vocabulary.
func storeError(err error) error {
	var apiErr *api.Error
	switch {
	case errors.As(err, &apiErr):
		return err
	case errors.Is(err, veglens.ErrUnavailable):
		return api.Unavailable("database", err)
	default:
		return api.Internal(err)
	}
}

// ---------------------------------------------------------------- images

// Image is an image as the API returns it.
type Image struct {
	ID           string           `json:"id"`
	Status       veglens.Status   `json:"status"`
	Source       veglens.Source   `json:"source"`
	Kind         *string          `json:"kind"`
	Confidence   *float64         `json:"confidence"`
	Refused      bool             `json:"refused"`
	Top          []veglens.Guess  `json:"top"`
	Colours      *veglens.Colours `json:"colours"`
	Reason       string           `json:"reason,omitempty"`
	URL          string           `json:"url"`
	ThumbnailURL *string          `json:"thumbnailUrl"`
	Width        *int             `json:"width"`
	Height       *int             `json:"height"`
	Timings      *veglens.Timings `json:"timings"`
	ModelVersion *string          `json:"modelVersion"`
	TrueKind     *string          `json:"trueKind"`
	CreatedAt    time.Time        `json:"createdAt"`
	UpdatedAt    time.Time        `json:"updatedAt"`
	// Refusal says why a refused photo was not named; nil otherwise.
	Refusal *Refusal `json:"refusal"`
	// UserLabel is the person's own label (GET /api/images/{id} only).
	UserLabel *api.UserLabel `json:"userLabel,omitempty"`
}

// Refusal explains a refusal by the model's rule (veglens.ModelMeta.Refusal):
// "unsure" when the refusal score is below Threshold, else "unfamiliar":
// the photo's familiarity is below FamiliarityThreshold.
type Refusal struct {
	Reason    string  `json:"reason"`
	Score     float64 `json:"score"`
	Threshold float64 `json:"threshold"`
	// Familiarity is nil for photos labelled before it was kept.
	Familiarity          *float64 `json:"familiarity"`
	FamiliarityThreshold *float64 `json:"familiarityThreshold"`
}

// Why refusals happen (Refusal.Reason).
const (
	RefusedUnsure     = "unsure"
	RefusedUnfamiliar = "unfamiliar"
)

// refusal explains why im (done and refused) was not named.
func (h *Handler) refusal(im veglens.Image) *Refusal {
	r := &Refusal{Reason: RefusedUnsure, Score: im.Score, Threshold: h.model.Threshold, FamiliarityThreshold: h.familiarityThreshold}
	if im.HasFamiliarity && h.familiarityThreshold != nil {
		f := im.Familiarity
		r.Familiarity = &f
	}
	switch ft := h.familiarityThreshold; {
	case ft == nil:
	case im.HasFamiliarity && im.Familiarity < *ft:
		r.Reason = RefusedUnfamiliar
	case !im.HasFamiliarity && im.Score >= h.model.Threshold:
		// Labelled before familiarity was kept: sure enough, so it was the
		// familiarity half of the rule that refused it.
		r.Reason = RefusedUnfamiliar
	}
	return r
}

func (h *Handler) toImage(ctx context.Context, im veglens.Image) (Image, error) {
	out := Image{
		ID: im.ID, Status: im.Status, Source: im.Source, Refused: im.Refused, Top: im.Top,
		Timings: im.Timings, ModelVersion: opt(im.ModelVersion), TrueKind: opt(im.TrueKind),
		CreatedAt: im.CreatedAt.UTC(), UpdatedAt: im.UpdatedAt.UTC(),
		Width: optInt(im.Width), Height: optInt(im.Height),
	}
	if out.Top == nil {
		out.Top = []veglens.Guess{}
	}
	if h.neverArrived(ctx, im) {
		im.Status, im.Reason = veglens.StatusRejected, veglens.NeverArrived
		out.Status = im.Status
	}
	switch im.Status {
	case veglens.StatusDone:
		out.Kind, out.Confidence, out.Colours = opt(im.Kind), &im.Confidence, im.Colours
		if im.Refused {
			out.Refusal = h.refusal(im)
		}
	case veglens.StatusRejected:
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

// neverArrived reports whether a pending upload will never be labelled:
// its link expired long enough ago (veglens.Image.Expired) and no object
// is stored under its key. One that did arrive is only waiting to be
// labelled and stays pending. Saying so lets the site stop waiting.
func (h *Handler) neverArrived(ctx context.Context, im veglens.Image) bool {
	if !im.Expired(time.Now()) {
		return false
	}
	exists, err := h.objs.Exists(ctx, im.Key)
	if err != nil {
		h.log.WarnContext(ctx, "cannot tell whether an expired upload arrived", "key", im.Key, "err", err)
		return false
	}
	return !exists
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
	im, err := h.images.Get(ctx, strings.ToLower(id))
	if errors.Is(err, veglens.ErrNotFound) {
		return Image{}, api.NotFound("There is no image with this id.")
	}
	if err != nil {
		return Image{}, err
	}
	out, err := h.toImage(ctx, im)
	if err != nil {
		return Image{}, err
	}
	l, ok, err := h.images.UserLabel(ctx, im.ID)
	if err != nil {
		return Image{}, err
	}
	if ok {
		out.UserLabel = &api.UserLabel{ImageID: l.ImageID, Kind: l.KindOrNone(), CreatedAt: l.CreatedAt.UTC(), UpdatedAt: l.UpdatedAt.UTC()}
	}
	return out, nil
}

// ---------------------------------------------------------------- similar

// SimilarImage is one photo found by "more like this", with the cosine
// similarity of its similarity key to the asked-about photo's (-1..1).
type SimilarImage struct {
	Image      Image   `json:"image"`
	Similarity float64 `json:"similarity"`
}

// SimilarResult is the body of GET /api/images/{id}/similar.
type SimilarResult struct {
	Of         string         `json:"of"`
	Comparable bool           `json:"comparable"`
	Reason     string         `json:"reason,omitempty"`
	Images     []SimilarImage `json:"images"`
}

func (h *Handler) similar(ctx context.Context, id string, params map[string]string) (SimilarResult, error) {
	count := DefaultCount
	if v := strings.TrimSpace(params["count"]); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > veglens.MaxCount {
			return SimilarResult{}, api.Invalid("count", fmt.Sprintf("count must be a whole number from 1 to %d, not %q.", veglens.MaxCount, clip(params["count"])), nil)
		}
		count = n
	}
	id = strings.ToLower(id)
	near, err := h.images.Similar(ctx, id, count)
	switch {
	case errors.Is(err, veglens.ErrNotFound):
		return SimilarResult{}, api.NotFound("There is no image with this id.")
	case errors.Is(err, veglens.ErrNotComparable):
		im, err := h.images.Get(ctx, id)
		if err != nil {
			return SimilarResult{}, err
		}
		if h.neverArrived(ctx, im) {
			im.Status = veglens.StatusRejected
		}
		return SimilarResult{Of: im.ID, Reason: notComparable(im), Images: []SimilarImage{}}, nil
	case err != nil:
		return SimilarResult{}, err
	}
	res := SimilarResult{Of: id, Comparable: true, Images: make([]SimilarImage, 0, len(near))}
	for _, n := range near {
		out, err := h.toImage(ctx, n.Image)
		if err != nil {
			return SimilarResult{}, err
		}
		res.Images = append(res.Images, SimilarImage{Image: out, Similarity: math.Round(n.Similarity*1e4) / 1e4})
	}
	return res, nil
}

// notComparable says, for people, why a photo has no similarity key.
func notComparable(im veglens.Image) string {
	switch im.Status {
	case veglens.StatusPending:
		return "This photo is still being labelled; ask again when it is done."
	case veglens.StatusRejected:
		return "This photo could not be read as an image, or never arrived, so nothing can be compared with it."
	default:
		return "This photo was labelled before similar-photo search existed; it is compared once it is labelled again."
	}
}

// ---------------------------------------------------------------- colour counts

// ColourCountsResult is the body of GET /api/colours: for one kind (or all)
// and one method, how many public photos each colour of each palette would
// find, in palette order, so that the site can mark the empty ones before
// anyone picks them.
type ColourCountsResult struct {
	Kind   *string        `json:"kind"`
	Method veglens.Method `json:"method"`
	// Palettes maps rgb, ryb and (for the foreground method) common to
	// every entry of that palette with its count.
	Palettes map[veglens.PaletteID][]colourCount `json:"palettes"`
}

// CountsTTL is how long a container reuses a GET /api/colours answer: the
// counts group every public row of a kind (or of all kinds), which at a
// million rows takes a good part of a second, and a minute-old count is as
// good for marking empty swatches.
const CountsTTL = time.Minute

// countsCache keeps recent GET /api/colours answers, by kind and method.
type countsCache struct {
	mu      sync.Mutex
	entries map[string]countsEntry
}

type countsEntry struct {
	at  time.Time
	res ColourCountsResult
}

func (c *countsCache) get(key string, now time.Time) (ColourCountsResult, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || now.Sub(e.at) >= CountsTTL {
		return ColourCountsResult{}, false
	}
	return e.res, true
}

func (c *countsCache) put(key string, res ColourCountsResult, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) > 100 { // 15 kinds + any, 2 methods: never many
		c.entries = map[string]countsEntry{}
	}
	c.entries[key] = countsEntry{at: now, res: res}
}

func (h *Handler) colourCounts(ctx context.Context, params map[string]string) (ColourCountsResult, error) {
	q, err := h.ParseSearch(map[string]string{"kind": params["kind"], "method": params["method"]})
	if err != nil {
		return ColourCountsResult{}, err
	}
	key := string(q.Method) + "|"
	if q.Kind != nil {
		key += *q.Kind
	}
	if res, ok := h.counts.get(key, time.Now()); ok {
		return res, nil
	}
	res, err := h.countColours(ctx, q)
	if err != nil {
		return ColourCountsResult{}, err
	}
	h.counts.put(key, res, time.Now())
	return res, nil
}

func (h *Handler) countColours(ctx context.Context, q SearchQuery) (ColourCountsResult, error) {
	out := ColourCountsResult{Kind: q.Kind, Method: q.Method, Palettes: map[veglens.PaletteID][]colourCount{}}
	kind := ""
	if q.Kind != nil {
		kind = *q.Kind
	}
	for _, pal := range veglens.Palettes() {
		if pal.ID == veglens.PaletteCommon && q.Method == veglens.MethodReference {
			continue // the whole-photo average names wheel colours only
		}
		counts, err := h.images.ColourCounts(ctx, kind, q.Method, pal.ID)
		if err != nil {
			return ColourCountsResult{}, err
		}
		n := map[string]int{}
		for _, c := range counts {
			n[strings.ToUpper(c.Hex)] = c.Count
		}
		list := make([]colourCount, 0, len(pal.Colours))
		for _, c := range pal.Colours {
			list = append(list, colourCount{Colour: c, Count: n[strings.ToUpper(c.Hex)]})
		}
		out.Palettes[pal.ID] = list
	}
	return out, nil
}

// ---------------------------------------------------------------- search

// SearchQuery is the query as understood.
type SearchQuery struct {
	Kind    *string           `json:"kind"`
	Colour  *veglens.Colour   `json:"colour"`
	Palette veglens.PaletteID `json:"palette"`
	Method  veglens.Method    `json:"method"`
	Count   int               `json:"count"`
}

// Alternative is a colour of the asked-for kind that does have images.
type Alternative struct {
	Colour  veglens.Colour    `json:"colour"`
	Palette veglens.PaletteID `json:"palette"`
	Count   int               `json:"count"`
}

// SearchResult is the body of GET /api/images.
type SearchResult struct {
	Query       SearchQuery `json:"query"`
	Total       int         `json:"total"`
	TotalCapped bool        `json:"totalCapped"`
	Images      []Image     `json:"images"`
	// Next is the cursor of the next page; nil on the last page.
	Next         *string       `json:"next"`
	Alternatives []Alternative `json:"alternatives"`
}

// ParseSearch validates the query parameters of GET /api/images. Errors are
// *api.Error values naming the parameter and its allowed values. A search
// in plain words (q, read by package phrase) stands for kind, colour,
// palette and count, which must then be left out.
func (h *Handler) ParseSearch(params map[string]string) (SearchQuery, error) {
	if text, ok := params["q"]; ok {
		var given []string
		for _, p := range []string{"kind", "colour", "palette", "count"} {
			if _, ok := params[p]; ok {
				given = append(given, p)
			}
		}
		if len(given) > 0 {
			return SearchQuery{}, api.Invalid("q", fmt.Sprintf("A search in words (q) says the kind, colour and count itself; leave out %s, or leave out q.", strings.Join(given, " and ")), nil)
		}
		pq, err := h.words.Parse(text)
		if err != nil {
			return SearchQuery{}, api.Invalid("q", err.Error(), nil)
		}
		params = maps.Clone(params)
		if pq.Kind != "" {
			params["kind"] = pq.Kind
		}
		if pq.Colour.Hex != "" {
			params["colour"], params["palette"] = pq.Colour.Hex, string(pq.Palette)
			reference := strings.EqualFold(strings.TrimSpace(params["method"]), string(veglens.MethodReference))
			if reference && pq.Palette == veglens.PaletteCommon {
				// The reference rule names wheel colours only: an everyday
				// word that a wheel also has ("red") means that wheel entry.
				found := false
				for _, w := range veglens.Wheels() {
					if c, ok := w.Lookup(pq.Colour.Name); ok {
						params["colour"], params["palette"], found = c.Hex, string(w.ID), true
						break
					}
				}
				if !found {
					return SearchQuery{}, api.Invalid("q", fmt.Sprintf("%q is an everyday colour name, and the whole-photo average names colours on the two wheels only; name a wheel colour, or measure the colour on the vegetable (method foreground).", pq.Colour.Name), nil)
				}
			}
		}
		if pq.Count > 0 {
			params["count"] = strconv.Itoa(pq.Count)
		}
	}
	q := SearchQuery{Palette: veglens.PaletteRGB, Method: veglens.MethodForeground, Count: DefaultCount}
	if v := strings.ToLower(strings.TrimSpace(params["palette"])); v != "" {
		p, ok := veglens.PaletteByID(v)
		if !ok {
			return q, api.Invalid("palette", fmt.Sprintf("There is no palette %q.", clip(params["palette"])), paletteIDs())
		}
		q.Palette = p.ID
	}
	if v := strings.ToLower(strings.TrimSpace(params["method"])); v != "" {
		var names []string
		for _, m := range veglens.Methods() {
			names = append(names, string(m))
		}
		if !slices.Contains(names, v) {
			return q, api.Invalid("method", fmt.Sprintf("There is no colour method %q.", clip(params["method"])), names)
		}
		q.Method = veglens.Method(v)
	}
	if q.Method == veglens.MethodReference && q.Palette == veglens.PaletteCommon {
		return q, api.Invalid("palette", "The reference method (the whole-photo average) names wheel colours only; use palette rgb or ryb with it, or the foreground method for common names.", []string{string(veglens.PaletteRGB), string(veglens.PaletteRYB)})
	}
	if v := strings.TrimSpace(params["count"]); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > veglens.MaxCount {
			return q, api.Invalid("count", fmt.Sprintf("count must be a whole number from 1 to %d, not %q.", veglens.MaxCount, clip(params["count"])), nil)
		}
		q.Count = n
	}
	if v := strings.TrimSpace(params["kind"]); v != "" {
		k, ok := h.kinds.Lookup(v)
		if !ok {
			return q, api.Invalid("kind", fmt.Sprintf("There is no kind %q.", clip(v)), h.kinds.List())
		}
		q.Kind = &k
	}
	if v := strings.TrimSpace(params["colour"]); v != "" {
		pal, _ := veglens.PaletteByID(string(q.Palette))
		c, ok := pal.Lookup(v)
		if !ok {
			names := make([]string, 0, len(pal.Colours))
			for _, c := range pal.Colours {
				names = append(names, c.Name)
			}
			msg := fmt.Sprintf("There is no colour %q on the %s wheel; use a name or hex code from it.", clip(v), strings.ToUpper(string(q.Palette)))
			if _, common := veglens.CommonNames.Lookup(v); common {
				msg = fmt.Sprintf("There is no colour %q on the %s wheel; it is an everyday colour name: search it with palette=common.", clip(v), strings.ToUpper(string(q.Palette)))
			}
			if q.Palette == veglens.PaletteCommon {
				msg = fmt.Sprintf("There is no common colour name %q; use one of the names listed.", clip(v))
			}
			return q, api.Invalid("colour", msg, names)
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
	s := veglens.Search{Method: q.Method, Palette: q.Palette, Count: q.Count}
	if q.Kind != nil {
		s.Kind = *q.Kind
	}
	if q.Colour != nil {
		s.Colour = q.Colour.Hex
	}
	if v := strings.TrimSpace(params["cursor"]); v != "" {
		c, err := veglens.ParseCursor(v)
		if err != nil {
			return SearchResult{}, api.Invalid("cursor", "This cursor was not given out by this API: pass the `next` of the previous page unchanged, or leave it out for the first page.", nil)
		}
		if c.Of != s.Fingerprint() {
			return SearchResult{}, api.Invalid("cursor", "This cursor belongs to another search: repeat that search's kind, colour, palette and method with it (only count may change), or leave it out for the first page.", nil)
		}
		s.After = &c
	}
	page, err := h.images.Search(ctx, s)
	if err != nil {
		return SearchResult{}, err
	}
	res := SearchResult{Query: q, Total: page.Total, TotalCapped: page.TotalCapped, Images: make([]Image, 0, len(page.Images)), Alternatives: []Alternative{}}
	if page.Next != nil {
		c := *page.Next
		c.Of = s.Fingerprint()
		next := c.String()
		res.Next = &next
	}
	for _, im := range page.Images {
		out, err := h.toImage(ctx, im)
		if err != nil {
			return SearchResult{}, err
		}
		res.Images = append(res.Images, out)
	}
	if page.Total == 0 && q.Colour != nil && s.After == nil {
		res.Alternatives, err = h.alternatives(ctx, s.Kind, *q.Colour, q.Method, q.Palette)
		if err != nil {
			return SearchResult{}, err
		}
	}
	return res, nil
}

// alternatives lists the colours the kind does come in, nearest to the
// asked-for colour on the wheel first (then most frequent).
func (h *Handler) alternatives(ctx context.Context, kind string, want veglens.Colour, m veglens.Method, p veglens.PaletteID) ([]Alternative, error) {
	counts, err := h.images.ColourCounts(ctx, kind, m, p)
	if err != nil {
		return nil, err
	}
	pal, _ := veglens.PaletteByID(string(p))
	wheel := pal.Colours
	pos := func(hex string) int {
		return slices.IndexFunc(wheel, func(c veglens.Colour) bool { return c.Hex == hex })
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
		if p == veglens.PaletteCommon {
			d = 0 // the common names are not a wheel: most frequent first
		}
		alts = append(alts, alt{Alternative{Colour: wheel[i], Palette: p, Count: c.Count}, d})
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
	if m == veglens.MethodForeground && p != veglens.PaletteCommon {
		// Neutral vegetables have no wheel colour: offer them by their
		// word (white, grey or black; only neutral ones get those words).
		words, err := h.images.ColourCounts(ctx, kind, veglens.MethodForeground, veglens.PaletteCommon)
		if err != nil {
			return nil, err
		}
		for _, c := range words {
			if w, ok := veglens.CommonNames.Lookup(c.Hex); ok && c.Count > 0 && veglens.IsNeutralName(w.Name) {
				out = append(out, Alternative{Colour: w, Palette: veglens.PaletteCommon, Count: c.Count})
			}
		}
	}
	return out, nil
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func paletteIDs() []string {
	var ids []string
	for _, p := range veglens.Palettes() {
		ids = append(ids, string(p.ID))
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

func (h *Handler) listKinds(ctx context.Context) (map[string][]KindInfo, error) {
	sum, err := h.images.Kinds(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]KindInfo, 0, len(h.kinds.List()))
	for _, k := range h.kinds.List() {
		s := sum[k]
		info := KindInfo{Name: k, Label: veglens.KindLabel(k), Count: s.Count}
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

type methodJSON struct {
	ID          veglens.Method `json:"id"`
	Description string         `json:"description"`
}

type paletteList struct {
	Palettes []veglens.Palette `json:"palettes"`
	Methods  []methodJSON      `json:"methods"`
}

func (h *Handler) listPalettes() paletteList {
	out := paletteList{Methods: []methodJSON{
		{ID: veglens.MethodForeground, Description: "The colour of the vegetable itself: where the classifier found it, with the background left out. Named on both wheels and in common words."},
		{ID: veglens.MethodReference, Description: "Whole-photo average (the original thesis rule): the wheel colour nearest every pixel on average, background included, which is why it often says orange."},
	}}
	out.Palettes = veglens.Palettes()
	return out
}

// ---------------------------------------------------------------- stats

type kindCount struct {
	Kind  string `json:"kind"`
	Count int    `json:"count"`
}

type colourCount struct {
	Colour veglens.Colour `json:"colour"`
	Count  int            `json:"count"`
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
	// Agreement compares predictions with people's own labels.
	Agreement agreementJSON `json:"agreement"`
}

// agreementJSON is veglens.LabelAgreement with its window in days and the
// share that agree (nil when there are no labels).
type agreementJSON struct {
	Days   int       `json:"days"`
	Since  time.Time `json:"since"`
	Labels int       `json:"labels"`
	Agree  int       `json:"agree"`
	Share  *float64  `json:"share"`
}

func (h *Handler) stats(ctx context.Context) (StatsResult, error) {
	st, err := h.images.Stats(ctx, RecentImages)
	if err != nil {
		return StatsResult{}, err
	}
	out := StatsResult{
		Images: st.Images, Done: st.Done, Pending: st.Pending, Rejected: st.Rejected, Refused: st.Refused,
		Kinds:   make([]kindCount, 0, len(h.kinds.List())),
		Colours: map[string][]colourCount{},
		Speed:   speedJSON{Samples: st.Speed.Samples, P50: round(st.Speed.P50), P90: round(st.Speed.P90), P99: round(st.Speed.P99)},
		Series:  make([]seriesJSON, 0, len(st.Series)),
	}
	for _, k := range h.kinds.List() {
		out.Kinds = append(out.Kinds, kindCount{Kind: k, Count: st.Kinds[k]})
	}
	for _, pc := range []struct {
		p      veglens.PaletteID
		counts []veglens.ColourCount
	}{{veglens.PaletteRGB, st.ColoursRGB}, {veglens.PaletteRYB, st.ColoursRYB}} {
		n := map[string]int{}
		for _, c := range pc.counts {
			n[c.Hex] = c.Count
		}
		list := []colourCount{}
		pal, _ := veglens.PaletteByID(string(pc.p))
		for _, c := range pal.Colours {
			list = append(list, colourCount{Colour: c, Count: n[c.Hex]})
		}
		out.Colours[string(pc.p)] = list
	}
	for _, p := range st.Series {
		out.Series = append(out.Series, seriesJSON{Start: p.Start.UTC(), Images: p.Images, P50: round(p.P50), P99: round(p.P99)})
	}
	a := st.Agreement
	out.Agreement = agreementJSON{Days: int(veglens.AgreementWindow.Hours() / 24), Since: a.Since.UTC(), Labels: a.Labels, Agree: a.Agree}
	if a.Labels > 0 {
		share := math.Round(float64(a.Agree)/float64(a.Labels)*1e4) / 1e4
		out.Agreement.Share = &share
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
