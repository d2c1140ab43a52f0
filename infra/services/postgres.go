// Package services starts the real back-end services veglens needs on one
// machine — PostgreSQL (Debian's server binaries) and MinIO (the S3-compatible
// object store) — as child processes of the calling program, and stops them
// cleanly. The local runner (`veglens run`) and the integration tests use it;
// nothing here is used in the cloud.
package services

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresConfig says where and how to run a PostgreSQL server.
type PostgresConfig struct {
	// Dir is the cluster's data directory. It is created (initdb) when it
	// does not hold a cluster yet and reused otherwise, so data survives
	// restarts.
	Dir string
	// Port is the TCP port on 127.0.0.1.
	Port int
	// Database is created when missing; default "veglens".
	Database string
	// BinDir holds initdb and postgres; default: the newest
	// /usr/lib/postgresql/<version>/bin, else the directory of `postgres`
	// on PATH.
	BinDir string
	// Fast trades durability for speed (fsync off, no initdb sync); for
	// throw-away clusters in tests.
	Fast bool
	// Log receives the server's output; nil discards it.
	Log io.Writer
}

// Postgres is a running PostgreSQL server started by StartPostgres.
type Postgres struct {
	// URL connects to Database as the superuser "postgres" over TCP.
	URL  string
	Dir  string
	Port int

	cfg  PostgresConfig
	cred *syscall.Credential
	cmd  *exec.Cmd
	done chan struct{}
	err  error // exit status, valid after done is closed
}

// InstallHint tells a person how to get the binaries the services need.
const InstallHint = "run `make deps` (installs PostgreSQL from Debian via infra/scripts/install-system.sh and MinIO into bin/)"

// FindPostgresBin returns the directory holding PostgreSQL's server binaries.
func FindPostgresBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("PostgreSQL server binaries (initdb, postgres) not found in /usr/lib/postgresql/*/bin or PATH: %s", InstallHint)
}

func pgVersion(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// StartPostgres initialises the cluster in cfg.Dir if needed, starts the
// server listening on 127.0.0.1:cfg.Port (unix socket inside the data
// directory), waits until it accepts connections and creates the database.
// When the calling process is root the server runs as the system user
// "postgres" (PostgreSQL refuses to run as root) and cfg.Dir is handed to it.
func StartPostgres(ctx context.Context, cfg PostgresConfig) (*Postgres, error) {
	if cfg.Dir == "" || cfg.Port == 0 {
		return nil, errors.New("start postgres: Dir and Port are required")
	}
	if cfg.Database == "" {
		cfg.Database = "veglens"
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.BinDir == "" {
		d, err := FindPostgresBin()
		if err != nil {
			return nil, err
		}
		cfg.BinDir = d
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	cfg.Dir = dir
	cred, err := postgresCredential()
	if err != nil {
		return nil, err
	}
	if err := prepareDataDir(cfg, cred); err != nil {
		return nil, err
	}

	p := &Postgres{
		URL:  fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", cfg.Port, url.PathEscape(cfg.Database)),
		Dir:  cfg.Dir,
		Port: cfg.Port,
		cfg:  cfg,
		cred: cred,
	}
	if err := p.start(ctx); err != nil {
		return nil, err
	}
	return p, nil
}

// start runs the server on the prepared cluster and waits until it serves.
func (p *Postgres) start(ctx context.Context) error {
	cfg := p.cfg
	if err := waitForPreviousServer(ctx, cfg.Dir, 30*time.Second); err != nil {
		return err
	}
	args := []string{
		"-D", cfg.Dir,
		"-p", strconv.Itoa(cfg.Port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories=" + socketDir(cfg.Dir, cfg.Port),
		"-c", "max_connections=100",
	}
	if cfg.Fast {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	cmd := exec.Command(filepath.Join(cfg.BinDir, "postgres"), args...)
	cmd.Stdout, cmd.Stderr = cfg.Log, cfg.Log
	cmd.SysProcAttr = childAttr(p.cred, syscall.SIGINT)
	cmd.Env = childEnv(p.cred)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	done := make(chan struct{})
	p.cmd, p.done = cmd, done
	go func() { p.err = cmd.Wait(); close(done) }()

	if err := p.waitReady(ctx, 60*time.Second); err != nil {
		_ = p.Stop(context.Background())
		return err
	}
	if err := p.createDatabase(ctx); err != nil {
		_ = p.Stop(context.Background())
		return err
	}
	return nil
}

// socketDir returns where the server's unix socket goes: the data directory,
// unless that path is too long for a socket address, then none (TCP only).
func socketDir(dir string, port int) string {
	if len(filepath.Join(dir, fmt.Sprintf(".s.PGSQL.%d.lock", port))) > 100 {
		return ""
	}
	return dir
}

// postgresCredential returns the identity the server must run under: nil
// when the caller is not root, else the "postgres" system user.
func postgresCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, PostgreSQL must run as the system user \"postgres\", which does not exist: %s", InstallHint)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// childAttr puts a child in its own process group (a terminal's Ctrl-C
// reaches only the parent, which then stops children in order) and asks the
// kernel to signal it if the parent dies without stopping it.
func childAttr(cred *syscall.Credential, onParentDeath syscall.Signal) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: onParentDeath, Credential: cred}
}

func childEnv(cred *syscall.Credential) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "LANG=C", "LC_ALL=C", "TZ=UTC"}
	if cred != nil {
		if u, err := user.LookupId(strconv.Itoa(int(cred.Uid))); err == nil {
			env = append(env, "HOME="+u.HomeDir, "USER="+u.Username)
		}
	} else {
		env = append(env, "HOME="+os.Getenv("HOME"))
	}
	return env
}

