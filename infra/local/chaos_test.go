package local_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5"

	"github.com/veglens/veglens/infra/local"
	"github.com/veglens/veglens/infra/services"
	"github.com/veglens/veglens/shared/sourcetree/sourcetreetest"
	"github.com/veglens/veglens/shared/veglens"
)

// chaosTree writes copies of the gallery (copies times each photo, under
// new names) as a <Kind>/<image> tree and returns it with its object keys.
func chaosTree(t *testing.T, copies int) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	gallery := sourcetreetest.Path(t, "infra", "gallery")
	files, _ := filepath.Glob(filepath.Join(gallery, "*", "*.jpg"))
	var keys []string
	for c := range copies {
		for _, f := range files {
			kind, name := filepath.Base(filepath.Dir(f)), fmt.Sprintf("%d_%s", c, filepath.Base(f))
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, kind, name), string(b))
			keys = append(keys, veglens.DatasetKey(kind, name))
		}
	}
	return dir, keys
}

// rowsOf counts the rows of keys: all of them, distinct keys, and done.
func rowsOf(t *testing.T, st *local.Stack, keys []string) (rows, distinct, done int, err error) {
	t.Helper()
	err = st.Catalog.Pool().QueryRow(context.Background(), `SELECT count(*), count(DISTINCT object_key), count(*) FILTER (WHERE status = 'done')
		FROM images WHERE object_key = ANY($1)`, keys).Scan(&rows, &distinct, &done)
	return rows, distinct, done, err
}

