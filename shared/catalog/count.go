package catalog

import (
	"context"
	"fmt"
)

// CountLabelled counts the rows of the given object keys that are labelled:
// done (classified) and rejected (refused as not a usable image). Keys
// without a row, and pending rows, count in neither. A failure to reach the
// database wraps veglens.ErrUnavailable.
func (s *Store) CountLabelled(ctx context.Context, keys []string) (done, rejected int, err error) {
	if len(keys) == 0 {
		return 0, 0, nil
	}
	err = s.pool.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE status = 'done'), count(*) FILTER (WHERE status = 'rejected')
		FROM images WHERE object_key = ANY($1)`, keys).Scan(&done, &rejected)
	if err != nil {
		return 0, 0, fmt.Errorf("count labelled images: %w", s.check(err))
	}
	return done, rejected, nil
}
