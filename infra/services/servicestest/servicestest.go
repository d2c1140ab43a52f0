// Package servicestest starts real PostgreSQL and MinIO servers for tests, on
// free ports with data in temporary folders, and stops them when the test
// ends. Missing binaries fail the test with install instructions; they never
// skip it.
package servicestest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/veglens/veglens/infra/services"
)

// Postgres starts a throw-away PostgreSQL server (fsync off) with an empty
// database "veglens" and returns it; its URL is ready for pgx.
func Postgres(t testing.TB) *services.Postgres {
	t.Helper()
	if _, err := services.FindPostgresBin(); err != nil {
		t.Fatalf("PostgreSQL is needed for this test: %v", err)
	}
	dir := reachableTempDir(t)
	port, err := services.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	log := &tailBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pg, err := services.StartPostgres(ctx, services.PostgresConfig{
		Dir:  filepath.Join(dir, "pg"),
		Port: port,
		Fast: true,
		Log:  log,
	})
	if err != nil {
		t.Fatalf("start PostgreSQL: %v\nserver log:\n%s", err, log.String())
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("PostgreSQL log (tail):\n%s", log.String())
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := pg.Stop(ctx); err != nil {
			t.Errorf("stop PostgreSQL: %v", err)
		}
	})
	return pg
}

// MinIOOption adjusts the server MinIO starts.
type MinIOOption func(*services.MinIOConfig)

// WithWebhook adds a notification target posting to endpoint, with an
// on-disk queue in the test's temporary folder (events survive restarts).
func WithWebhook(id, endpoint string) MinIOOption {
	return func(c *services.MinIOConfig) {
		c.Webhooks = append(c.Webhooks, services.Webhook{
			ID:       id,
			Endpoint: endpoint,
			QueueDir: filepath.Join(c.Dir+"-queue", id),
		})
	}
}

// MinIO starts a throw-away MinIO server from bin/minio (or $MINIO_BINARY)
// and returns it.
func MinIO(t testing.TB, opts ...MinIOOption) *services.MinIO {
	t.Helper()
	bin, err := services.FindMinIO()
	if err != nil {
		t.Fatalf("MinIO is needed for this test: %v", err)
	}
	port, err := services.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	log := &tailBuffer{}
	cfg := services.MinIOConfig{
		Dir:    filepath.Join(t.TempDir(), "minio"),
		Port:   port,
		Binary: bin,
		Log:    log,
	}
	for _, o := range opts {
		o(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m, err := services.StartMinIO(ctx, cfg)
	if err != nil {
		t.Fatalf("start MinIO: %v\nserver log:\n%s", err, log.String())
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("MinIO log (tail):\n%s", log.String())
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := m.Stop(ctx); err != nil {
			t.Errorf("stop MinIO: %v", err)
		}
	})
	return m
}

// reachableTempDir returns a temporary folder that another local user (the
// postgres account, when tests run as root) can enter.
func reachableTempDir(t testing.TB) string {
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// tailBuffer keeps the last 64 KiB a server wrote, for failure reports.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if b.buf.Len() > 64<<10 {
		tail := append([]byte(nil), b.buf.Bytes()[b.buf.Len()-32<<10:]...)
		b.buf.Reset()
		b.buf.Write(tail)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
