package fakes

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/veglens/veglens/shared/veglens"
)

// ImageStore is an in-memory veglens.ImageStore. The zero value is not
// ready; use NewImageStore. Safe for concurrent use.
type ImageStore struct {
	mu    sync.Mutex
	byKey map[string]*veglens.Image
	keys  map[string][]float32 // similarity keys by object key (reads leave them out, as the catalog's do)
	// labels are user labels by image id; buckets the rate-limit token
	// buckets by client.
	labels  map[string]veglens.UserLabel
	buckets map[string]tokenBucket
	down    error
	now     func() time.Time
}

var _ veglens.ImageStore = (*ImageStore)(nil)

// NewImageStore returns an empty store.
func NewImageStore() *ImageStore {
	return &ImageStore{byKey: map[string]*veglens.Image{}, keys: map[string][]float32{}, now: time.Now,
		labels: map[string]veglens.UserLabel{}, buckets: map[string]tokenBucket{}}
}

// SetClock makes the store stamp rows (CreatedAt, UpdatedAt) with now()
// instead of the time of day.
func (s *ImageStore) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// Down makes every later call fail with err wrapped in
// veglens.ErrUnavailable, as the catalog does when PostgreSQL is down; nil
// brings the store back.
func (s *ImageStore) Down(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = err
}

// check fails an operation as the catalog does when the database is down or
// the caller's time is up.
func (s *ImageStore) check(ctx context.Context, op string) error {
	if s.down != nil {
		return fmt.Errorf("%s: %w: %w", op, veglens.ErrUnavailable, s.down)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w: %w", op, veglens.ErrUnavailable, err)
	}
	return nil
}

// canonicalID is the id's standard text form, as PostgreSQL's uuid type
// stores it; ok is false for anything uuid.Parse refuses.
func canonicalID(id string) (string, bool) {
	u, err := uuid.Parse(id)
	if err != nil {
		return "", false
	}
	return u.String(), true
}

// checkColour refuses what the catalog has no column for.
func checkColour(m veglens.Method, p veglens.PaletteID) error {
	if (m != veglens.MethodForeground && m != veglens.MethodReference) || (p != veglens.PaletteRGB && p != veglens.PaletteRYB && p != veglens.PaletteCommon) {
		return fmt.Errorf("unknown colour method %q or palette %q", m, p)
	}
	if m == veglens.MethodReference && p == veglens.PaletteCommon {
		return fmt.Errorf("the reference method names wheel colours only, not common names")
	}
	return nil
}

// All returns every image, oldest first (for assertions).
func (s *ImageStore) All() []veglens.Image {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]veglens.Image, 0, len(s.byKey))
	for _, im := range s.byKey {
		out = append(out, clone(*im))
	}
	slices.SortFunc(out, func(a, b veglens.Image) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.Key, b.Key))
	})
	return out
}

// CreatePending implements veglens.ImageStore.
func (s *ImageStore) CreatePending(ctx context.Context, p veglens.NewPending) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "create pending image"); err != nil {
		return err
	}
	id, ok := canonicalID(p.ID)
	if !ok {
		return fmt.Errorf("create pending image: id %q is not a UUID", p.ID)
	}
	if _, ok := s.byKey[p.Key]; ok {
		return nil
	}
	if s.idTaken(id) {
		return fmt.Errorf("create pending image %s: id %s belongs to another image", p.Key, id)
	}
	now := s.now()
	s.byKey[p.Key] = &veglens.Image{ID: id, Bucket: p.Bucket, Key: p.Key,
		Source: veglens.SourceUpload, Listed: p.Listed, Status: veglens.StatusPending, ExpiresAt: p.ExpiresAt, CreatedAt: now, UpdatedAt: now}
	return nil
}

// Get implements veglens.ImageStore.
func (s *ImageStore) Get(ctx context.Context, id string) (veglens.Image, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "get image"); err != nil {
		return veglens.Image{}, err
	}
	if id, ok := canonicalID(id); ok {
		for _, im := range s.byKey {
			if im.ID == id {
				return s.read(im), nil
			}
		}
	}
	return veglens.Image{}, fmt.Errorf("get image %s: %w", id, veglens.ErrNotFound)
}

// GetByKey implements veglens.ImageStore.
func (s *ImageStore) GetByKey(ctx context.Context, key string) (veglens.Image, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "get image"); err != nil {
		return veglens.Image{}, err
	}
	if im, ok := s.byKey[key]; ok {
		return s.read(im), nil
	}
	return veglens.Image{}, fmt.Errorf("get image %s: %w", key, veglens.ErrNotFound)
}

