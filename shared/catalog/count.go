package catalog

import (
	"context"
	"fmt"
	"time"
)

// CountLabelled counts the rows of the given object keys that were labelled
// at or after since: done (classified) and rejected (refused as not a
// usable image). Keys without a row, pending rows and rows last labelled
// before since count in neither, so an ingest that sends objects again
// waits for their new results. A failure to reach the database wraps
// veglens.ErrUnavailable.
func (s *Store) CountLabelled(ctx context.Context, keys []string, since time.Time) (done, rejected int, err error) {
	if len(keys) == 0 {
		return 0, 0, nil
	}
	err = s.pool.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE status = 'done'), count(*) FILTER (WHERE status = 'rejected')
		FROM images WHERE object_key = ANY($1) AND updated_at >= $2`, keys, since).Scan(&done, &rejected)
	if err != nil {
		return 0, 0, fmt.Errorf("count labelled images: %w", s.check(err))
	}
	return done, rejected, nil
}

// Outdated returns the object keys under prefix whose rows hold a result
// that is not final for modelVersion (veglens.Image.Labelled): labelled by
// another model, or done without a similarity key. Sending those objects
// again labels them anew.
func (s *Store) Outdated(ctx context.Context, prefix, modelVersion string) ([]string, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT object_key FROM images
		WHERE starts_with(object_key, $1) AND status <> 'pending'
		  AND (model_version IS DISTINCT FROM $2 OR (status = 'done' AND similarity_key IS NULL))
		ORDER BY object_key`, prefix, modelVersion)
	if err != nil {
		return nil, fmt.Errorf("outdated images: %w", s.check(err))
	}
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return nil, fmt.Errorf("outdated images: %w", s.check(err))
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outdated images: %w", s.check(err))
	}
	return keys, nil
}
