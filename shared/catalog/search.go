package catalog

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/veglens/veglens/shared/veglens"
)

// where builds the search's WHERE clause. The shapes it produces are the ones
// the partial indexes in the migration are built for.
func where(q veglens.Search) (string, []any, error) {
	col, err := colourColumn(q.Method, q.Palette)
	if err != nil {
		return "", nil, err
	}
	conds := []string{"searchable"}
	var args []any
	if q.Colour != "" {
		args = append(args, q.Colour)
		conds = append(conds, col+" = $"+strconv.Itoa(len(args)))
	}
	if q.Kind != "" {
		args = append(args, q.Kind)
		conds = append(conds, "kind = $"+strconv.Itoa(len(args)))
	}
	return strings.Join(conds, " AND "), args, nil
}

// Search returns up to q.Count matching images, most confident first (ties
// by id, highest first), the page after q.After when it is set, and the
// number of matches counted up to veglens.TotalCap, in one round trip.
//
// Both queries read one index range: the count stops after TotalCap + 1
// entries, and the page starts right after the cursor through a row
// comparison in the index's own order (keyset pagination), so no search
// costs more with a million rows than with ten thousand.
func (s *Store) Search(ctx context.Context, q veglens.Search) (veglens.Page, error) {
	if q.Count < 1 || q.Count > veglens.MaxCount {
		return veglens.Page{}, fmt.Errorf("search: count %d outside 1..%d", q.Count, veglens.MaxCount)
	}
	where, args, err := where(q)
	if err != nil {
		return veglens.Page{}, fmt.Errorf("search: %w", err)
	}
	pageWhere, pageArgs := where, args
	if q.After != nil {
		if _, err := uuid.Parse(q.After.ID); err != nil {
			return veglens.Page{}, fmt.Errorf("search: %w", veglens.ErrBadCursor)
		}
		pageArgs = append(append([]any{}, args...), q.After.Confidence, q.After.ID)
		pageWhere += fmt.Sprintf(" AND (confidence, id) < ($%d::real, $%d::uuid)", len(pageArgs)-1, len(pageArgs))
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT count(*) FROM (SELECT FROM images WHERE `+where+` LIMIT `+strconv.Itoa(veglens.TotalCap+1)+`) m`, args...)
	// The page is chosen from the index alone (an index-only scan), one
	// more than asked to know whether another page follows, and only the
	// chosen rows are then read from the table.
	b.Queue(`SELECT `+imageColumns+`, confidence FROM images WHERE id IN (SELECT id FROM images WHERE `+pageWhere+
		` ORDER BY confidence DESC, id DESC LIMIT `+strconv.Itoa(q.Count+1)+`) ORDER BY confidence DESC, id DESC`, pageArgs...)
	res := s.pool.SendBatch(ctx, b)
	defer res.Close()
	var page veglens.Page
	if err := res.QueryRow().Scan(&page.Total); err != nil {
		return veglens.Page{}, fmt.Errorf("search: count: %w", s.check(err))
	}
	if page.Total > veglens.TotalCap {
		page.Total, page.TotalCapped = veglens.TotalCap, true
	}
	rows, err := res.Query()
	if err != nil {
		return veglens.Page{}, fmt.Errorf("search: %w", s.check(err))
	}
	page.Images = make([]veglens.Image, 0, q.Count)
	var last veglens.Cursor
	for rows.Next() {
		var conf float32
		im, err := scanImage(extraColumn{rows, &conf})
		if err != nil {
			rows.Close()
			return veglens.Page{}, fmt.Errorf("search: %w", s.check(err))
		}
		if len(page.Images) == q.Count {
			page.Next = &last // one more than the page: another follows
			break
		}
		page.Images = append(page.Images, im)
		last = veglens.Cursor{Confidence: conf, ID: im.ID}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return veglens.Page{}, fmt.Errorf("search: %w", s.check(err))
	}
	return page, nil
}

// extraColumn scans a row of imageColumns followed by one more column
// (the stored confidence, as real: a cursor must repeat it exactly).
type extraColumn struct {
	pgx.Row
	extra any
}

func (r extraColumn) Scan(dest ...any) error { return r.Row.Scan(append(dest, r.extra)...) }

// ColourCounts counts public labelled images of a kind (any kind when empty)
// per dominant colour for a method and palette, most frequent first. The
// search uses it to offer alternatives when a combination has no images.
func (s *Store) ColourCounts(ctx context.Context, kind string, m veglens.Method, p veglens.PaletteID) ([]veglens.ColourCount, error) {
	col, err := colourColumn(m, p)
	if err != nil {
		return nil, fmt.Errorf("colour counts: %w", err)
	}
	where, args := "searchable AND "+col+" IS NOT NULL", []any{}
	if kind != "" {
		where += " AND kind = $1"
		args = append(args, kind)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+col+`, count(*) FROM images WHERE `+where+
		` GROUP BY 1 ORDER BY 2 DESC, 1`, args...)
	if err != nil {
		return nil, fmt.Errorf("colour counts: %w", s.check(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (veglens.ColourCount, error) {
		var c veglens.ColourCount
		return c, r.Scan(&c.Hex, &c.Count)
	})
	if err != nil {
		return nil, fmt.Errorf("colour counts: %w", s.check(err))
	}
	return out, nil
}

// Kinds summarises every kind that has public labelled images or gallery
// examples, keyed by kind.
func (s *Store) Kinds(ctx context.Context) (map[string]veglens.KindSummary, error) {
	out := map[string]veglens.KindSummary{}
	rows, err := s.pool.Query(ctx, `SELECT kind, count(*) FROM images WHERE searchable GROUP BY kind`)
	if err != nil {
		return nil, fmt.Errorf("kinds: %w", s.check(err))
	}
	var kind string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&kind, &n}, func() error {
		out[kind] = veglens.KindSummary{Count: n}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("kinds: %w", s.check(err))
	}
	rows, err = s.pool.Query(ctx, `
		SELECT DISTINCT ON (kind) kind, object_key, coalesce(thumbnail_key, '')
		FROM images WHERE searchable AND source = 'dataset' AND kind = true_kind
		ORDER BY kind, confidence DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("kinds: examples: %w", s.check(err))
	}
	var key, thumb string
	_, err = pgx.ForEachRow(rows, []any{&kind, &key, &thumb}, func() error {
		k := out[kind]
		k.ExampleKey, k.ExampleThumb = key, thumb
		out[kind] = k
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("kinds: examples: %w", s.check(err))
	}
	return out, nil
}

// Stats counts images per status, kind and colour, and computes labelling
// speed percentiles over the `recent` most recently labelled images and a
// per-minute series over the hour ending at the latest one.
func (s *Store) Stats(ctx context.Context, recent int) (veglens.Stats, error) {
	if recent < 1 {
		recent = 1000
	}
	b := &pgx.Batch{}
	// A pending upload whose link expired more than veglens.UploadGrace
	// ago will never arrive: it counts as rejected (veglens.Image.Expired).
	b.Queue(`WITH c AS (SELECT now() - make_interval(secs => $1) AS cutoff)
		SELECT count(*),
		count(*) FILTER (WHERE status = 'done'),
		count(*) FILTER (WHERE status = 'pending' AND (expires_at IS NULL OR expires_at >= c.cutoff)),
		count(*) FILTER (WHERE status = 'rejected' OR (status = 'pending' AND expires_at < c.cutoff)),
		count(*) FILTER (WHERE status = 'done' AND refused)
		FROM images, c`, veglens.UploadGrace.Seconds())
	b.Queue(`SELECT kind, count(*) FROM images WHERE status = 'done' AND NOT refused GROUP BY kind ORDER BY kind`)
	b.Queue(`SELECT fg_rgb, count(*) FROM images WHERE status = 'done' AND NOT refused AND fg_rgb IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1`)
	b.Queue(`SELECT fg_ryb, count(*) FROM images WHERE status = 'done' AND NOT refused AND fg_ryb IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1`)
	b.Queue(`SELECT count(*),
		percentile_cont(0.5) WITHIN GROUP (ORDER BY total_ms),
		percentile_cont(0.9) WITHIN GROUP (ORDER BY total_ms),
		percentile_cont(0.99) WITHIN GROUP (ORDER BY total_ms)
		FROM (SELECT total_ms FROM images WHERE status = 'done' AND total_ms IS NOT NULL
		      ORDER BY updated_at DESC LIMIT $1) recent`, recent)
	b.Queue(`WITH latest AS (SELECT max(updated_at) AS t FROM images WHERE status = 'done')
		SELECT date_trunc('minute', i.updated_at) AS minute, count(*),
			percentile_cont(0.5) WITHIN GROUP (ORDER BY i.total_ms),
			percentile_cont(0.99) WITHIN GROUP (ORDER BY i.total_ms)
		FROM images i, latest
		WHERE i.status = 'done' AND i.updated_at > date_trunc('minute', latest.t) - interval '59 minutes'
		GROUP BY 1 ORDER BY 1`)
	// A label agrees when it names the predicted kind, or "not a vegetable"
	// (NULL) for a refused photo (veglens.UserLabel.Agrees).
	b.Queue(`SELECT now() - make_interval(secs => $1), count(*),
		count(*) FILTER (WHERE u.kind IS NOT DISTINCT FROM CASE WHEN i.refused THEN NULL ELSE i.kind END)
		FROM user_labels u JOIN images i ON i.id = u.image_id
		WHERE u.updated_at > now() - make_interval(secs => $1)`, veglens.AgreementWindow.Seconds())
	res := s.pool.SendBatch(ctx, b)
	defer res.Close()

	var st veglens.Stats
	if err := res.QueryRow().Scan(&st.Images, &st.Done, &st.Pending, &st.Rejected, &st.Refused); err != nil {
		return veglens.Stats{}, fmt.Errorf("stats: counts: %w", s.check(err))
	}
	st.Kinds = map[string]int{}
	rows, err := res.Query()
	if err != nil {
		return veglens.Stats{}, fmt.Errorf("stats: kinds: %w", s.check(err))
	}
	var kind *string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&kind, &n}, func() error {
		if kind != nil {
			st.Kinds[*kind] = n
		}
		return nil
	}); err != nil {
		return veglens.Stats{}, fmt.Errorf("stats: kinds: %w", s.check(err))
	}
	for _, dst := range []*[]veglens.ColourCount{&st.ColoursRGB, &st.ColoursRYB} {
		rows, err := res.Query()
		if err != nil {
			return veglens.Stats{}, fmt.Errorf("stats: colours: %w", s.check(err))
		}
		cc, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (veglens.ColourCount, error) {
			var c veglens.ColourCount
			return c, r.Scan(&c.Hex, &c.Count)
		})
		if err != nil {
			return veglens.Stats{}, fmt.Errorf("stats: colours: %w", s.check(err))
		}
		*dst = cc
	}
	if err := res.QueryRow().Scan(&st.Speed.Samples, &st.Speed.P50, &st.Speed.P90, &st.Speed.P99); err != nil {
		return veglens.Stats{}, fmt.Errorf("stats: speed: %w", s.check(err))
	}
	rows, err = res.Query()
	if err != nil {
		return veglens.Stats{}, fmt.Errorf("stats: series: %w", s.check(err))
	}
	st.Series, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (veglens.SeriesPoint, error) {
		var p veglens.SeriesPoint
		return p, r.Scan(&p.Start, &p.Images, &p.P50, &p.P99)
	})
	if err != nil {
		return veglens.Stats{}, fmt.Errorf("stats: series: %w", s.check(err))
	}
	a := &st.Agreement
	if err := res.QueryRow().Scan(&a.Since, &a.Labels, &a.Agree); err != nil {
		return veglens.Stats{}, fmt.Errorf("stats: agreement with user labels: %w", s.check(err))
	}
	return st, nil
}

