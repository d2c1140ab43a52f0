package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/veglens/veglens/infra/services"
	"github.com/veglens/veglens/shared/catalog"
)

// Env is what the functions are configured with locally; Apply sets the
// environment variables the Lambda functions read in the cloud.
type Env struct {
	Bucket           string // IMAGES_BUCKET
	DatabaseURL      string // DATABASE_URL
	ModelDir         string // MODEL_DIR
	S3Endpoint       string // S3_ENDPOINT: MinIO itself
	S3PublicEndpoint string // S3_PUBLIC_ENDPOINT: the gateway (browsers)
	AccessKey        string // AWS_ACCESS_KEY_ID
	SecretKey        string // AWS_SECRET_ACCESS_KEY
	Region           string // AWS_REGION
}

// Vars returns the environment as NAME=value pairs.
func (e Env) Vars() map[string]string {
	return map[string]string{
		"IMAGES_BUCKET":         e.Bucket,
		"DATABASE_URL":          e.DatabaseURL,
		"MODEL_DIR":             e.ModelDir,
		"S3_ENDPOINT":           e.S3Endpoint,
		"S3_PUBLIC_ENDPOINT":    e.S3PublicEndpoint,
		"AWS_ACCESS_KEY_ID":     e.AccessKey,
		"AWS_SECRET_ACCESS_KEY": e.SecretKey,
		"AWS_REGION":            e.Region,
		// MinIO returns no checksum for objects stored without one, so the
		// SDK's default (validate when supported) validates nothing and logs
		// a line per download; only validate when a request asks for it.
		"AWS_RESPONSE_CHECKSUM_VALIDATION": "when_required",
	}
}

// Apply sets the variables in this process's environment, where the
// functions' constructors read them.
func (e Env) Apply() error {
	for k, v := range e.Vars() {
		if err := os.Setenv(k, v); err != nil {
			return fmt.Errorf("set %s: %w", k, err)
		}
	}
	return nil
}

// Functions are the three Lambda handlers, built once per process like a
// warm Lambda; Close releases them (the model).
type Functions struct {
	Upload   HTTPFunc
	Query    HTTPFunc
	Classify S3Func
	Close    func() error
}

// FunctionsFactory builds the handlers after Env has been applied.
type FunctionsFactory func(ctx context.Context, env Env) (Functions, error)

// Config configures a local stack.
type Config struct {
	// Addr is where the gateway listens (default 127.0.0.1:8080; port 0
	// picks a free one).
	Addr string
	// StateDir keeps the PostgreSQL cluster, MinIO's data, the queue of
	// undelivered events and the logs (default .local).
	StateDir string
	SiteDir  string
	ModelDir string
	// Bucket is the images bucket (default veglens-images).
	Bucket    string
	Functions FunctionsFactory
	OpenAPI   []byte
	// MinIOBinary defaults to services.FindMinIO().
	MinIOBinary string
	// Fast runs PostgreSQL without fsync (tests).
	Fast bool
	// Classifying bounds concurrent classify calls (default 2).
	Classifying int
	Log         *slog.Logger
}

// Stack is a running local veglens: services, gateway and functions.
type Stack struct {
	URL      string
	Env      Env
	Postgres *services.Postgres
	MinIO    *services.MinIO
	Gateway  *Gateway
	S3       *s3.Client
	DB       *pgxpool.Pool
	Labels   []string

	cfg       Config
	logs      []*os.File
	server    *http.Server
	functions Functions
	served    chan error
}

// Webhook target ids. Gallery objects are spread over several targets by
// kind because MinIO delivers each target's queue one event at a time; user
// uploads have their own so a large ingest never delays them.
const (
	uploadsTarget = "UPLOADS"
	datasetShards = 3
)

func datasetTarget(i int) string { return fmt.Sprintf("DATASET%d", i%datasetShards) }

