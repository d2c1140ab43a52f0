package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/veglens/veglens/shared/veglens"
)

// Store reads and writes image rows through a connection pool.
type Store struct {
	pool *pgxpool.Pool
}

// Open connects a pool to the database at url (DATABASE_URL). It does not
// wait for the database: connections are made when first needed, so a
// function can start while the database is still coming up.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open catalog: parse database URL: %w", err)
	}
	// Plan every search for its actual values: colour and kind frequencies
	// are skewed, and a generic plan picked for the average value can be
	// many times slower for a common one.
	if _, ok := cfg.ConnConfig.RuntimeParams["plan_cache_mode"]; !ok {
		cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open catalog: %w", err)
	}
	return &Store{pool: pool}, nil
}

// New wraps an existing pool.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Pool returns the underlying pool.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close closes the pool.
func (s *Store) Close() { s.pool.Close() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping database: %w", s.check(err))
	}
	return nil
}

// classify marks errors that mean "the database is not reachable right now"
// with veglens.ErrUnavailable, so callers can retry (or tell the client to) rather
// than treat them as bugs.
func classify(err error) error {
	if err == nil || errors.Is(err, veglens.ErrUnavailable) {
		return err
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P0x: shutting down, crashed,
		// cannot connect now; 53300: too many connections.
		if strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P") || pgErr.Code == "53300" {
			return fmt.Errorf("%w: %w", veglens.ErrUnavailable, err)
		}
		return err
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	if errors.As(err, &connErr) || errors.As(err, &netErr) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, net.ErrClosed) || strings.Contains(err.Error(), "conn closed") ||
		strings.Contains(err.Error(), "unexpected EOF") {
		return fmt.Errorf("%w: %w", veglens.ErrUnavailable, err)
	}
	return err
}

// check classifies err and, when the database was unreachable, drops every
// idle connection: after a restart they are all dead, and the next call
// (typically the redelivered event) should not trip over them one by one.
func (s *Store) check(err error) error {
	err = classify(err)
	if errors.Is(err, veglens.ErrUnavailable) {
		s.pool.Reset()
	}
	return err
}

// CreatePending records an upload before its object exists, so its id
// answers "pending" straight away. A row that already exists for the key is
// left as it is.
func (s *Store) CreatePending(ctx context.Context, p veglens.NewPending) error {
	if _, err := uuid.Parse(p.ID); err != nil {
		return fmt.Errorf("create pending image: id %q is not a UUID", p.ID)
	}
	_, err := s.pool.Exec(ctx, `
		INSERT INTO images (id, bucket, object_key, source, listed, status, expires_at)
		VALUES ($1, $2, $3, 'upload', $4, 'pending', $5)
		ON CONFLICT (object_key) DO NOTHING`,
		p.ID, p.Bucket, p.Key, p.Listed, nullTime(p.ExpiresAt))
	if err != nil {
		return fmt.Errorf("create pending image %s: %w", p.Key, s.check(err))
	}
	return nil
}

