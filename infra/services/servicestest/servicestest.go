// Package servicestest starts real PostgreSQL and MinIO servers for tests, on
// free ports with data in temporary folders, and stops them when the test
// ends.
//
// A test that needs a real service it cannot find (PostgreSQL, MinIO, the
// ONNX Runtime library) is skipped with a message saying what is missing and
// how to get it, so that a plain `go test ./...` works anywhere; `go test
// -short` skips every such test, always. Where RequireEnv is set (`make
// test` and CI set it, and never use -short) a missing service fails the
// test instead: there every test must run.
package servicestest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/veglens/veglens/infra/services"
)

// RequireEnv names the environment variable that turns skips for missing
// services into failures (any non-empty value).
const RequireEnv = "VEGLENS_REQUIRE_SERVICES"

// Need skips t (or, where RequireEnv is set, fails it) when find reports
// that the named service is missing, and in -short mode. Tests that need a
// real service call it (the helpers below do) before using the service.
func Need(t testing.TB, service string, find func() error) {
	t.Helper()
	if testing.Short() {
		t.Skipf("needs %s: skipped in -short mode", service)
	}
	required := os.Getenv(RequireEnv) != ""
	if err := find(); err != nil {
		if required {
			t.Fatalf("%s is needed for this test (%s is set, so it may not be skipped): %v", service, RequireEnv, err)
		}
		t.Skipf("needs %s, which is not available here (%v); `make test` installs and runs it", service, err)
	}
}

// NeedPostgres skips or fails t, as Need does, when PostgreSQL's server
// binaries are missing.
func NeedPostgres(t testing.TB) {
	t.Helper()
	Need(t, "PostgreSQL", func() error { _, err := services.FindPostgresBin(); return err })
}

// NeedMinIO returns the MinIO executable, skipping or failing t as Need
// does when there is none.
func NeedMinIO(t testing.TB) string {
	t.Helper()
	var bin string
	Need(t, "MinIO", func() (err error) { bin, err = services.FindMinIO(); return err })
	return bin
}

// ORTLib returns the ONNX Runtime library named by ORT_LIB, skipping or
// failing t as Need does when it is not set or missing.
func ORTLib(t testing.TB) string {
	t.Helper()
	lib := os.Getenv("ORT_LIB")
	Need(t, "the ONNX Runtime library", func() error {
		if lib == "" {
			return errors.New("ORT_LIB is not set (`make ort` fetches the library; make test-go exports ORT_LIB)")
		}
		_, err := os.Stat(lib)
		return err
	})
	return lib
}

// Postgres starts a throw-away PostgreSQL server (fsync off) with an empty
// database "veglens" and returns it; its URL is ready for pgx.
func Postgres(t testing.TB) *services.Postgres {
	t.Helper()
	NeedPostgres(t)
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
	bin := NeedMinIO(t)
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