// Similar returns up to count public labelled images whose similarity keys
// are nearest to image id's (Euclidean distance between unit keys), nearest
// first, with their cosine similarity; the image itself is left out. The
// search walks the images_similar HNSW index (pgvector), which is
// approximate: hnsw.ef_search, the size of its candidate list, is set to
// twice count (at least 40, pgvector's default), which on the shipped
// model's keys finds the same neighbours as an exact scan (BenchmarkSimilar
// measures the recall). The image may itself be private or refused: it is
// only the point searched from. Errors: veglens.ErrNotFound (no such
// image), veglens.ErrNotComparable (it has no key).
func (s *Store) Similar(ctx context.Context, id string, count int) ([]veglens.Neighbour, error) {
	if count < 1 || count > veglens.MaxCount {
		return nil, fmt.Errorf("similar: count %d outside 1..%d", count, veglens.MaxCount)
	}
	if _, err := uuid.Parse(id); err != nil {
		return nil, fmt.Errorf("similar to %q: %w", id, veglens.ErrNotFound)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("similar to %s: %w", id, s.check(err))
	}
	defer tx.Rollback(ctx) // read only: nothing to keep
	// One round trip for both: the first sets the candidate list for this
	// transaction (and says whether the photo has a key), the second
	// searches. The scalar subquery is evaluated once (an InitPlan), so the
	// ORDER BY compares every row with a constant vector: an index scan.
	b := &pgx.Batch{}
	b.Queue(`SELECT similarity_key IS NOT NULL, set_config('hnsw.ef_search', $2, true)
		FROM images WHERE id = $1`, id, strconv.Itoa(max(40, 2*count)))
	b.Queue(`SELECT `+imageColumns+`, d FROM (
			SELECT id AS near_id, similarity_key <-> (SELECT similarity_key FROM images WHERE id = $1) AS d
			FROM images WHERE searchable AND id <> $1 AND similarity_key IS NOT NULL
			ORDER BY similarity_key <-> (SELECT similarity_key FROM images WHERE id = $1)
			LIMIT `+strconv.Itoa(count)+`) n
		JOIN images ON images.id = n.near_id
		ORDER BY d, images.id`, id)
	res := tx.SendBatch(ctx, b)
	defer res.Close()
	var hasKey bool
	err = res.QueryRow().Scan(&hasKey, new(string))
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, fmt.Errorf("similar to %s: %w", id, veglens.ErrNotFound)
	case err != nil:
		return nil, fmt.Errorf("similar to %s: %w", id, s.check(err))
	case !hasKey:
		return nil, fmt.Errorf("similar to %s: %w", id, veglens.ErrNotComparable)
	}
	rows, err := res.Query()
	if err != nil {
		return nil, fmt.Errorf("similar to %s: %w", id, s.check(err))
	}
	defer rows.Close()
	out := make([]veglens.Neighbour, 0, count)
	for rows.Next() {
		var d float64
		im, err := scanImage(withExtra{rows, &d})
		if err != nil {
			return nil, fmt.Errorf("similar to %s: %w", id, s.check(err))
		}
		out = append(out, veglens.Neighbour{Image: im, Similarity: veglens.KeySimilarity(d)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("similar to %s: %w", id, s.check(err))
	}
	return out, nil
}

// withExtra scans a row of imageColumns followed by more columns into
// scanImage's targets and extra.
type withExtra struct {
	row   pgx.Row
	extra any
}

func (w withExtra) Scan(dest ...any) error { return w.row.Scan(append(dest, w.extra)...) }