// Upsert implements veglens.ImageStore: the first write of a key inserts
// (keeping im.ID when it is a free UUID), later ones update in place keeping
// id, creation time, source and listing.
func (s *ImageStore) Upsert(ctx context.Context, im veglens.Image) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "upsert image"); err != nil {
		return "", err
	}
	if im.Status != veglens.StatusDone && im.Status != veglens.StatusRejected {
		return "", fmt.Errorf("upsert %s: status must be done or rejected, not %q", im.Key, im.Status)
	}
	if im.Source != veglens.SourceUpload && im.Source != veglens.SourceDataset {
		return "", fmt.Errorf("upsert %s: unknown source %q", im.Key, im.Source)
	}
	now := s.now()
	if old, ok := s.byKey[im.Key]; ok {
		im.ID, im.CreatedAt, im.Source, im.Listed = old.ID, old.CreatedAt, old.Source, old.Listed
		if old.ETag != im.ETag {
			delete(s.labels, old.ID) // a new picture under the key: the label was about the old one
		}
	} else {
		if id, ok := canonicalID(im.ID); ok && !s.idTaken(id) {
			im.ID = id
		} else {
			im.ID = uuid.NewString()
		}
		im.CreatedAt = now
	}
	im.UpdatedAt = now
	if len(im.SimilarityKey) > 0 {
		s.keys[im.Key] = slices.Clone(im.SimilarityKey)
	} else {
		delete(s.keys, im.Key)
	}
	c := clone(im)
	c.SimilarityKey = nil
	s.byKey[im.Key] = &c
	return im.ID, nil
}

// read is a stored image as the catalog reads it: a copy, without its
// similarity key but saying whether it has one.
func (s *ImageStore) read(im *veglens.Image) veglens.Image {
	out := clone(*im)
	out.SimilarityKey, out.HasSimilarityKey = nil, s.keys[im.Key] != nil
	return out
}

func (s *ImageStore) idTaken(id string) bool {
	for _, im := range s.byKey {
		if im.ID == id {
			return true
		}
	}
	return false
}

// searchable mirrors the catalog's generated column: labelled, not
// refused, and from the gallery or an upload its sender listed.
func searchable(im *veglens.Image) bool {
	return im.Status == veglens.StatusDone && !im.Refused && im.Kind != "" &&
		(im.Source == veglens.SourceDataset || im.Listed)
}

// Search implements veglens.ImageStore: most confident first, then by id.
func (s *ImageStore) Search(ctx context.Context, q veglens.Search) (veglens.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "search"); err != nil {
		return veglens.Page{}, err
	}
	if q.Count < 1 || q.Count > veglens.MaxCount {
		return veglens.Page{}, fmt.Errorf("search: count %d outside 1..%d", q.Count, veglens.MaxCount)
	}
	if err := checkColour(q.Method, q.Palette); err != nil {
		return veglens.Page{}, fmt.Errorf("search: %w", err)
	}
	var match []veglens.Image
	for _, im := range s.byKey {
		if !searchable(im) || (q.Kind != "" && im.Kind != q.Kind) ||
			(q.Colour != "" && (im.Colours == nil || im.Colours.Searchable(q.Method, q.Palette).Hex != q.Colour)) {
			continue
		}
		match = append(match, s.read(im))
	}
	// The catalog stores confidence as real (float32) and ties by id,
	// highest first.
	pos := func(im veglens.Image) veglens.Cursor {
		return veglens.Cursor{Confidence: float32(im.Confidence), ID: im.ID}
	}
	before := func(a, b veglens.Cursor) int { // < 0 when a comes first
		return cmp.Or(cmp.Compare(b.Confidence, a.Confidence), strings.Compare(b.ID, a.ID))
	}
	slices.SortFunc(match, func(a, b veglens.Image) int { return before(pos(a), pos(b)) })
	page := veglens.Page{Total: min(len(match), veglens.TotalCap), TotalCapped: len(match) > veglens.TotalCap}
	if q.After != nil {
		i, _ := slices.BinarySearchFunc(match, *q.After, func(im veglens.Image, c veglens.Cursor) int { return before(pos(im), c) })
		if i < len(match) && before(pos(match[i]), *q.After) == 0 {
			i++
		}
		match = match[i:]
	}
	page.Images = match[:min(q.Count, len(match))]
	if len(match) > q.Count {
		next := pos(page.Images[q.Count-1])
		page.Next = &next
	}
	return page, nil
}

