package services_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5"

	"github.com/veglens/veglens/infra/services"
	"github.com/veglens/veglens/infra/services/servicestest"
)

func TestPostgres_KeepsDataAcrossRestart(t *testing.T) {
	pg := servicestest.Postgres(t)
	ctx := context.Background()

	exec := func(sql string) {
		t.Helper()
		conn, err := pgx.Connect(ctx, pg.URL)
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec("CREATE TABLE kept (v text)")
	exec("INSERT INTO kept VALUES ('carrot')")

	if err := pg.Stop(ctx); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if pg.Running() {
		t.Fatal("still running after Stop")
	}
	if _, err := pgx.Connect(ctx, pg.URL); err == nil {
		t.Fatal("connected to a stopped server")
	}
	if err := pg.Restart(ctx); err != nil {
		t.Fatalf("restart: %v", err)
	}
	conn, err := pgx.Connect(ctx, pg.URL)
	if err != nil {
		t.Fatalf("connect after restart: %v", err)
	}
	defer conn.Close(ctx)
	var v string
	if err := conn.QueryRow(ctx, "SELECT v FROM kept").Scan(&v); err != nil || v != "carrot" {
		t.Fatalf("row after restart = %q, %v; want carrot", v, err)
	}
}

func TestStartPostgres_RejectsMissingSettings(t *testing.T) {
	if _, err := services.StartPostgres(context.Background(), services.PostgresConfig{}); err == nil {
		t.Fatal("no error without Dir and Port")
	}
}

// TestMinIO_WebhookRedeliversAfterServerError shows the property the local
// pipeline relies on: an event answered with a 5xx is not lost but sent
// again until the endpoint accepts it, with the object key URL-encoded.
func TestMinIO_WebhookRedeliversAfterServerError(t *testing.T) {
	var (
		mu       sync.Mutex
		attempts []string
		accepted = make(chan string, 4)
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev events.S3Event
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &ev); err != nil || len(ev.Records) != 1 {
			t.Errorf("webhook body is not one S3 event record: %v: %s", err, body)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		key := ev.Records[0].S3.Object.URLDecodedKey
		if key == "" {
			key = ev.Records[0].S3.Object.Key
		}
		mu.Lock()
		attempts = append(attempts, key)
		n := len(attempts)
		mu.Unlock()
		if n == 1 {
			http.Error(w, "database down", http.StatusServiceUnavailable)
			return
		}
		accepted <- ev.Records[0].S3.Object.Key
	}))
	defer hook.Close()

	m := servicestest.MinIO(t, servicestest.WithWebhook("test", hook.URL))
	ctx := context.Background()
	client := m.S3Client()
	if err := services.SetupBucket(ctx, client, "images", services.DefaultNotify("test")); err != nil {
		t.Fatalf("setup bucket: %v", err)
	}
	// Running it twice is harmless.
	if err := services.SetupBucket(ctx, client, "images", services.DefaultNotify("test")); err != nil {
		t.Fatalf("setup bucket again: %v", err)
	}
	for _, key := range []string{"other/ignored.jpg", "uploads/green bean.jpg"} {
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String("images"), Key: aws.String(key), Body: strings.NewReader("x"),
		}); err != nil {
			t.Fatalf("put %s: %v", key, err)
		}
	}
	select {
	case key := <-accepted:
		if dec, err := url.QueryUnescape(key); err != nil || dec != "uploads/green bean.jpg" {
			t.Errorf("event key = %q (decoded %q), want the URL-encoded uploads/green bean.jpg", key, dec)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("event was not redelivered after a 503 within 30s")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(attempts) != 2 {
		t.Errorf("attempts = %v, want one refused and one accepted delivery of uploads/ only", attempts)
	}
}
