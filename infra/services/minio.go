package services

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/veglens/veglens/shared/sourcetree"
)

// Webhook is a MinIO notification target that POSTs bucket events to an
// HTTP endpoint. With a QueueDir, MinIO stores every event on disk first and
// keeps redelivering it until the endpoint answers 2xx, also across restarts.
type Webhook struct {
	// ID names the target (letters, digits, _; case-insensitive); its ARN
	// is WebhookARN(ID).
	ID       string
	Endpoint string
	// QueueDir holds undelivered events (created when missing).
	QueueDir string
	// QueueLimit caps the number of queued events; default 100000.
	QueueLimit int
}

// WebhookARN is the ARN a bucket notification uses to name webhook target id.
func WebhookARN(id string) string { return "arn:minio:sqs::" + strings.ToUpper(id) + ":webhook" }

// MinIOConfig says where and how to run a MinIO server.
type MinIOConfig struct {
	// Dir holds the objects (single-drive mode); created when missing.
	Dir string
	// Port is the S3 API port on 127.0.0.1.
	Port int
	// Binary is the minio executable; default FindMinIO().
	Binary string
	// AccessKey and SecretKey are the root credentials; defaults
	// "veglens" / "veglens-secret".
	AccessKey, SecretKey string
	Webhooks             []Webhook
	// Log receives the server's output; nil discards it.
	Log io.Writer
}

// MinIO is a running MinIO server started by StartMinIO.
type MinIO struct {
	// Endpoint is the S3 API base URL, e.g. http://127.0.0.1:9000.
	Endpoint  string
	AccessKey string
	SecretKey string
	// Region is the region requests are signed for.
	Region string
	Port   int

	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// FindMinIO returns the minio executable: $MINIO_BINARY, else bin/minio in
// the repository around the working directory, else minio on PATH.
func FindMinIO() (string, error) {
	if p := os.Getenv("MINIO_BINARY"); p != "" {
		return p, nil
	}
	if root, err := sourcetree.Root(); err == nil {
		p := filepath.Join(root, "bin", "minio")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("minio"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("MinIO binary not found (bin/minio, $MINIO_BINARY or PATH): run `make minio` or %s", InstallHint)
}

// StartMinIO starts a MinIO server on 127.0.0.1:cfg.Port with cfg.Dir as its
// drive and the given webhook targets, and waits until it is healthy.
func StartMinIO(ctx context.Context, cfg MinIOConfig) (*MinIO, error) {
	if cfg.Dir == "" || cfg.Port == 0 {
		return nil, errors.New("start minio: Dir and Port are required")
	}
	if cfg.Binary == "" {
		b, err := FindMinIO()
		if err != nil {
			return nil, err
		}
		cfg.Binary = b
	}
	if _, err := os.Stat(cfg.Binary); err != nil {
		return nil, fmt.Errorf("MinIO binary %s: %w: %s", cfg.Binary, err, InstallHint)
	}
	if cfg.AccessKey == "" {
		cfg.AccessKey = "veglens"
	}
	if cfg.SecretKey == "" {
		cfg.SecretKey = "veglens-secret"
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("create minio data dir: %w", err)
	}
	consolePort, err := FreePort()
	if err != nil {
		return nil, err
	}
	env := append(childEnv(nil),
		"MINIO_ROOT_USER="+cfg.AccessKey,
		"MINIO_ROOT_PASSWORD="+cfg.SecretKey,
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
	)
	for _, w := range cfg.Webhooks {
		id := strings.ToUpper(w.ID)
		if w.ID == "" || strings.ContainsAny(w.ID, " =:") {
			return nil, fmt.Errorf("start minio: bad webhook id %q", w.ID)
		}
		env = append(env,
			"MINIO_NOTIFY_WEBHOOK_ENABLE_"+id+"=on",
			"MINIO_NOTIFY_WEBHOOK_ENDPOINT_"+id+"="+w.Endpoint,
		)
		if w.QueueDir != "" {
			if err := os.MkdirAll(w.QueueDir, 0o755); err != nil {
				return nil, fmt.Errorf("create webhook queue dir: %w", err)
			}
			limit := w.QueueLimit
			if limit == 0 {
				limit = 100000
			}
			env = append(env,
				"MINIO_NOTIFY_WEBHOOK_QUEUE_DIR_"+id+"="+w.QueueDir,
				"MINIO_NOTIFY_WEBHOOK_QUEUE_LIMIT_"+id+"="+strconv.Itoa(limit),
			)
		}
	}
	cmd := exec.Command(cfg.Binary, "server", "--quiet",
		"--address", fmt.Sprintf("127.0.0.1:%d", cfg.Port),
		"--console-address", fmt.Sprintf("127.0.0.1:%d", consolePort),
		cfg.Dir)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = cfg.Log, cfg.Log
	cmd.SysProcAttr = childAttr(nil, syscall.SIGTERM)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start minio: %w", err)
	}
	m := &MinIO{
		Endpoint:  fmt.Sprintf("http://127.0.0.1:%d", cfg.Port),
		AccessKey: cfg.AccessKey,
		SecretKey: cfg.SecretKey,
		Region:    "us-east-1",
		Port:      cfg.Port,
		cmd:       cmd,
		done:      make(chan struct{}),
	}
	go func() { m.err = cmd.Wait(); close(m.done) }()
	if err := m.waitHealthy(ctx, 60*time.Second); err != nil {
		_ = m.Stop(context.Background())
		return nil, err
	}
	return m, nil
}

func (m *MinIO) waitHealthy(ctx context.Context, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	var last error
	for _, path := range []string{"/minio/health/live", "/minio/health/ready"} {
		for {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, m.Endpoint+path, nil)
			resp, err := client.Do(req)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
				err = fmt.Errorf("%s: %s", path, resp.Status)
			}
			last = err
			select {
			case <-m.done:
				return fmt.Errorf("minio exited during startup: %v", m.err)
			case <-ctx.Done():
				return fmt.Errorf("minio on port %d not healthy: %w (last error: %v)", m.Port, ctx.Err(), last)
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return nil
}

// Running reports whether the server process is still alive.
func (m *MinIO) Running() bool {
	select {
	case <-m.done:
		return false
	default:
		return true
	}
}

// Stop shuts MinIO down gracefully and waits for it; if ctx ends first it
// kills the server. Stopping a stopped server does nothing.
func (m *MinIO) Stop(ctx context.Context) error {
	return stopProcess(ctx, m.cmd, m.done, syscall.SIGTERM, 20*time.Second)
}

// Restart stops MinIO and starts it again with the same command: the same
// port, drive and webhook queues, so events queued on disk are delivered
// after it. It waits until the server is healthy again.
func (m *MinIO) Restart(ctx context.Context) error {
	if err := m.Stop(ctx); err != nil {
		return fmt.Errorf("restart minio: %w", err)
	}
	cmd := exec.Command(m.cmd.Path, m.cmd.Args[1:]...)
	cmd.Env, cmd.Stdout, cmd.Stderr = m.cmd.Env, m.cmd.Stdout, m.cmd.Stderr
	cmd.SysProcAttr = childAttr(nil, syscall.SIGTERM)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("restart minio: %w", err)
	}
	done := make(chan struct{})
	m.cmd, m.done = cmd, done
	go func() { m.err = cmd.Wait(); close(done) }()
	return m.waitHealthy(ctx, 60*time.Second)
}

// FreePort asks the kernel for a TCP port on 127.0.0.1 that is free now.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