// Similar implements veglens.ImageStore: the nearest keys by Euclidean
// distance, then by id, over every searchable image but the one asked about.
func (s *ImageStore) Similar(ctx context.Context, id string, count int) ([]veglens.Neighbour, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "similar"); err != nil {
		return nil, err
	}
	if count < 1 || count > veglens.MaxCount {
		return nil, fmt.Errorf("similar: count %d outside 1..%d", count, veglens.MaxCount)
	}
	cid, ok := canonicalID(id)
	var from *veglens.Image
	for _, im := range s.byKey {
		if ok && im.ID == cid {
			from = im
		}
	}
	if from == nil {
		return nil, fmt.Errorf("similar to %s: %w", id, veglens.ErrNotFound)
	}
	point := s.keys[from.Key]
	if point == nil {
		return nil, fmt.Errorf("similar to %s: %w", id, veglens.ErrNotComparable)
	}
	var out []veglens.Neighbour
	for key, im := range s.byKey {
		k := s.keys[key]
		if im == from || k == nil || !searchable(im) {
			continue
		}
		var d2 float64
		for i := range min(len(k), len(point)) {
			d := float64(k[i]) - float64(point[i])
			d2 += d * d
		}
		out = append(out, veglens.Neighbour{Image: s.read(im), Similarity: veglens.KeySimilarity(math.Sqrt(d2))})
	}
	slices.SortFunc(out, func(a, b veglens.Neighbour) int {
		return cmp.Or(cmp.Compare(b.Similarity, a.Similarity), strings.Compare(a.Image.ID, b.Image.ID))
	})
	return out[:min(count, len(out))], nil
}

// ColourCounts implements veglens.ImageStore.
func (s *ImageStore) ColourCounts(ctx context.Context, kind veglens.Kind, m veglens.Method, p veglens.PaletteID) ([]veglens.ColourCount, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "colour counts"); err != nil {
		return nil, err
	}
	if err := checkColour(m, p); err != nil {
		return nil, fmt.Errorf("colour counts: %w", err)
	}
	n := map[string]int{}
	for _, im := range s.byKey {
		if searchable(im) && im.Colours != nil && (kind == "" || im.Kind == kind) {
			if hex := im.Colours.Searchable(m, p).Hex; hex != "" {
				n[hex]++
			}
		}
	}
	return sortedCounts(n), nil
}

func sortedCounts(n map[string]int) []veglens.ColourCount {
	out := make([]veglens.ColourCount, 0, len(n))
	for hex, c := range n {
		out = append(out, veglens.ColourCount{Hex: hex, Count: c})
	}
	slices.SortFunc(out, func(a, b veglens.ColourCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Hex, b.Hex))
	})
	return out
}

// Kinds implements veglens.ImageStore.
func (s *ImageStore) Kinds(ctx context.Context) (map[veglens.Kind]veglens.KindSummary, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "kinds"); err != nil {
		return nil, err
	}
	out := map[veglens.Kind]veglens.KindSummary{}
	best := map[veglens.Kind]*veglens.Image{}
	for _, im := range s.byKey {
		if !searchable(im) {
			continue
		}
		k := out[im.Kind]
		k.Count++
		out[im.Kind] = k
		if im.Source == veglens.SourceDataset && im.Kind == im.TrueKind {
			if b := best[im.Kind]; b == nil || im.Confidence > b.Confidence || (im.Confidence == b.Confidence && im.ID < b.ID) {
				best[im.Kind] = im
			}
		}
	}
	for kind, im := range best {
		k := out[kind]
		k.ExampleKey, k.ExampleThumb = im.Key, im.ThumbnailKey
		out[kind] = k
	}
	return out, nil
}