// waitDone waits until at least n of keys are done (the database may be
// down for a while meanwhile) or limit passes.
func waitDone(t *testing.T, st *local.Stack, keys []string, n int, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		if _, _, done, err := rowsOf(t, st, keys); err == nil && done >= n {
			return
		}
		if time.Now().After(deadline) {
			r, d, done, err := rowsOf(t, st, keys)
			t.Fatalf("after %s: %d rows, %d keys, %d done (%v); want %d done", limit, r, d, done, err, n)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// exactlyOnce asserts one done row per key: none lost, none duplicated.
func exactlyOnce(t *testing.T, st *local.Stack, keys []string) {
	t.Helper()
	rows, distinct, done, err := rowsOf(t, st, keys)
	if err != nil || rows != len(keys) || distinct != len(keys) || done != len(keys) {
		t.Fatalf("%d objects: %d rows, %d distinct keys, %d done (%v); want %d of each", len(keys), rows, distinct, done, err, len(keys))
	}
	t.Logf("%d objects, %d rows, all done: none lost, none duplicated", len(keys), rows)
}

// TestChaos is `make chaos` (over a minute, not part of make test): faults
// in the middle of an ingest of three copies of the gallery. After each,
// the table holds exactly one done row per object.
func TestChaos(t *testing.T) {
	if os.Getenv("VEGLENS_CHAOS") == "" {
		t.Skip("the fault run: make chaos (VEGLENS_CHAOS=1)")
	}
	ctx := context.Background()

	t.Run("PostgreSQLStoppedFor10s", func(t *testing.T) {
		st := startStack(t)
		dir, keys := chaosTree(t, 3)
		ingested := make(chan error, 1)
		go func() {
			_, err := st.Ingest(ctx, dir, nil)
			ingested <- err
		}()
		waitDone(t, st, keys, len(keys)/5, 2*time.Minute)
		if err := st.Postgres.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Second)
		if err := st.Postgres.Restart(ctx); err != nil {
			t.Fatal(err)
		}
		if err := <-ingested; err != nil {
			t.Fatalf("ingest: %v", err)
		}
		waitDone(t, st, keys, len(keys), 3*time.Minute)
		exactlyOnce(t, st, keys)
	})

	t.Run("RunnerKilled", func(t *testing.T) {
		exe := filepath.Join(t.TempDir(), "veglens")
		build := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", exe, "./infra/cmd/veglens")
		build.Dir = sourcetreetest.Path(t)
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("build veglens: %v\n%s", err, out)
		}
		state := stateDir(t)
		dir, keys := chaosTree(t, 3)
		port, err := services.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		start := func() (*exec.Cmd, *syncBuffer) {
			out := &syncBuffer{}
			cmd := exec.Command(exe, "run", "-addr", fmt.Sprintf("127.0.0.1:%d", port), "-state", state, "-site", t.TempDir(),
				"-no-gallery", "-data", dir)
			cmd.Stdout, cmd.Stderr = out, out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			return cmd, out
		}
		cmd, out1 := start()
		db := databaseOf(t, out1, 2*time.Minute)
		waitRows(t, db, keys, len(keys)/5, 2*time.Minute)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		t.Logf("runner killed with SIGKILL mid-ingest")

		// The same command again: PostgreSQL and MinIO come back on the
		// same state, queued events are delivered, the ingest sends what is
		// missing and skips what is labelled.
		// Started at once: the killed run's PostgreSQL and MinIO are still
		// shutting down, and the runner waits for them.
		cmd2, out := start()
		db = databaseOf(t, out, 2*time.Minute)
		t.Cleanup(func() {
			_ = cmd2.Process.Signal(syscall.SIGTERM)
			_ = cmd2.Wait()
		})
		waitRows(t, db, keys, len(keys), 3*time.Minute)
		conn, err := pgx.Connect(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var rows, distinct, done int
		if err := conn.QueryRow(ctx, `SELECT count(*), count(DISTINCT object_key), count(*) FILTER (WHERE status = 'done')
			FROM images WHERE object_key = ANY($1)`, keys).Scan(&rows, &distinct, &done); err != nil {
			t.Fatal(err)
		}
		if rows != len(keys) || distinct != len(keys) || done != len(keys) {
			t.Fatalf("%d objects: %d rows, %d distinct keys, %d done; want %d of each", len(keys), rows, distinct, done, len(keys))
		}
		t.Logf("%d objects, %d rows, all done: none lost, none duplicated", len(keys), rows)
	})

	t.Run("MinIORestarted", func(t *testing.T) {
		st := startStack(t)
		dir, keys := chaosTree(t, 3)
		for _, key := range keys { // every object in, most events still queued
			b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(key[len(veglens.DatasetPrefix):])))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(st.Settings.Objects.Bucket), Key: aws.String(key), Body: bytes.NewReader(b)}); err != nil {
				t.Fatal(err)
			}
		}
		waitDone(t, st, keys, len(keys)/5, 2*time.Minute)
		if err := st.MinIO.Restart(ctx); err != nil {
			t.Fatal(err)
		}
		waitDone(t, st, keys, len(keys), 3*time.Minute)
		exactlyOnce(t, st, keys)
	})
}

// syncBuffer is a bytes.Buffer safe for a process's output and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var postgresURL = regexp.MustCompile(`PostgreSQL\s+(postgres://\S+)`)

// databaseOf waits for the runner to print its PostgreSQL URL (the stack is
// up); "" when the runner exits or limit passes first.
func databaseOf(t *testing.T, out *syncBuffer, limit time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if m := postgresURL.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		if strings.Contains(out.String(), "veglens run:") { // it stopped with an error
			t.Logf("runner stopped:\n%s", out.String())
			return ""
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("runner output:\n%s", out.String())
	return ""
}

// waitRows waits until at least n of keys are done in the database at url.
func waitRows(t *testing.T, url string, keys []string, n int, limit time.Duration) {
	t.Helper()
	if url == "" {
		t.Fatal("the runner did not start")
	}
	ctx := context.Background()
	deadline := time.Now().Add(limit)
	for {
		var done int
		conn, err := pgx.Connect(ctx, url)
		if err == nil {
			err = conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'done') FROM images WHERE object_key = ANY($1)`, keys).Scan(&done)
			conn.Close(ctx)
		}
		if err == nil && done >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %d of %d done (%v); want %d", limit, done, len(keys), err, n)
		}
		time.Sleep(300 * time.Millisecond)
	}
}