// Upsert writes the result of labelling one object (status done or
// rejected), keyed by im.Key: the first write for a key inserts the row
// (with im.ID when it is a free UUID, a fresh one otherwise), later writes
// update it in place, keeping its id, creation time, source and listing.
// Duplicate and concurrent deliveries of the same object therefore leave one
// row and no error. It returns the row's id.
func (s *Store) Upsert(ctx context.Context, im veglens.Image) (string, error) {
	if im.Status != veglens.StatusDone && im.Status != veglens.StatusRejected {
		return "", fmt.Errorf("upsert %s: status must be done or rejected, not %q", im.Key, im.Status)
	}
	if im.Source != veglens.SourceUpload && im.Source != veglens.SourceDataset {
		return "", fmt.Errorf("upsert %s: unknown source %q", im.Key, im.Source)
	}
	if _, err := uuid.Parse(im.ID); err != nil {
		im.ID = uuid.NewString()
	}
	top := im.Top
	if top == nil {
		top = []veglens.Guess{}
	}
	topJSON, err := json.Marshal(top)
	if err != nil {
		return "", fmt.Errorf("upsert %s: encode top: %w", im.Key, err)
	}
	var coloursJSON []byte
	var fgRGB, fgRYB, fgCommon, refRGB, refRYB *string
	if im.Colours != nil {
		if coloursJSON, err = json.Marshal(im.Colours); err != nil {
			return "", fmt.Errorf("upsert %s: encode colours: %w", im.Key, err)
		}
		fgRGB = nonEmpty(im.Colours.Searchable(veglens.MethodForeground, veglens.PaletteRGB).Hex)
		fgRYB = nonEmpty(im.Colours.Searchable(veglens.MethodForeground, veglens.PaletteRYB).Hex)
		fgCommon = nonEmpty(im.Colours.Searchable(veglens.MethodForeground, veglens.PaletteCommon).Hex)
		refRGB = nonEmpty(im.Colours.Searchable(veglens.MethodReference, veglens.PaletteRGB).Hex)
		refRYB = nonEmpty(im.Colours.Searchable(veglens.MethodReference, veglens.PaletteRYB).Hex)
	}
	key, err := vectorKey(im.SimilarityKey)
	if err != nil {
		return "", fmt.Errorf("upsert %s: %w", im.Key, err)
	}
	var t veglens.Timings
	hasTimings := im.Timings != nil
	if hasTimings {
		t = *im.Timings
	}
	args := []any{
		im.ID, im.Bucket, im.Key, string(im.Source), im.Listed, string(im.Status), nonEmpty(im.Reason), nonEmpty(im.ETag),
		nonEmpty(im.TrueKind), nonEmpty(im.Kind), nullIf(im.Confidence, im.Kind == ""), im.Refused, nullIf(im.Score, im.Kind == ""),
		topJSON, fgRGB, fgRYB, refRGB, refRYB, coloursJSON,
		nullInt(im.Width), nullInt(im.Height), nonEmpty(im.ThumbnailKey),
		nullIf(t.FetchMs, !hasTimings), nullIf(t.DecodeMs, !hasTimings), nullIf(t.InferenceMs, !hasTimings),
		nullIf(t.ColourMs, !hasTimings), nullIf(t.TotalMs, !hasTimings), nonEmpty(im.ModelVersion), fgCommon,
		key, nullIf(im.Familiarity, im.Kind == "" || !im.HasFamiliarity),
	}
	// The id is taken from the caller unless another object already has it
	// (an id is derived from an upload's key, so this only happens when
	// someone stores a second object under the same id with another
	// extension).
	// A new picture under the key (another ETag: an upload link used
	// again) takes the place of the old one, and a person's label of the
	// old picture goes with it.
	const q = `
		WITH prev AS (SELECT id, etag FROM images WHERE object_key = $3),
		dropped AS (
			DELETE FROM user_labels WHERE image_id = (SELECT id FROM prev)
				AND (SELECT etag FROM prev) IS DISTINCT FROM $8::text),
		up AS (
		INSERT INTO images AS i (id, bucket, object_key, source, listed, status, reason, etag,
			true_kind, kind, confidence, refused, score, top, fg_rgb, fg_ryb, ref_rgb, ref_ryb, colours,
			width, height, thumbnail_key, fetch_ms, decode_ms, inference_ms, colour_ms, total_ms, model_version, fg_common,
			similarity_key, familiarity)
		VALUES (CASE WHEN EXISTS (SELECT 1 FROM images WHERE id = $1 AND object_key <> $3) THEN gen_random_uuid() ELSE $1::uuid END,
			$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
			$20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30::real[]::vector, $31)
		ON CONFLICT (object_key) DO UPDATE SET
			bucket = excluded.bucket, status = excluded.status, reason = excluded.reason, etag = excluded.etag,
			true_kind = excluded.true_kind, kind = excluded.kind, confidence = excluded.confidence,
			refused = excluded.refused, score = excluded.score, top = excluded.top,
			fg_rgb = excluded.fg_rgb, fg_ryb = excluded.fg_ryb, fg_common = excluded.fg_common,
			ref_rgb = excluded.ref_rgb, ref_ryb = excluded.ref_ryb,
			colours = excluded.colours, width = excluded.width, height = excluded.height,
			thumbnail_key = excluded.thumbnail_key, fetch_ms = excluded.fetch_ms, decode_ms = excluded.decode_ms,
			inference_ms = excluded.inference_ms, colour_ms = excluded.colour_ms, total_ms = excluded.total_ms,
			model_version = excluded.model_version, similarity_key = excluded.similarity_key,
			familiarity = excluded.familiarity, updated_at = now()
		RETURNING id::text)
		SELECT id FROM up`
	var id string
	for attempt := 0; ; attempt++ {
		err = s.pool.QueryRow(ctx, q, args...).Scan(&id)
		var pgErr *pgconn.PgError
		// Two first deliveries of one upload racing each other both try to
		// insert the same primary key; the loser retries and updates.
		if err != nil && attempt == 0 && errors.As(err, &pgErr) && pgErr.Code == "23505" {
			continue
		}
		break
	}
	if err != nil {
		return "", fmt.Errorf("upsert image %s: %w", im.Key, s.check(err))
	}
	return id, nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nullIf(v float64, null bool) *float64 {
	if null {
		return nil
	}
	return &v
}

// vectorKey is a similarity key as real[] for the vector(MaxKeyDim)
// column, padded with zeros (distances between keys of one length stay the
// same); nil (NULL) when there is none.
func vectorKey(key []float32) ([]float32, error) {
	if len(key) == 0 {
		return nil, nil
	}
	if len(key) > veglens.MaxKeyDim {
		return nil, fmt.Errorf("similarity key of %d values: the catalog stores at most %d (a model with a longer key needs a migration of images.similarity_key)", len(key), veglens.MaxKeyDim)
	}
	out := make([]float32, veglens.MaxKeyDim)
	copy(out, key)
	return out, nil
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func nullInt(v int) *int {
	if v == 0 {
		return nil
	}
	return &v
}

const imageColumns = `id::text, bucket, object_key, source, listed, status, reason, etag, true_kind, kind,
	confidence, refused, score, top, colours, width, height, thumbnail_key,
	fetch_ms, decode_ms, inference_ms, colour_ms, total_ms, model_version, created_at, updated_at,
	similarity_key IS NOT NULL, expires_at, familiarity`

func scanImage(row pgx.Row) (veglens.Image, error) {
	var (
		im                                       veglens.Image
		source, status                           string
		reason, etag, trueKind, kind, thumb, ver *string
		confidence, score, familiarity           *float64
		top, colours                             []byte
		width, height                            *int
		fetch, decode, infer, colour, total      *float64
		expires                                  *time.Time
	)
	err := row.Scan(&im.ID, &im.Bucket, &im.Key, &source, &im.Listed, &status, &reason, &etag, &trueKind, &kind,
		&confidence, &im.Refused, &score, &top, &colours, &width, &height, &thumb,
		&fetch, &decode, &infer, &colour, &total, &ver, &im.CreatedAt, &im.UpdatedAt, &im.HasSimilarityKey, &expires, &familiarity)
	if err != nil {
		return veglens.Image{}, err
	}
	im.Source, im.Status = veglens.Source(source), veglens.Status(status)
	if expires != nil {
		im.ExpiresAt = *expires
	}
	im.Reason, im.ETag, im.TrueKind, im.Kind, im.ThumbnailKey, im.ModelVersion = deref(reason), deref(etag), deref(trueKind), deref(kind), deref(thumb), deref(ver)
	if confidence != nil {
		im.Confidence = *confidence
	}
	if score != nil {
		im.Score = *score
	}
	if familiarity != nil {
		im.Familiarity, im.HasFamiliarity = *familiarity, true
	}
	if width != nil {
		im.Width = *width
	}
	if height != nil {
		im.Height = *height
	}
	im.Top = []veglens.Guess{}
	if len(top) > 0 {
		if err := json.Unmarshal(top, &im.Top); err != nil {
			return veglens.Image{}, fmt.Errorf("decode top of %s: %w", im.ID, err)
		}
	}
	if len(colours) > 0 {
		im.Colours = new(veglens.Colours)
		if err := json.Unmarshal(colours, im.Colours); err != nil {
			return veglens.Image{}, fmt.Errorf("decode colours of %s: %w", im.ID, err)
		}
	}
	if total != nil {
		im.Timings = &veglens.Timings{FetchMs: f(fetch), DecodeMs: f(decode), InferenceMs: f(infer), ColourMs: f(colour), TotalMs: *total}
	}
	return im, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func f(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// Get returns the image with the given id, or veglens.ErrNotFound (also for ids that
// are not UUIDs).
func (s *Store) Get(ctx context.Context, id string) (veglens.Image, error) {
	if _, err := uuid.Parse(id); err != nil {
		return veglens.Image{}, veglens.ErrNotFound
	}
	im, err := scanImage(s.pool.QueryRow(ctx, `SELECT `+imageColumns+` FROM images WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return veglens.Image{}, veglens.ErrNotFound
	}
	if err != nil {
		return veglens.Image{}, fmt.Errorf("get image %s: %w", id, s.check(err))
	}
	return im, nil
}

// GetByKey returns the image stored under an object key, or veglens.ErrNotFound.
func (s *Store) GetByKey(ctx context.Context, key string) (veglens.Image, error) {
	im, err := scanImage(s.pool.QueryRow(ctx, `SELECT `+imageColumns+` FROM images WHERE object_key = $1`, key))
	if errors.Is(err, pgx.ErrNoRows) {
		return veglens.Image{}, veglens.ErrNotFound
	}
	if err != nil {
		return veglens.Image{}, fmt.Errorf("get image by key %s: %w", key, s.check(err))
	}
	return im, nil
}

// ExpiredPending returns up to limit pending uploads whose presigned POST
// expired more than veglens.UploadGrace before now, the longest expired
// first (partial index images_pending_expiry).
func (s *Store) ExpiredPending(ctx context.Context, now time.Time, limit int) ([]veglens.Image, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+imageColumns+` FROM images
		WHERE status = 'pending' AND source = 'upload' AND expires_at < $1
		ORDER BY expires_at LIMIT $2`, now.Add(-veglens.UploadGrace), max(limit, 0))
	if err != nil {
		return nil, fmt.Errorf("expired pending uploads: %w", s.check(err))
	}
	defer rows.Close()
	var out []veglens.Image
	for rows.Next() {
		im, err := scanImage(rows)
		if err != nil {
			return nil, fmt.Errorf("expired pending uploads: %w", err)
		}
		out = append(out, im)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("expired pending uploads: %w", s.check(err))
	}
	return out, nil
}

// MarkNeverArrived rejects the image under key with veglens.NeverArrived
// if, and only if, it is still pending: a photo that arrived meanwhile
// keeps its result.
func (s *Store) MarkNeverArrived(ctx context.Context, key string) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE images SET status = 'rejected', reason = $2, updated_at = now()
		WHERE object_key = $1 AND status = 'pending'`, key, veglens.NeverArrived)
	if err != nil {
		return false, fmt.Errorf("mark %s never arrived: %w", key, s.check(err))
	}
	return tag.RowsAffected() == 1, nil
}

// Delete removes the row of the object under key.
func (s *Store) Delete(ctx context.Context, key string) (bool, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM images WHERE object_key = $1`, key)
	if err != nil {
		return false, fmt.Errorf("delete image %s: %w", key, s.check(err))
	}
	return tag.RowsAffected() == 1, nil
}

// DeleteUploadsBefore removes the upload rows created before t.
func (s *Store) DeleteUploadsBefore(ctx context.Context, t time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM images WHERE source = 'upload' AND created_at < $1`, t)
	if err != nil {
		return 0, fmt.Errorf("delete uploads before %s: %w", t.Format(time.RFC3339), s.check(err))
	}
	return int(tag.RowsAffected()), nil
}