// Start brings up PostgreSQL, MinIO, the schema, the bucket and its event
// notifications, and the gateway with the functions. Close stops it all.
func Start(ctx context.Context, cfg Config) (*Stack, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:8080"
	}
	if cfg.StateDir == "" {
		cfg.StateDir = ".local"
	}
	if cfg.Bucket == "" {
		cfg.Bucket = "veglens-images"
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Functions == nil {
		return nil, errors.New("start: no functions to serve")
	}
	state, err := filepath.Abs(cfg.StateDir)
	if err != nil {
		return nil, fmt.Errorf("state dir: %w", err)
	}
	if err := os.MkdirAll(state, 0o755); err != nil {
		return nil, fmt.Errorf("create state dir: %w", err)
	}
	labels, err := modelLabels(cfg.ModelDir)
	if err != nil {
		return nil, err
	}

	// Listen first: MinIO's webhook must find the gateway, and a taken
	// port should fail before anything starts.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (is another veglens running? choose another with -addr): %w", cfg.Addr, err)
	}
	base := "http://" + ln.Addr().String()
	st := &Stack{URL: base, cfg: cfg, Labels: labels, served: make(chan error, 1)}
	ok := false
	defer func() {
		if !ok {
			_ = ln.Close()
			_ = st.Close(context.Background())
		}
	}()

	pgPort, err := stablePort(filepath.Join(state, "postgres.port"))
	if err != nil {
		return nil, err
	}
	pgLog, err := appendLog(filepath.Join(state, "postgres.log"))
	if err != nil {
		return nil, err
	}
	st.logs = append(st.logs, pgLog)
	st.Postgres, err = services.StartPostgres(ctx, services.PostgresConfig{
		Dir: filepath.Join(state, "postgres"), Port: pgPort, Fast: cfg.Fast, Log: pgLog,
	})
	if err != nil {
		return nil, fmt.Errorf("%w (log: %s)", err, filepath.Join(state, "postgres.log"))
	}

	minioPort, err := services.FreePort()
	if err != nil {
		return nil, err
	}
	minioLog, err := appendLog(filepath.Join(state, "minio.log"))
	if err != nil {
		return nil, err
	}
	st.logs = append(st.logs, minioLog)
	hook := base + EventsPath
	queue := filepath.Join(state, "events")
	webhooks := []services.Webhook{{ID: uploadsTarget, Endpoint: hook, QueueDir: queue}}
	for i := 0; i < datasetShards; i++ {
		webhooks = append(webhooks, services.Webhook{ID: datasetTarget(i), Endpoint: hook, QueueDir: queue})
	}
	st.MinIO, err = services.StartMinIO(ctx, services.MinIOConfig{
		Dir: filepath.Join(state, "minio"), Port: minioPort, Binary: cfg.MinIOBinary,
		Webhooks: webhooks, Log: minioLog,
	})
	if err != nil {
		return nil, fmt.Errorf("%w (log: %s)", err, filepath.Join(state, "minio.log"))
	}
	st.S3 = st.MinIO.S3Client()

	storage, _ := url.Parse(st.MinIO.Endpoint)
	st.Gateway = &Gateway{
		OpenAPI:     cfg.OpenAPI,
		SiteDir:     cfg.SiteDir,
		Storage:     storage,
		Bucket:      cfg.Bucket,
		Classifying: cfg.Classifying,
		Log:         cfg.Log,
	}
	st.server = &http.Server{Handler: st.Gateway.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { st.served <- st.server.Serve(ln) }()

	if err := catalog.Migrate(ctx, st.Postgres.URL); err != nil {
		return nil, err
	}
	if err := services.SetupBucket(ctx, st.S3, cfg.Bucket, notifyRules(labels)); err != nil {
		return nil, err
	}
	st.DB, err = pgxpool.New(ctx, st.Postgres.URL)
	if err != nil {
		return nil, fmt.Errorf("connect to catalog: %w", err)
	}
	st.Env = Env{
		Bucket:           cfg.Bucket,
		DatabaseURL:      st.Postgres.URL,
		ModelDir:         cfg.ModelDir,
		S3Endpoint:       st.MinIO.Endpoint,
		S3PublicEndpoint: base,
		AccessKey:        st.MinIO.AccessKey,
		SecretKey:        st.MinIO.SecretKey,
		Region:           st.MinIO.Region,
	}
	if err := st.Env.Apply(); err != nil {
		return nil, err
	}
	st.functions, err = cfg.Functions(ctx, st.Env)
	if err != nil {
		return nil, fmt.Errorf("build functions: %w", err)
	}
	st.Gateway.SetFunctions(st.functions.Upload, st.functions.Query, st.functions.Classify)
	ok = true
	return st, nil
}

