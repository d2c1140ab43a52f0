package gateway

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// serveEvents receives one MinIO bucket notification (a JSON document with
// a Records array, the S3 event shape) and runs the function the cloud
// routes it to: removals to Removed (the sweep function), the rest to the
// classify function, at most Classifying at a time. Any failure answers 5xx, so MinIO keeps
// the event queued and sends it again; a malformed document answers 400
// (MinIO retries that too, which is right: it never sends malformed ones,
// so a 400 means a bug to fix).
func (g *Gateway) serveEvents(w http.ResponseWriter, r *http.Request) {
	// MinIO runs on this machine and posts from loopback; nobody else may
	// announce objects (a fake event would create rows for ids never handed
	// out), even when the site is served on a public address.
	if !fromLoopback(r) {
		http.Error(w, "storage events are accepted from this machine only", http.StatusForbidden)
		return
	}
	g.inFlight.Add(1)
	defer g.inFlight.Add(-1)
	fns, _ := g.functions()
	classify := fns.Classify
	if classify == nil {
		w.Header().Set("Retry-After", "2")
		http.Error(w, "classifier is starting", http.StatusServiceUnavailable)
		return
	}
	var ev events.S3Event
	if err := json.NewDecoder(io.LimitReader(r.Body, MaxRequestBody)).Decode(&ev); err != nil {
		g.log.Error("bad s3 event", "err", err)
		http.Error(w, "not an S3 event: "+err.Error(), http.StatusBadRequest)
		return
	}
	var created, removed events.S3Event
	for _, rec := range ev.Records {
		if strings.Contains(rec.EventName, "ObjectRemoved") || strings.Contains(rec.EventName, "LifecycleExpiration") {
			removed.Records = append(removed.Records, rec)
		} else {
			created.Records = append(created.Records, rec)
		}
	}
	if len(removed.Records) > 0 && fns.Removed != nil {
		if err := fns.Removed(r.Context(), removed); err != nil {
			g.log.Warn("removal failed; the event stays queued and is sent again", "err", err)
			http.Error(w, "removal failed: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
	}
	if len(created.Records) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	ev = created
	if err := g.runClassify(r.Context(), classify, ev); err != nil {
		keys := make([]string, 0, len(ev.Records))
		for _, rec := range ev.Records {
			keys = append(keys, rec.S3.Object.Key)
		}
		g.log.Warn("classify failed; the event stays queued and is sent again", "keys", keys, "err", err)
		http.Error(w, "classify failed: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// runClassify runs classify on ev in one of the Classifying slots (waiting
// for a free one, or for ctx to end), adding the time it runs to the
// slots' busy time.
func (g *Gateway) runClassify(ctx context.Context, classify S3Func, ev events.S3Event) error {
	select {
	case g.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	start := time.Now()
	defer func() {
		g.busy.Add(int64(time.Since(start)))
		<-g.sem
	}()
	return classify(ctx, ev)
}

// fromLoopback reports whether the request came from this machine: from a
// loopback address, or from the very address it was sent to (the gateway
// listening on one of this machine's own addresses).
func fromLoopback(r *http.Request) bool {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	remote := ap.Addr().Unmap()
	if remote.IsLoopback() {
		return true
	}
	if local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if lp, err := netip.ParseAddrPort(local.String()); err == nil {
			return lp.Addr().Unmap() == remote
		}
	}
	return false
}
