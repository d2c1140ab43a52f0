// Package classify is the classify function's handler: an adapter from S3
// ObjectCreated events to labelling.Labeller. For each record it decodes the
// key, asks the labeller to label the object and reports the outcome as
// embedded-metric-format records. It returns an error only for a failure
// worth retrying (a store unreachable, the model closing), so that the event
// is delivered again.
package classify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/veglens/veglens/shared/labelling"
	"github.com/veglens/veglens/shared/metrics"
)

// Deps are the handler's dependencies: the labeller's, and where the
// metrics go.
type Deps struct {
	labelling.Deps
	// Metrics receives embedded-metric-format lines; default stdout.
	Metrics io.Writer
}

// Handler labels the images S3 events name.
type Handler struct {
	labeller *labelling.Labeller
	bucket   string
	emf      *metrics.Emitter
	log      *slog.Logger
}

// New returns a Handler.
func New(d Deps) (*Handler, error) {
	if d.Metrics == nil {
		d.Metrics = os.Stdout
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	labeller, err := labelling.New(d.Deps)
	if err != nil {
		return nil, fmt.Errorf("classify: %w", err)
	}
	return &Handler{
		labeller: labeller,
		bucket:   d.Objects.Bucket(),
		emf:      metrics.New(d.Metrics, "classify"),
		log:      d.Log,
	}, nil
}

// Handle labels every object an S3 event names. Records for other buckets,
// other prefixes or other event types are skipped. It returns an error only
// when something worth retrying failed (database or storage unreachable);
// then every record of the event may be delivered again, which is harmless
// because writes are idempotent.
func (h *Handler) Handle(ctx context.Context, ev events.S3Event) error {
	var errs []error
	for _, rec := range ev.Records {
		if _, err := h.Process(ctx, rec); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Process labels the object one event record names and says what it did.
func (h *Handler) Process(ctx context.Context, rec events.S3EventRecord) (labelling.Outcome, error) {
	req, ok := h.request(ctx, rec)
	if !ok {
		return labelling.Skipped, nil
	}
	res, err := h.labeller.Label(ctx, req)
	if err != nil {
		return "", err
	}
	h.emit(res)
	return res.Outcome, nil
}

// request reads a record into a labelling request; ok is false for records
// this function does not handle.
func (h *Handler) request(ctx context.Context, rec events.S3EventRecord) (labelling.Request, bool) {
	key := rec.S3.Object.URLDecodedKey
	if key == "" {
		k, err := url.QueryUnescape(rec.S3.Object.Key)
		if err != nil {
			h.log.WarnContext(ctx, "skip record with undecodable key", "key", rec.S3.Object.Key)
			return labelling.Request{}, false
		}
		key = k
	}
	if name := rec.EventName; name != "" && !strings.Contains(name, "ObjectCreated") {
		h.log.DebugContext(ctx, "skip event", "key", key, "event", name)
		return labelling.Request{}, false
	}
	if b := rec.S3.Bucket.Name; b != "" && b != h.bucket {
		h.log.WarnContext(ctx, "skip object of another bucket", "key", key, "bucket", b)
		return labelling.Request{}, false
	}
	return labelling.Request{Key: key, ETag: strings.Trim(rec.S3.Object.ETag, `"`), Size: rec.S3.Object.Size}, true
}

// emit writes one embedded-metric-format record per labelled or rejected
// image (CloudWatch turns them into the dashboard's metrics).
func (h *Handler) emit(res labelling.Result) {
	im, t := res.Image, res.Timings
	switch res.Outcome {
	case labelling.Labelled:
		refused := 0.0
		if im.Refused {
			refused = 1
		}
		_ = h.emf.Emit([]metrics.Metric{
			{Name: "ClassifyTotalMs", Unit: metrics.Milliseconds, Value: t.TotalMs},
			{Name: "FetchMs", Unit: metrics.Milliseconds, Value: t.FetchMs},
			{Name: "DecodeMs", Unit: metrics.Milliseconds, Value: t.DecodeMs},
			{Name: "InferenceMs", Unit: metrics.Milliseconds, Value: t.InferenceMs},
			{Name: "ColourMs", Unit: metrics.Milliseconds, Value: t.ColourMs},
			{Name: "Refused", Unit: metrics.Count, Value: refused},
			{Name: "Rejected", Unit: metrics.Count, Value: 0},
		}, map[string]any{"id": im.ID, "key": im.Key, "kind": im.Kind, "confidence": im.Confidence, "modelVersion": im.ModelVersion})
	case labelling.Rejected:
		_ = h.emf.Emit([]metrics.Metric{{Name: "Rejected", Unit: metrics.Count, Value: 1}},
			map[string]any{"id": im.ID, "key": im.Key, "reason": im.Reason, "fetch_ms": t.FetchMs, "decode_ms": t.DecodeMs})
	}
}