// Stats implements veglens.ImageStore. Unlike the catalog, which
// interpolates (percentile_cont) and builds the per-minute series from every
// row of the last hour, percentiles here are nearest-rank and the series
// covers the `recent` most recent rows only: equal for the small sets tests
// use, not in general.
func (s *ImageStore) Stats(ctx context.Context, recent int) (veglens.Stats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "stats"); err != nil {
		return veglens.Stats{}, err
	}
	if recent < 1 {
		recent = 1000
	}
	st := veglens.Stats{Kinds: map[veglens.Kind]int{}}
	rgb, ryb := map[string]int{}, map[string]int{}
	var timed []*veglens.Image
	for _, im := range s.byKey {
		st.Images++
		switch im.Status {
		case veglens.StatusDone:
			st.Done++
			if im.Refused {
				st.Refused++
			} else {
				st.Kinds[im.Kind]++
				if im.Colours != nil { // as the catalog's columns: none for a neutral vegetable
					if hex := im.Colours.Searchable(veglens.MethodForeground, veglens.PaletteRGB).Hex; hex != "" {
						rgb[hex]++
					}
					if hex := im.Colours.Searchable(veglens.MethodForeground, veglens.PaletteRYB).Hex; hex != "" {
						ryb[hex]++
					}
				}
			}
		case veglens.StatusPending:
			if im.Expired(s.now()) {
				st.Rejected++
			} else {
				st.Pending++
			}
		case veglens.StatusRejected:
			st.Rejected++
		}
		if im.Status == veglens.StatusDone && im.Timings != nil {
			timed = append(timed, im)
		}
	}
	st.ColoursRGB, st.ColoursRYB = sortedCounts(rgb), sortedCounts(ryb)
	sort.Slice(timed, func(i, j int) bool { return timed[i].UpdatedAt.After(timed[j].UpdatedAt) })
	timed = timed[:min(recent, len(timed))]
	ms := make([]float64, len(timed))
	for i, im := range timed {
		ms[i] = im.Timings.TotalMs
	}
	st.Speed = veglens.Speed{Samples: len(ms), P50: percentile(ms, 0.5), P90: percentile(ms, 0.9), P99: percentile(ms, 0.99)}
	if len(timed) > 0 {
		latest := timed[0].UpdatedAt.Truncate(time.Minute)
		byMinute := map[time.Time][]float64{}
		for _, im := range timed {
			m := im.UpdatedAt.Truncate(time.Minute)
			if latest.Sub(m) < time.Hour {
				byMinute[m] = append(byMinute[m], im.Timings.TotalMs)
			}
		}
		for m, v := range byMinute {
			st.Series = append(st.Series, veglens.SeriesPoint{Start: m, Images: len(v), P50: percentile(v, 0.5), P99: percentile(v, 0.99)})
		}
		slices.SortFunc(st.Series, func(a, b veglens.SeriesPoint) int { return a.Start.Compare(b.Start) })
	}
	st.Agreement.Since = s.now().Add(-veglens.AgreementWindow)
	for _, im := range s.byKey {
		if l, ok := s.labels[im.ID]; ok && l.UpdatedAt.After(st.Agreement.Since) {
			st.Agreement.Labels++
			if l.Agrees(*im) {
				st.Agreement.Agree++
			}
		}
	}
	return st, nil
}

// percentile is the nearest-rank percentile of v (q in 0..1), nil when v is
// empty.
func percentile(v []float64, q float64) *float64 {
	if len(v) == 0 {
		return nil
	}
	s := slices.Clone(v)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	x := s[max(0, min(i, len(s)-1))]
	return &x
}

func clone(im veglens.Image) veglens.Image {
	im.Top = slices.Clone(im.Top)
	if im.Colours != nil {
		c := *im.Colours
		for _, r := range []*veglens.PaletteResult{&c.Foreground.RGB, &c.Foreground.RYB, &c.Reference.RGB, &c.Reference.RYB} {
			r.Shares = slices.Clone(r.Shares)
		}
		im.Colours = &c
	}
	if im.Timings != nil {
		t := *im.Timings
		im.Timings = &t
	}
	return im
}

// ExpiredPending implements veglens.ImageStore.
func (s *ImageStore) ExpiredPending(ctx context.Context, now time.Time, limit int) ([]veglens.Image, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "expired pending uploads"); err != nil {
		return nil, err
	}
	var out []veglens.Image
	for _, im := range s.byKey {
		if im.Source == veglens.SourceUpload && im.Expired(now) {
			out = append(out, s.read(im))
		}
	}
	slices.SortFunc(out, func(a, b veglens.Image) int { return a.ExpiresAt.Compare(b.ExpiresAt) })
	return out[:min(len(out), max(limit, 0))], nil
}

// MarkNeverArrived implements veglens.ImageStore.
func (s *ImageStore) MarkNeverArrived(ctx context.Context, key string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "mark never arrived"); err != nil {
		return false, err
	}
	im, ok := s.byKey[key]
	if !ok || im.Status != veglens.StatusPending {
		return false, nil
	}
	im.Status, im.Reason, im.UpdatedAt = veglens.StatusRejected, veglens.NeverArrived, s.now()
	return true, nil
}

// Delete implements veglens.ImageStore.
func (s *ImageStore) Delete(ctx context.Context, key string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "delete image"); err != nil {
		return false, err
	}
	im, ok := s.byKey[key]
	if ok {
		delete(s.labels, im.ID)
	}
	delete(s.byKey, key)
	delete(s.keys, key)
	return ok, nil
}

// DeleteUploadsBefore implements veglens.ImageStore.
func (s *ImageStore) DeleteUploadsBefore(ctx context.Context, t time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "delete uploads"); err != nil {
		return 0, err
	}
	n := 0
	for key, im := range s.byKey {
		if im.Source == veglens.SourceUpload && im.CreatedAt.Before(t) {
			delete(s.labels, im.ID)
			delete(s.byKey, key)
			delete(s.keys, key)
			n++
		}
	}
	return n, nil
}
