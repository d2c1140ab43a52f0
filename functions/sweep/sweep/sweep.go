// Package sweep is the sweep function's handler: it keeps the catalog true
// to the bucket, so that no upload waits for ever and no row points at a
// missing object.
//
//   - On a schedule (Sweep): every pending upload whose presigned POST
//     expired more than veglens.UploadGrace ago is settled. If its photo
//     never arrived, the row becomes rejected with veglens.NeverArrived and
//     the site's polling ends with that sentence. If the photo did arrive
//     but was never labelled (its event was lost, or failed every retry),
//     storage is asked to announce it again (ObjectStore.Renotify), so the
//     classify function labels it. Then, when a retention is set, upload
//     rows older than the retention less a day are removed: the bucket's
//     lifecycle rule deletes upload objects after that many days (at the
//     earliest), so the row goes before its object.
//   - On S3 ObjectRemoved and LifecycleExpiration events (HandleRemoved):
//     the row of an image whose object was deleted goes too.
//
// Handle takes either event (the EventBridge schedule's or S3's), as the
// Lambda function receives both; the local runner calls Sweep on a timer
// and routes MinIO's removal events to HandleRemoved, the same code.
package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/veglens/veglens/shared/veglens"
)

// Batch is the most pending uploads one sweep settles; the next sweep
// takes the rest.
const Batch = 500

// Deps are the handler's dependencies.
type Deps struct {
	Images  veglens.ImageStore
	Objects veglens.ObjectStore
	// Retention is how long uploads are kept (the bucket's lifecycle rule,
	// UPLOAD_RETENTION_DAYS); 0 keeps them.
	Retention time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Log receives what was done; nil discards.
	Log *slog.Logger
}

// Handler settles expired uploads and removes the rows of deleted objects.
type Handler struct {
	images    veglens.ImageStore
	objects   veglens.ObjectStore
	retention time.Duration
	now       func() time.Time
	log       *slog.Logger
}

// New returns a Handler.
func New(d Deps) (*Handler, error) {
	if d.Images == nil || d.Objects == nil {
		return nil, errors.New("sweep: Images and Objects are required")
	}
	if d.Retention < 0 {
		return nil, fmt.Errorf("sweep: negative retention %s", d.Retention)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Handler{images: d.Images, objects: d.Objects, retention: d.Retention, now: d.Now, log: d.Log}, nil
}

// Report says what one sweep did.
type Report struct {
	NeverArrived int `json:"never_arrived"` // pending uploads rejected: their photo never came
	Renotified   int `json:"renotified"`    // photos that arrived unlabelled, announced again
	Expired      int `json:"expired"`       // upload rows removed after the retention
	Buckets      int `json:"buckets"`       // idle rate-limit buckets forgotten
}

// BucketIdle is how long a rate-limit bucket is kept after its last use:
// longer than any limit takes to refill, so a forgotten bucket would have
// been full anyway.
const BucketIdle = time.Hour

// Sweep settles the pending uploads that can no longer arrive (at most
// Batch), removes upload rows past the retention and forgets rate-limit
// buckets idle for BucketIdle. It stops at the first
// failure to reach the catalog or the bucket, returning what it did so far
// with the error; every step is safe to repeat.
func (h *Handler) Sweep(ctx context.Context) (Report, error) {
	now := h.now()
	var r Report
	pending, err := h.images.ExpiredPending(ctx, now, Batch)
	if err != nil {
		return r, fmt.Errorf("sweep: %w", err)
	}
	for _, im := range pending {
		arrived, err := h.objects.Exists(ctx, im.Key)
		if err != nil {
			return r, fmt.Errorf("sweep: %w", err)
		}
		if arrived {
			if err := h.objects.Renotify(ctx, im.Key); err != nil && !errors.Is(err, veglens.ErrNotFound) {
				return r, fmt.Errorf("sweep: %w", err)
			}
			h.log.WarnContext(ctx, "upload arrived but was never labelled: announced again", "key", im.Key, "id", im.ID)
			r.Renotified++
			continue
		}
		changed, err := h.images.MarkNeverArrived(ctx, im.Key)
		if err != nil {
			return r, fmt.Errorf("sweep: %w", err)
		}
		if changed {
			r.NeverArrived++
		}
	}
	if h.retention > 0 {
		n, err := h.images.DeleteUploadsBefore(ctx, now.Add(-h.retention+24*time.Hour))
		if err != nil {
			return r, fmt.Errorf("sweep: %w", err)
		}
		r.Expired = n
	}
	n, err := h.images.ForgetTokensBefore(ctx, now.Add(-BucketIdle))
	if err != nil {
		return r, fmt.Errorf("sweep: %w", err)
	}
	r.Buckets = n
	if r != (Report{}) {
		h.log.InfoContext(ctx, "swept", "never_arrived", r.NeverArrived, "renotified", r.Renotified, "expired", r.Expired, "buckets", r.Buckets)
	}
	return r, nil
}

// HandleRemoved removes the rows of the images an S3 event says were
// deleted (ObjectRemoved:*, LifecycleExpiration:*). Other records, and
// thumbnails, are skipped. Deleting a row that is already gone is no
// error, so a duplicate event is harmless.
func (h *Handler) HandleRemoved(ctx context.Context, ev events.S3Event) error {
	var errs []error
	for _, rec := range ev.Records {
		if !strings.Contains(rec.EventName, "ObjectRemoved") && !strings.Contains(rec.EventName, "LifecycleExpiration") {
			continue
		}
		key := rec.S3.Object.URLDecodedKey
		if key == "" {
			k, err := url.QueryUnescape(rec.S3.Object.Key)
			if err != nil {
				h.log.WarnContext(ctx, "skip record with undecodable key", "key", rec.S3.Object.Key)
				continue
			}
			key = k
		}
		if b := rec.S3.Bucket.Name; b != "" && b != h.objects.Bucket() {
			continue
		}
		if _, ok := veglens.ParseKey(key); !ok {
			continue // a thumbnail, or not ours
		}
		removed, err := h.images.Delete(ctx, key)
		if err != nil {
			errs = append(errs, fmt.Errorf("sweep: %w", err))
			continue
		}
		if removed {
			h.log.InfoContext(ctx, "object deleted: row removed", "key", key, "event", rec.EventName)
		}
	}
	return errors.Join(errs...)
}

// Handle is the Lambda entry point: an S3 event (it has Records) is handled
// by HandleRemoved, anything else (the EventBridge schedule's event) runs
// Sweep.
func (h *Handler) Handle(ctx context.Context, raw json.RawMessage) error {
	var ev events.S3Event
	if err := json.Unmarshal(raw, &ev); err == nil && len(ev.Records) > 0 {
		return h.HandleRemoved(ctx, ev)
	}
	_, err := h.Sweep(ctx)
	return err
}
