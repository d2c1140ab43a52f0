package local_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/veglens/veglens/shared/sourcetree/sourcetreetest"
)

// TestLoad is `make load` (not part of make test: it runs for over a
// minute): on a fresh local stack holding the gallery, vegeta sends
// searches at 50 requests/s for 60 s while 200 uploads of real photos go
// through the browser's path (presign, POST to storage, poll until
// labelled), 20 at a time. Every upload must end done with the photo's
// kind, no request may answer 5xx, and searches keep p99 <= 50 ms.
func TestLoad(t *testing.T) {
	if os.Getenv("VEGLENS_LOAD") == "" {
		t.Skip("the load run: make load (VEGLENS_LOAD=1)")
	}
	st := startStack(t)
	ctx := context.Background()
	if _, err := st.Ingest(ctx, sourcetreetest.Path(t, "infra", "gallery"), io.Discard); err != nil {
		t.Fatal(err)
	}
	// The photos: gallery photos the model names right, each sent several
	// times (200 uploads, each its own object).
	type photo struct {
		name, kind string
		data       []byte
	}
	var photos []photo
	rows, err := st.Catalog.Pool().Query(ctx, `SELECT object_key, kind FROM images WHERE status = 'done' AND NOT refused AND kind = true_kind ORDER BY object_key`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var key, kind string
		if err := rows.Scan(&key, &kind); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(sourcetreetest.Path(t, "infra", "gallery", strings.TrimPrefix(key, "dataset/")))
		if err != nil {
			t.Fatal(err)
		}
		photos = append(photos, photo{key[strings.LastIndex(key, "/")+1:], kind, data})
	}
	if len(photos) < 50 {
		t.Fatalf("only %d gallery photos are named right: the model or the gallery is off", len(photos))
	}

	const uploads, parallel = 200, 20
	searchRate := vegeta.Rate{Freq: 50, Per: time.Second}
	searchFor := 60 * time.Second

	var wg sync.WaitGroup
	var search vegeta.Metrics
	wg.Go(func() {
		shapes := []string{"kind=Tomato&colour=red", "kind=Carrot", "colour=green", "", "kind=Brinjal&colour=purple&palette=common", "colour=orange&palette=ryb&count=100"}
		var targets []vegeta.Target
		for _, q := range shapes {
			targets = append(targets, vegeta.Target{Method: "GET", URL: st.URL + "/api/images?" + q})
		}
		attacker := vegeta.NewAttacker(vegeta.Timeout(10 * time.Second))
		for res := range attacker.Attack(vegeta.NewStaticTargeter(targets...), searchRate, searchFor, "search") {
			search.Add(res)
		}
		search.Close()
	})

	// Uploads: the presign is asked for as each upload starts (in the
	// targeter), vegeta sends the files to storage 20 at a time, and each
	// id is then polled until labelled.
	type sent struct {
		id, kind string
		at       time.Time
	}
	var mu sync.Mutex
	var started []sent
	var presignErrors []string
	next := 0
	targeter := func(tgt *vegeta.Target) error {
		mu.Lock()
		defer mu.Unlock()
		if next == uploads {
			return vegeta.ErrNoTargets
		}
		p := photos[next%len(photos)]
		next++
		body, _ := json.Marshal(map[string]any{"filename": p.name, "contentType": "image/jpeg", "size": len(p.data), "listed": false})
		resp, err := http.Post(st.URL+"/api/uploads", "application/json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var up uploadResponse
		if resp.StatusCode != 201 || json.NewDecoder(resp.Body).Decode(&up) != nil {
			presignErrors = append(presignErrors, resp.Status)
			return fmt.Errorf("presign: %s", resp.Status)
		}
		var form bytes.Buffer
		mw := multipart.NewWriter(&form)
		for k, v := range up.Fields {
			_ = mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("file", p.name)
		_, _ = fw.Write(p.data)
		_ = mw.Close()
		*tgt = vegeta.Target{Method: "POST", URL: up.URL, Body: form.Bytes(), Header: http.Header{"Content-Type": {mw.FormDataContentType()}}}
		started = append(started, sent{up.ID, p.kind, time.Now()})
		return nil
	}
	var storage vegeta.Metrics
	attacker := vegeta.NewAttacker(vegeta.Workers(parallel), vegeta.MaxWorkers(parallel), vegeta.Timeout(30*time.Second))
	uploadStart := time.Now()
	for res := range attacker.Attack(targeter, vegeta.Rate{Freq: 0}, 0, "upload") {
		if res.Error == vegeta.ErrNoTargets.Error() {
			continue // a worker asked for a 201st upload: the end, not a request
		}
		storage.Add(res)
	}
	storage.Close()

	// Poll as the site does, 20 at a time, until each upload is labelled.
	type outcome struct {
		status, kind, want string
		wait               time.Duration
		fiveXX             int
	}
	outcomes := make([]outcome, len(started))
	sem := make(chan struct{}, parallel)
	var polls sync.WaitGroup
	for i, s := range started {
		polls.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			deadline := time.Now().Add(2 * time.Minute)
			for {
				resp, err := http.Get(st.URL + "/api/images/" + url.PathEscape(s.id))
				if err != nil {
					outcomes[i] = outcome{status: "unreachable: " + err.Error(), want: s.kind}
					return
				}
				var im imageResponse
				_ = json.NewDecoder(resp.Body).Decode(&im)
				resp.Body.Close()
				if resp.StatusCode >= 500 {
					outcomes[i].fiveXX++
				}
				if im.Status != "" && im.Status != "pending" || time.Now().After(deadline) {
					outcomes[i] = outcome{status: im.Status, kind: im.Kind, want: s.kind, wait: time.Since(s.at), fiveXX: outcomes[i].fiveXX}
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
		})
	}
	polls.Wait()
	uploadsTook := time.Since(uploadStart)
	wg.Wait()

	right, fiveXX, pollFiveXX := 0, 0, 0
	var waits []float64
	for i, o := range outcomes {
		fiveXX += o.fiveXX
		pollFiveXX += o.fiveXX
		if o.status == "done" && o.kind == o.want {
			right++
		} else {
			t.Errorf("upload %d (%s): %s %s, want done %s", i, started[i].id, o.status, o.kind, o.want)
		}
		waits = append(waits, float64(o.wait.Milliseconds()))
	}
	for code, n := range storage.StatusCodes {
		if strings.HasPrefix(code, "5") || code == "0" {
			fiveXX += n
		}
	}
	searchErrors := 0
	for code, n := range search.StatusCodes {
		if code != "200" {
			searchErrors += n
		}
	}
	t.Logf("uploads: %d/%d done with the right kind in %.1f s (%d at a time); storage POST p50 %.0f ms, p99 %.0f ms; upload to labelled p50 %.0f ms, p99 %.0f ms; presign errors %d; 5xx %d",
		right, uploads, uploadsTook.Seconds(), parallel, ms(storage.Latencies.P50), ms(storage.Latencies.P99),
		percentileOf(waits, 0.5), percentileOf(waits, 0.99), len(presignErrors), fiveXX)
	t.Logf("storage POST status %v, errors %v; 5xx while polling %d", storage.StatusCodes, storage.Errors, pollFiveXX)
	t.Logf("searches: %d at %.1f/s, success %.1f%%, status %v; p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms",
		search.Requests, search.Rate, 100*search.Success, search.StatusCodes, ms(search.Latencies.P50), ms(search.Latencies.P95), ms(search.Latencies.P99), ms(search.Latencies.Max))
	if len(started) != uploads || right != uploads || fiveXX != 0 || len(presignErrors) != 0 {
		t.Errorf("want %d/%d uploads done and right with no 5xx: %d started, %d right, %d 5xx, presign errors %v", uploads, uploads, len(started), right, fiveXX, presignErrors)
	}
	if searchErrors != 0 || search.Requests < 2900 {
		t.Errorf("searches: %d requests, %d not 200 (%v); want about 3000, all 200", search.Requests, searchErrors, search.StatusCodes)
	}
	if p99 := ms(search.Latencies.P99); p99 > 50 {
		t.Errorf("search p99 under load %.1f ms, want at most 50 ms", p99)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func percentileOf(v []float64, p float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	for i := range s { // insertion sort: a few hundred values
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s[min(len(s)-1, max(0, int(p*float64(len(s)))-1))]
}