// prepareDataDir creates the data directory owned by the server's user and
// runs initdb unless it already holds a cluster.
func prepareDataDir(cfg PostgresConfig, cred *syscall.Credential) error {
	if _, err := os.Stat(filepath.Join(cfg.Dir, "PG_VERSION")); err == nil {
		return nil
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return fmt.Errorf("create postgres data dir: %w", err)
	}
	if cred != nil {
		if err := os.Chown(cfg.Dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return fmt.Errorf("hand postgres data dir to user postgres: %w", err)
		}
		if err := reachableByOthers(cfg.Dir); err != nil {
			return err
		}
	}
	args := []string{"-D", cfg.Dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"}
	if cfg.Fast {
		args = append(args, "--no-sync")
	}
	cmd := exec.Command(filepath.Join(cfg.BinDir, "initdb"), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	cmd.Env = childEnv(cred)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("initdb %s: %w\n%s", cfg.Dir, err, lastLines(string(out), 15))
	}
	return nil
}

// reachableByOthers checks that every parent of dir lets another user (the
// postgres account) pass through, so that the server can reach its data.
func reachableByOthers(dir string) error {
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("check postgres data dir: %w", err)
		}
		if st.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("the postgres user cannot reach %s: directory %s is not searchable by others (chmod o+x %s, or choose another state directory)", dir, d, d)
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

func (p *Postgres) waitReady(ctx context.Context, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	admin := p.adminURL()
	var last error
	for {
		cctx, ccancel := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgx.Connect(cctx, admin)
		ccancel()
		if err == nil {
			err = conn.Ping(ctx)
			_ = conn.Close(context.Background())
			if err == nil {
				return nil
			}
		}
		last = err
		select {
		case <-p.done:
			return fmt.Errorf("postgres exited during startup (%v); see its log: %s", p.err, p.dataDirHint())
		case <-ctx.Done():
			return fmt.Errorf("postgres on port %d not ready: %w (last error: %v)", p.Port, ctx.Err(), last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// waitForPreviousServer waits while a server from an earlier run still
// holds dir: a runner killed with SIGKILL leaves its PostgreSQL to shut
// down on its own (the child gets SIGINT when its parent dies), which takes
// a few seconds. A postmaster.pid whose process is gone is left to
// PostgreSQL, which removes a stale one itself.
func waitForPreviousServer(ctx context.Context, dir string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
		if err != nil {
			return nil // no server holds it
		}
		first, _, _ := strings.Cut(string(b), "\n")
		pid, err := strconv.Atoi(strings.TrimSpace(first))
		if err != nil || pid <= 0 || syscall.Kill(pid, 0) == syscall.ESRCH {
			return nil // stale
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("PostgreSQL (process %d) still uses %s after %s: stop it first", pid, dir, limit)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for the previous PostgreSQL to stop: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (p *Postgres) dataDirHint() string {
	if _, err := os.Stat(filepath.Join(p.Dir, "postmaster.pid")); err == nil {
		return "a postmaster.pid exists in " + p.Dir + " — is another server using this directory?"
	}
	return p.Dir
}

func (p *Postgres) adminURL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=2", p.Port)
}

func (p *Postgres) createDatabase(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, p.adminURL())
	if err != nil {
		return fmt.Errorf("connect to postgres: %w", err)
	}
	defer conn.Close(context.Background())
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", p.cfg.Database).Scan(&exists); err != nil {
		return fmt.Errorf("look up database %q: %w", p.cfg.Database, err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{p.cfg.Database}.Sanitize()); err != nil {
		return fmt.Errorf("create database %q: %w", p.cfg.Database, err)
	}
	return nil
}

// Running reports whether the server process is still alive.
func (p *Postgres) Running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// Stop shuts the server down ("fast" mode: open sessions are closed, data
// is flushed) and waits for it; if ctx ends first it kills the server.
// Stopping a stopped server does nothing.
func (p *Postgres) Stop(ctx context.Context) error {
	return stopProcess(ctx, p.cmd, p.done, syscall.SIGINT, 30*time.Second)
}

// Restart starts the server again on the same directory and port after
// Stop (tests use it to show that nothing is lost while it is down).
func (p *Postgres) Restart(ctx context.Context) error {
	if p.Running() {
		return errors.New("restart postgres: still running")
	}
	return p.start(ctx)
}

// stopProcess sends sig to the process, waits up to grace (or until ctx
// ends) for it to exit, then kills it.
func stopProcess(ctx context.Context, cmd *exec.Cmd, done <-chan struct{}, sig syscall.Signal, grace time.Duration) error {
	select {
	case <-done:
		return nil
	default:
	}
	if err := cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("signal %s: %w", filepath.Base(cmd.Path), err)
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	case <-t.C:
	}
	_ = cmd.Process.Kill()
	<-done
	return fmt.Errorf("%s did not stop in time and was killed", filepath.Base(cmd.Path))
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