// notifyRules routes uploads to their own target and gallery objects to
// one of the dataset targets by kind.
func notifyRules(labels []string) []services.Notify {
	rules := []services.Notify{{Prefix: "uploads/", WebhookID: uploadsTarget}}
	for i, l := range labels {
		rules = append(rules, services.Notify{Prefix: "dataset/" + l + "/", WebhookID: datasetTarget(i)})
	}
	return rules
}

// modelLabels reads the kinds the model knows from model.json.
func modelLabels(modelDir string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(modelDir, "model.json"))
	if err != nil {
		return nil, fmt.Errorf("read the model description: %w", err)
	}
	var m struct {
		Labels []string `json:"labels"`
	}
	if err := json.Unmarshal(b, &m); err != nil || len(m.Labels) == 0 {
		return nil, fmt.Errorf("model.json in %s has no labels (%v)", modelDir, err)
	}
	return m.Labels, nil
}

// stablePort keeps PostgreSQL on the same port across runs (so the URL in
// logs stays meaningful), choosing a free one the first time or when the
// saved one is taken.
func stablePort(file string) (int, error) {
	if b, err := os.ReadFile(file); err == nil {
		var p int
		if _, err := fmt.Sscanf(strings.TrimSpace(string(b)), "%d", &p); err == nil && p > 0 {
			if l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p)); err == nil {
				_ = l.Close()
				return p, nil
			}
		}
	}
	p, err := services.FreePort()
	if err != nil {
		return 0, err
	}
	if err := os.WriteFile(file, []byte(fmt.Sprintf("%d\n", p)), 0o644); err != nil {
		return 0, fmt.Errorf("save port: %w", err)
	}
	return p, nil
}

func appendLog(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	return f, nil
}

// Served returns a channel that yields the HTTP server's error if it stops
// on its own.
func (st *Stack) Served() <-chan error { return st.served }

// Close stops the gateway (letting requests in flight finish), then MinIO
// (undelivered events stay in its queue on disk), the functions and
// PostgreSQL. It is safe to call on a partly started stack.
func (st *Stack) Close(ctx context.Context) error {
	var errs []error
	if st.server != nil {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if err := st.server.Shutdown(sctx); err != nil {
			errs = append(errs, fmt.Errorf("stop gateway: %w", err))
		}
		cancel()
	}
	if st.MinIO != nil {
		if err := st.MinIO.Stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stop minio: %w", err))
		}
	}
	if st.functions.Close != nil {
		if err := st.functions.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close functions: %w", err))
		}
	}
	if st.DB != nil {
		st.DB.Close()
	}
	if st.Postgres != nil {
		if err := st.Postgres.Stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stop postgres: %w", err))
		}
	}
	for _, f := range st.logs {
		_ = f.Close()
	}
	return errors.Join(errs...)
}

// Describe writes what is running, for people.
func (st *Stack) Describe(w io.Writer) {
	fmt.Fprintf(w, "veglens is running at %s\n", st.URL)
	fmt.Fprintf(w, "  site         %s/ (files from %s)\n", st.URL, st.cfg.SiteDir)
	fmt.Fprintf(w, "  API          %s/api/ (description: %s/api/openapi.yaml)\n", st.URL, st.URL)
	fmt.Fprintf(w, "  PostgreSQL   %s\n", st.Postgres.URL)
	fmt.Fprintf(w, "  MinIO        %s (bucket %s, key %s)\n", st.MinIO.Endpoint, st.cfg.Bucket, st.MinIO.AccessKey)
	fmt.Fprintf(w, "  S3 events -> %s%s (classify, %d at a time)\n", st.URL, EventsPath, st.Gateway.Classifying)
	fmt.Fprintf(w, "  state        %s (logs: postgres.log, minio.log, veglens.log)\n", st.cfg.StateDir)
}
