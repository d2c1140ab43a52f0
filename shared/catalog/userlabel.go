package catalog

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/veglens/veglens/shared/veglens"
)

// SaveUserLabel stores a person's label for image id (kind "" for "not a
// vegetable") in user_labels, one row per image: a new label replaces the
// one before, the same label again changes nothing. The image's own
// prediction is never touched. Errors: veglens.ErrNotFound (no such image,
// or an id that is not a UUID), veglens.ErrNotLabelled (pending or
// rejected).
func (s *Store) SaveUserLabel(ctx context.Context, id string, kind veglens.Kind) (veglens.UserLabel, error) {
	if _, err := uuid.Parse(id); err != nil {
		return veglens.UserLabel{}, veglens.ErrNotFound
	}
	// One statement: the image's status is read and the label written
	// together, so a label never lands on a row that is not done.
	const q = `
		WITH im AS (SELECT id, status FROM images WHERE id = $1),
		saved AS (
			INSERT INTO user_labels AS u (image_id, kind)
			SELECT id, $2 FROM im WHERE status = 'done'
			ON CONFLICT (image_id) DO UPDATE SET kind = excluded.kind,
				updated_at = CASE WHEN u.kind IS NOT DISTINCT FROM excluded.kind THEN u.updated_at ELSE now() END
			RETURNING image_id::text, kind, created_at, updated_at)
		SELECT (SELECT status FROM im), saved.* FROM (SELECT 1) one LEFT JOIN saved ON true`
	var (
		status, imageID, k *string
		created, updated   *time.Time
	)
	err := s.pool.QueryRow(ctx, q, id, nonEmpty(kind)).Scan(&status, &imageID, &k, &created, &updated)
	if err != nil {
		return veglens.UserLabel{}, fmt.Errorf("save user label of %s: %w", id, s.check(err))
	}
	switch {
	case status == nil:
		return veglens.UserLabel{}, veglens.ErrNotFound
	case imageID == nil:
		return veglens.UserLabel{}, fmt.Errorf("save user label of %s (%s): %w", id, *status, veglens.ErrNotLabelled)
	}
	return veglens.UserLabel{ImageID: *imageID, Kind: deref(k), CreatedAt: *created, UpdatedAt: *updated}, nil
}

// UserLabel returns image id's user label; ok is false when it has none.
func (s *Store) UserLabel(ctx context.Context, id string) (veglens.UserLabel, bool, error) {
	if _, err := uuid.Parse(id); err != nil {
		return veglens.UserLabel{}, false, nil
	}
	var l veglens.UserLabel
	var k *string
	err := s.pool.QueryRow(ctx, `SELECT image_id::text, kind, created_at, updated_at FROM user_labels WHERE image_id = $1`, id).
		Scan(&l.ImageID, &k, &l.CreatedAt, &l.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return veglens.UserLabel{}, false, nil
	}
	if err != nil {
		return veglens.UserLabel{}, false, fmt.Errorf("user label of %s: %w", id, s.check(err))
	}
	l.Kind = deref(k)
	return l, true, nil
}

// TakeToken takes one token from client's bucket in rate_limits: a bucket
// holds at most limit.Burst tokens and gains one every limit.Every; a new
// client starts full. The refill and the take are one statement, so
// concurrent requests (from several function instances) never share a
// token. ok is false, and nothing is taken, when less than one token is
// left; retryAfter is then the time until there is one.
func (s *Store) TakeToken(ctx context.Context, client string, limit veglens.RateLimit) (bool, time.Duration, error) {
	if limit.Burst < 1 || limit.Every <= 0 {
		return false, 0, fmt.Errorf("take token: the limit %+v allows nothing", limit)
	}
	perSecond := 1 / limit.Every.Seconds()
	// A new client starts with a full bucket less this token; a known one
	// is refilled for the time since its last token and, when it then
	// holds one, gives it. ON CONFLICT DO UPDATE locks the row and reads
	// its latest version, so concurrent takes are serialised.
	const q = `
		INSERT INTO rate_limits AS r (client, tokens, updated_at) VALUES ($1, $2::float8 - 1, clock_timestamp())
		ON CONFLICT (client) DO UPDATE SET
			tokens = least($2::float8, r.tokens + extract(epoch FROM clock_timestamp() - r.updated_at)::float8 * $3) - 1,
			updated_at = clock_timestamp()
		WHERE least($2::float8, r.tokens + extract(epoch FROM clock_timestamp() - r.updated_at)::float8 * $3) >= 1
		RETURNING tokens`
	var left float64
	err := s.pool.QueryRow(ctx, q, client, float64(limit.Burst), perSecond).Scan(&left)
	if err == nil {
		return true, 0, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return false, 0, fmt.Errorf("take token for %s: %w", client, s.check(err))
	}
	var tokens float64
	err = s.pool.QueryRow(ctx, `SELECT least($2::float8, tokens + extract(epoch FROM clock_timestamp() - updated_at)::float8 * $3)
		FROM rate_limits WHERE client = $1`, client, float64(limit.Burst), perSecond).Scan(&tokens)
	if err != nil {
		return false, 0, fmt.Errorf("take token for %s: %w", client, s.check(err))
	}
	wait := time.Duration(math.Ceil((1-tokens)/perSecond*1e3)) * time.Millisecond
	return false, max(wait, time.Millisecond), nil
}

// ForgetTokensBefore removes the buckets last used before t.
func (s *Store) ForgetTokensBefore(ctx context.Context, t time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM rate_limits WHERE updated_at < $1`, t)
	if err != nil {
		return 0, fmt.Errorf("forget rate-limit buckets: %w", s.check(err))
	}
	return int(tag.RowsAffected()), nil
}
