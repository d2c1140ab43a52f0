// Package local runs veglens on one machine: it starts PostgreSQL and
// MinIO (package services), applies the migrations, creates the bucket and
// its event notifications, builds the Lambda functions from explicit
// settings and serves them behind the local gateway (package gateway),
// which MinIO's webhooks also reach. Package ingest loads folders of photos
// through the bucket.
package local

import (
	"cmp"
	"context"
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
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/veglens/veglens/functions/sweep/sweep"
	"github.com/veglens/veglens/infra/local/gateway"
	"github.com/veglens/veglens/infra/local/ingest"
	"github.com/veglens/veglens/infra/services"
	"github.com/veglens/veglens/shared/catalog"
	"github.com/veglens/veglens/shared/objects"
	"github.com/veglens/veglens/shared/veglens"
)

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
	// ORTLib is the ONNX Runtime shared library the classify function
	// loads the model with (ORT_LIB).
	ORTLib string
	// Bucket is the images bucket (default veglens-images).
	Bucket string
	// UploadExpiry is the lifetime of presigned uploads; 0 is the upload
	// function's default.
	UploadExpiry time.Duration
	// Functions builds the handlers (default LambdaFunctions).
	Functions FunctionsFactory
	// Metrics receives the classify function's embedded-metric-format
	// records; nil discards them.
	Metrics io.Writer
	// MinIOBinary defaults to services.FindMinIO().
	MinIOBinary string
	// Fast runs PostgreSQL without fsync (tests).
	Fast bool
	// Classifying bounds concurrent classify calls (default 2).
	Classifying int
	// SweepEvery is how often the sweep function runs, as the cloud's
	// schedule runs it (default DefaultSweepEvery).
	SweepEvery time.Duration
	// Clock is the sweep function's clock (tests move it forward to expire
	// uploads); default time.Now.
	Clock func() time.Time
	// Log receives the gateway's and the functions' logs; nil discards.
	Log *slog.Logger
}

// DefaultSweepEvery is how often the local stack runs the sweep: more often
// than the cloud's five minutes, so that an upload that never arrives ends
// soon after its link expires.
const DefaultSweepEvery = 30 * time.Second

// Stack is a running local veglens: services, gateway and functions.
type Stack struct {
	URL string
	// Settings are what the functions were built with.
	Settings Settings
	Postgres *services.Postgres
	MinIO    *services.MinIO
	Gateway  *gateway.Gateway
	S3       *s3.Client
	// Catalog is the stack's own connection to the catalog (ingest
	// progress, tests), apart from the functions' pool.
	Catalog *catalog.Store
	Labels  []veglens.Kind
	// ModelVersion is what labels images: the model and its refusal rule
	// (veglens.ModelMeta.LabelVersion).
	ModelVersion string

	cfg        Config
	logs       []*os.File
	server     *http.Server
	functions  Functions
	served     chan error
	stopSweeps context.CancelFunc
	sweeps     sync.WaitGroup
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
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Functions == nil {
		cfg.Functions = LambdaFunctions
	}
	state, err := filepath.Abs(cfg.StateDir)
	if err != nil {
		return nil, fmt.Errorf("state dir: %w", err)
	}
	if err := os.MkdirAll(state, 0o755); err != nil {
		return nil, fmt.Errorf("create state dir: %w", err)
	}
	meta, err := veglens.ReadModelMeta(cfg.ModelDir)
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
	st := &Stack{URL: base, cfg: cfg, Labels: meta.Labels, ModelVersion: meta.LabelVersion(), served: make(chan error, 1)}
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
	hook := base + gateway.EventsPath
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

	storage, err := url.Parse(st.MinIO.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("minio endpoint: %w", err)
	}
	st.Gateway = gateway.New(gateway.Config{
		SiteDir:     cfg.SiteDir,
		Storage:     storage,
		Bucket:      cfg.Bucket,
		Classifying: cfg.Classifying,
		Log:         cfg.Log,
	})
	st.server = &http.Server{Handler: st.Gateway, ReadHeaderTimeout: 10 * time.Second}
	go func() { st.served <- st.server.Serve(ln) }()

	if err := catalog.Migrate(ctx, st.Postgres.URL, cfg.Log); err != nil {
		return nil, err
	}
	if err := services.SetupBucket(ctx, st.S3, cfg.Bucket, notifyRules(meta.Labels)); err != nil {
		return nil, err
	}
	st.Catalog, err = catalog.Open(ctx, st.Postgres.URL)
	if err != nil {
		return nil, err
	}
	st.Settings = Settings{
		DatabaseURL: st.Postgres.URL,
		Objects: objects.Config{
			Bucket:         cfg.Bucket,
			Endpoint:       st.MinIO.Endpoint,
			PublicEndpoint: base,
			Region:         st.MinIO.Region,
			AccessKey:      st.MinIO.AccessKey,
			SecretKey:      st.MinIO.SecretKey,
		},
		ModelDir:     cfg.ModelDir,
		ORTLib:       cfg.ORTLib,
		UploadExpiry: cfg.UploadExpiry,
		Clock:        cfg.Clock,
		Metrics:      cfg.Metrics,
		Log:          cfg.Log,
	}
	st.functions, err = cfg.Functions(ctx, st.Settings)
	if err != nil {
		return nil, fmt.Errorf("build functions: %w", err)
	}
	st.Gateway.SetFunctions(st.functions.Handlers)
	if st.functions.Sweep != nil {
		every := cmp.Or(cfg.SweepEvery, DefaultSweepEvery)
		sctx, stop := context.WithCancel(context.Background())
		st.stopSweeps = stop
		st.sweeps.Go(func() {
			t := time.NewTicker(every)
			defer t.Stop()
			for {
				select {
				case <-sctx.Done():
					return
				case <-t.C:
					if _, err := st.functions.Sweep(sctx); err != nil && sctx.Err() == nil {
						cfg.Log.Warn("sweep failed; the next one tries again", "err", err)
					}
				}
			}
		})
	}
	ok = true
	return st, nil
}

