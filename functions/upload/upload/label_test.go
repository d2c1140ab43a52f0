package upload_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/veglens/veglens/functions/upload/upload"
	"github.com/veglens/veglens/shared/fakes"
	"github.com/veglens/veglens/shared/veglens"
)

func postLabel(t *testing.T, h *upload.Handler, id, body, sourceIP string) (events.APIGatewayV2HTTPResponse, map[string]any) {
	t.Helper()
	return postJSON(t, h, "/api/images/"+id+"/label", body, sourceIP)
}

// putDone stores a labelled photo predicted as kind (refused when kind is
// "") and returns its id.
func putDone(t *testing.T, store veglens.ImageStore, kind string) string {
	t.Helper()
	id := uuid.NewString()
	im := veglens.Image{ID: id, Bucket: bucket, Key: "uploads/" + id + ".jpg", Source: veglens.SourceUpload, Status: veglens.StatusDone,
		Kind: kind, Confidence: 0.9, Top: []veglens.Guess{{Kind: "Carrot", Probability: 0.9}}, ModelVersion: "test"}
	if kind == "" {
		im.Kind, im.Refused = "Carrot", true
	}
	if _, err := store.Upsert(context.Background(), im); err != nil {
		t.Fatal(err)
	}
	return id
}

func testLabel(t *testing.T, e env) {
	ctx := context.Background()
	carrot := putDone(t, e.store, "Carrot")
	refused := putDone(t, e.store, "")
	pending := uuid.NewString()
	if err := e.store.CreatePending(ctx, veglens.NewPending{ID: pending, Bucket: bucket, Key: "uploads/" + pending + ".jpg"}); err != nil {
		t.Fatal(err)
	}
	ip := fmt.Sprintf("192.0.2.%d", time.Now().UnixNano()%250+1) // a fresh bucket per run against a shared database

	t.Run("StoredBesideThePrediction", func(t *testing.T) {
		resp, out := postLabel(t, e.h, carrot, `{"kind":"papaya"}`, ip)
		if resp.StatusCode != 200 || out["kind"] != "Papaya" || out["imageId"] != carrot {
			t.Fatalf("label: %d %v, want 200 with kind Papaya", resp.StatusCode, out)
		}
		l, ok, err := e.store.UserLabel(ctx, carrot)
		if err != nil || !ok || l.Kind != "Papaya" {
			t.Errorf("stored label: %+v %v %v, want Papaya", l, ok, err)
		}
		im, err := e.store.Get(ctx, carrot)
		if err != nil || im.Kind != "Carrot" || im.Refused {
			t.Errorf("the prediction changed: %q refused=%v (%v), want Carrot, kept as it was", im.Kind, im.Refused, err)
		}
	})

	t.Run("IdempotentPerImage", func(t *testing.T) {
		_, first := postLabel(t, e.h, carrot, `{"kind":"Papaya"}`, ip)
		time.Sleep(20 * time.Millisecond)
		resp, again := postLabel(t, e.h, carrot, `{"kind":"PAPAYA"}`, ip)
		if resp.StatusCode != 200 || again["updatedAt"] != first["updatedAt"] || again["createdAt"] != first["createdAt"] {
			t.Errorf("the same label again: %d %v; want 200 and nothing changed (was %v)", resp.StatusCode, again, first)
		}
		time.Sleep(20 * time.Millisecond)
		_, changed := postLabel(t, e.h, carrot, `{"kind":"Carrot"}`, ip)
		if changed["kind"] != "Carrot" || changed["updatedAt"] == first["updatedAt"] || changed["createdAt"] != first["createdAt"] {
			t.Errorf("a new label: %v; want Carrot, a new updatedAt, the same createdAt", changed)
		}
	})

	t.Run("NotAVegetable", func(t *testing.T) {
		resp, out := postLabel(t, e.h, refused, `{"kind":"none"}`, ip)
		if resp.StatusCode != 200 || out["kind"] != "none" {
			t.Fatalf("not a vegetable: %d %v", resp.StatusCode, out)
		}
		l, _, _ := e.store.UserLabel(ctx, refused)
		im, _ := e.store.Get(ctx, refused)
		if l.Kind != "" || !l.Agrees(im) {
			t.Errorf("stored %+v: want no kind, agreeing with the refusal", l)
		}
	})

	t.Run("RefusedClearly", func(t *testing.T) {
		for _, tc := range []struct {
			name, id, body string
			status         int
			says           string
		}{
			{"unknown kind", carrot, `{"kind":"Apple"}`, 400, `no kind "Apple"`},
			{"missing kind", carrot, `{}`, 400, "Say what the photo shows"},
			{"not JSON", carrot, `kind=Carrot`, 400, ""},
			{"no such photo", uuid.NewString(), `{"kind":"Carrot"}`, 404, "no photo"},
			{"not a UUID", "abc", `{"kind":"Carrot"}`, 404, "no photo"},
			{"still being labelled", pending, `{"kind":"Carrot"}`, 400, "nothing to correct"},
		} {
			resp, out := postLabel(t, e.h, tc.id, tc.body, ip)
			errObj, _ := out["error"].(map[string]any)
			if resp.StatusCode != tc.status || !strings.Contains(fmt.Sprint(errObj["message"]), tc.says) {
				t.Errorf("%s: %d %v; want %d saying %q", tc.name, resp.StatusCode, out, tc.status, tc.says)
			}
		}
		if _, ok, _ := e.store.UserLabel(ctx, pending); ok {
			t.Error("a label was stored for a photo still being labelled")
		}
	})

	t.Run("OnlyFromOurOwnPages", func(t *testing.T) {
		for name, headers := range map[string]map[string]string{
			// A form or no-cors fetch from another site sends no JSON type
			// (so no preflight); a browser marks it cross-site.
			"no Content-Type": {},
			"cross-site":      {"content-type": "application/json", "sec-fetch-site": "cross-site"},
		} {
			req := events.APIGatewayV2HTTPRequest{RawPath: "/api/images/" + carrot + "/label", Headers: headers, Body: `{"kind":"none"}`}
			req.RequestContext.HTTP.Method = "POST"
			resp, _ := e.h.Handle(ctx, req)
			if resp.StatusCode != 400 {
				t.Errorf("%s: %d %s, want 400", name, resp.StatusCode, resp.Body)
			}
		}
		if l, _, _ := e.store.UserLabel(ctx, carrot); l.Kind == "" {
			t.Error("a cross-site request changed the label")
		}
	})

	t.Run("EachPhotoChangesLabelOnlySoOften", func(t *testing.T) {
		photo := putDone(t, e.store, "Tomato")
		kinds := []string{"Carrot", "Papaya", "Potato", "Radish", "Bean", "Cabbage"}
		var last events.APIGatewayV2HTTPResponse
		for i, k := range kinds {
			// From a different address each time: the photo's own limit still holds.
			last, _ = postLabel(t, e.h, photo, `{"kind":"`+k+`"}`, fmt.Sprintf("2001:db8:%x::1", i+1)+"-"+uuid.NewString()[:4])
		}
		if last.StatusCode != 429 || !strings.Contains(last.Body, "This photo") {
			t.Errorf("the 6th change of one photo's label from 6 addresses: %d %s, want 429 naming the photo", last.StatusCode, last.Body)
		}
		if resp, _ := postLabel(t, e.h, photo, `{"kind":"Bean"}`, "192.0.2.200-"+uuid.NewString()[:4]); resp.StatusCode != 200 {
			t.Errorf("repeating the label it has: %d, want 200 (no change, no limit)", resp.StatusCode)
		}
	})

	t.Run("RateLimitedPerClient", func(t *testing.T) {
		flood := "198.51.100.7-" + uuid.NewString() // its own bucket
		var limited events.APIGatewayV2HTTPResponse
		var body map[string]any
		accepted := 0
		for range upload.LabelLimit.Burst + 5 {
			resp, out := postLabel(t, e.h, carrot, `{"kind":"Carrot"}`, flood)
			if resp.StatusCode == 200 {
				accepted++
				continue
			}
			limited, body = resp, out
			break
		}
		errObj, _ := body["error"].(map[string]any)
		if accepted != upload.LabelLimit.Burst || limited.StatusCode != 429 || errObj["code"] != "rate_limited" || limited.Headers["Retry-After"] == "" {
			t.Fatalf("after %d accepted: %d %v %v; want %d accepted, then 429 rate_limited with Retry-After",
				accepted, limited.StatusCode, limited.Headers, body, upload.LabelLimit.Burst)
		}
		if !strings.Contains(fmt.Sprint(errObj["message"]), "wait") {
			t.Errorf("message %q does not say how long to wait", errObj["message"])
		}
		// Another client is not affected.
		if resp, _ := postLabel(t, e.h, carrot, `{"kind":"Carrot"}`, "203.0.113.9-"+uuid.NewString()); resp.StatusCode != 200 {
			t.Errorf("another client: %d, want 200", resp.StatusCode)
		}
	})
}

// TestLabelDatabaseDown: with the database unreachable the person is told
// to try again and nothing is stored.
func TestLabelDatabaseDown(t *testing.T) {
	store := fakes.NewImageStore()
	e := newEnv(t, store, fakes.NewObjectStore(bucket))
	id := putDone(t, store, "Carrot")
	store.Down(errors.New("connection refused"))
	resp, out := postLabel(t, e.h, id, `{"kind":"Papaya"}`, "192.0.2.1")
	errObj, _ := out["error"].(map[string]any)
	if resp.StatusCode != 503 || errObj["code"] != "unavailable" {
		t.Errorf("database down: %d %v, want 503 unavailable", resp.StatusCode, out)
	}
	store.Down(nil)
	if _, ok, _ := store.UserLabel(context.Background(), id); ok {
		t.Error("a label was stored while the database was down")
	}
}
