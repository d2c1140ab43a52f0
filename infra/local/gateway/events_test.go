package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/veglens/veglens/infra/local/gateway"
)

// postEvent posts as MinIO does, from this machine.
func postEvent(g *gateway.Gateway, body string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", gateway.EventsPath, strings.NewReader(body))
	req.RemoteAddr = "127.0.0.1:45678"
	g.ServeHTTP(rec, req)
	return rec
}

// Only this machine may announce objects: a fake event from elsewhere is
// refused before it reaches classify.
func TestEvents_OnlyFromThisMachine(t *testing.T) {
	g := gateway.New(gateway.Config{})
	for addr, want := range map[string]int{"203.0.113.7:5000": 403, "[2001:db8::1]:5000": 403, "[::1]:5000": 503, "127.0.0.1:5000": 503} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", gateway.EventsPath, strings.NewReader(`{"Records":[]}`))
		req.RemoteAddr = addr
		g.ServeHTTP(rec, req)
		// (503: accepted from loopback, but the functions are not set in this test.)
		if rec.Code != want {
			t.Errorf("event from %s: %d, want %d", addr, rec.Code, want)
		}
	}
}

func s3Event(key string) string {
	return fmt.Sprintf(`{"EventName":"s3:ObjectCreated:Put","Key":"images/%s","Records":[{"eventVersion":"2.0","eventSource":"minio:s3","eventName":"s3:ObjectCreated:Put","s3":{"bucket":{"name":"images"},"object":{"key":%q,"size":3}}}]}`, key, key)
}

// TestEvents_DeliversS3Event shows a MinIO notification reaching the
// classify function as the S3 event, answered 204 when it succeeds.
func TestEvents_DeliversS3Event(t *testing.T) {
	var got []events.S3Event
	g := gateway.New(gateway.Config{})
	g.SetFunctions(gateway.Functions{Classify: func(_ context.Context, ev events.S3Event) error {
		got = append(got, ev)
		return nil
	}})
	if rec := postEvent(g, s3Event("uploads/a.jpg")); rec.Code != http.StatusNoContent {
		t.Fatalf("event = %d %s, want 204", rec.Code, rec.Body)
	}
	if len(got) != 1 || len(got[0].Records) != 1 || got[0].Records[0].S3.Object.Key != "uploads/a.jpg" ||
		got[0].Records[0].S3.Bucket.Name != "images" || got[0].Records[0].EventName != "s3:ObjectCreated:Put" {
		t.Errorf("classify received %+v", got)
	}
	if g.InFlight() != 0 {
		t.Errorf("%d events in flight after the answer", g.InFlight())
	}
}

// A failed classification answers 5xx, so MinIO keeps the event queued and
// sends it again; a malformed document answers 400 without calling the
// function.
func TestEvents_FailureKeepsEventQueued(t *testing.T) {
	calls := 0
	g := gateway.New(gateway.Config{})
	g.SetFunctions(gateway.Functions{Classify: func(context.Context, events.S3Event) error {
		calls++
		return errors.New("database unavailable")
	}})
	if rec := postEvent(g, s3Event("dataset/Bean/1.jpg")); rec.Code/100 != 5 {
		t.Errorf("failed classify = %d, want a 5xx", rec.Code)
	}
	if rec := postEvent(g, `{"Records": [`); rec.Code != http.StatusBadRequest {
		t.Errorf("malformed event = %d, want 400", rec.Code)
	}
	if calls != 1 {
		t.Errorf("classify called %d times, want 1 (not for the malformed event)", calls)
	}
}

// TestEvents_BoundedConcurrency sends many events at once: no more than
// Classifying run the function at the same time, and the time they spend in
// it is accounted.
func TestEvents_BoundedConcurrency(t *testing.T) {
	const slots, sent = 2, 8
	var running, most atomic.Int64
	g := gateway.New(gateway.Config{Classifying: slots})
	if g.Classifying() != slots {
		t.Fatalf("Classifying() = %d, want %d", g.Classifying(), slots)
	}
	g.SetFunctions(gateway.Functions{Classify: func(context.Context, events.S3Event) error {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		return nil
	}})
	var wg sync.WaitGroup
	codes := make([]int, sent)
	for i := range sent {
		wg.Go(func() { codes[i] = postEvent(g, s3Event(fmt.Sprintf("dataset/Bean/%d.jpg", i))).Code })
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusNoContent {
			t.Errorf("event %d = %d, want 204", i, c)
		}
	}
	if most.Load() != slots {
		t.Errorf("at most %d classify calls ran at once, want %d", most.Load(), slots)
	}
	if busy := g.ClassifyBusy(); busy < sent*20*time.Millisecond {
		t.Errorf("ClassifyBusy = %s, want at least %s", busy, sent*20*time.Millisecond)
	}
}

func TestGateway_DefaultClassifying(t *testing.T) {
	if n := gateway.New(gateway.Config{}).Classifying(); n != gateway.DefaultClassifying {
		t.Errorf("Classifying() = %d, want the default %d", n, gateway.DefaultClassifying)
	}
}

// Removal events go to the sweep function (Removed), as the cloud routes
// them, not to classify; a failed removal answers 5xx so MinIO sends it
// again.
func TestEvents_RemovalsGoToTheSweep(t *testing.T) {
	var classified, removed []string
	fail := false
	g := gateway.New(gateway.Config{})
	g.SetFunctions(gateway.Functions{
		Classify: func(_ context.Context, ev events.S3Event) error {
			for _, r := range ev.Records {
				classified = append(classified, r.S3.Object.Key)
			}
			return nil
		},
		Removed: func(_ context.Context, ev events.S3Event) error {
			if fail {
				return errors.New("database unavailable")
			}
			for _, r := range ev.Records {
				removed = append(removed, r.S3.Object.Key)
			}
			return nil
		},
	})
	deleted := strings.ReplaceAll(s3Event("uploads/a.jpg"), "s3:ObjectCreated:Put", "s3:ObjectRemoved:Delete")
	if rec := postEvent(g, deleted); rec.Code != http.StatusNoContent {
		t.Fatalf("removal event = %d %s, want 204", rec.Code, rec.Body)
	}
	if len(removed) != 1 || removed[0] != "uploads/a.jpg" || len(classified) != 0 {
		t.Errorf("removed %v, classified %v; want the key removed and nothing classified", removed, classified)
	}
	fail = true
	if rec := postEvent(g, deleted); rec.Code/100 != 5 {
		t.Errorf("failed removal = %d, want 5xx", rec.Code)
	}
}