// Sweep runs the sweep function once now, as its schedule does (see
// Config.SweepEvery).
func (st *Stack) Sweep(ctx context.Context) (sweep.Report, error) {
	if st.functions.Sweep == nil {
		return sweep.Report{}, errors.New("the functions have no sweep")
	}
	return st.functions.Sweep(ctx)
}

// notifyRules routes uploads to their own target and gallery objects to
// one of the dataset targets by kind.
func notifyRules(labels []veglens.Kind) []services.Notify {
	rules := []services.Notify{{Prefix: veglens.UploadPrefix, WebhookID: uploadsTarget}}
	for i, l := range labels {
		rules = append(rules, services.Notify{Prefix: veglens.DatasetKindPrefix(l), WebhookID: datasetTarget(i)})
	}
	return rules
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

// Ingest loads a <Kind>/<image> tree through the bucket and its events
// (see ingest.Tree), measuring the gateway's classify slots.
func (st *Stack) Ingest(ctx context.Context, dir string, progress io.Writer) (ingest.Summary, error) {
	return ingest.Tree(ctx, ingest.Target{
		S3:           st.S3,
		Bucket:       st.cfg.Bucket,
		Labels:       st.Labels,
		Catalog:      st.Catalog,
		Slots:        st.Gateway,
		ModelVersion: st.ModelVersion,
	}, dir, progress)
}

// Served returns a channel that yields the HTTP server's error if it stops
// on its own.
func (st *Stack) Served() <-chan error { return st.served }

// Close stops the gateway (letting requests in flight finish), then MinIO
// (undelivered events stay in its queue on disk), the functions and
// PostgreSQL. It is safe to call on a partly started stack.
func (st *Stack) Close(ctx context.Context) error {
	var errs []error
	if st.stopSweeps != nil {
		st.stopSweeps()
		st.sweeps.Wait()
	}
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
	if st.Catalog != nil {
		st.Catalog.Close()
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
	fmt.Fprintf(w, "  S3 events -> %s%s (classify, %d at a time; removals to the sweep)\n", st.URL, gateway.EventsPath, st.Gateway.Classifying())
	fmt.Fprintf(w, "  sweep        every %s (uploads that never arrived; rows of deleted objects)\n", cmp.Or(st.cfg.SweepEvery, DefaultSweepEvery))
	fmt.Fprintf(w, "  state        %s (logs: postgres.log, minio.log, veglens.log)\n", st.cfg.StateDir)
}
