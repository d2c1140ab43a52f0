package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/veglens/veglens/infra/local"
	"github.com/veglens/veglens/shared/config"
	"github.com/veglens/veglens/shared/sourcetree"
)

func init() {
	register("run", "run veglens locally: PostgreSQL, MinIO, the functions and the site on http://127.0.0.1:8080", runLocal)
}

func runLocal(ctx context.Context, args []string) int {
	root, err := sourcetree.Root()
	if err != nil {
		root = "."
	}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "address the gateway listens on")
	state := fs.String("state", filepath.Join(root, ".local"), "folder for the database, objects, queued events and logs (kept between runs)")
	site := fs.String("site", filepath.Join(root, "site", "dist"), "folder with the built site")
	model := fs.String("model", envOr("MODEL_DIR", filepath.Join(root, "models")), "folder with veglens.onnx and model.json")
	gallery := fs.String("gallery", filepath.Join(root, "infra", "gallery"), "sample gallery (<Kind>/<image>.jpg) ingested at start")
	noGallery := fs.Bool("no-gallery", false, "do not ingest the sample gallery")
	data := fs.String("data", "", "also ingest this <Kind>/<image>.jpg folder (e.g. the dataset's validation split), with progress and a summary")
	exitAfter := fs.Bool("exit-after-ingest", false, "stop once the ingest is done (for measurements)")
	classifying := fs.Int("classify", 2, "how many S3 events the classify function handles at once")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of this process (gateway, functions, ingest) to this file until it stops (go tool pprof reads it)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: veglens run [flags]\n\nStarts PostgreSQL and MinIO (data under -state), applies migrations, creates\nthe bucket and its event notifications, and serves the API, the site and the\nS3 event webhook. Ctrl-C stops everything; the next run keeps the data.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	// The settings the functions read from their environment in the cloud
	// that a person may set here too (ORT_LIB, LOG_LEVEL, UPLOAD_EXPIRY);
	// the rest (bucket, database, endpoints) belong to the local stack.
	env, err := config.FromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "veglens run:", err)
		return 1
	}
	if err := os.MkdirAll(*state, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "veglens run:", err)
		return 1
	}
	logFile, err := os.OpenFile(filepath.Join(*state, "veglens.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, "veglens run:", err)
		return 1
	}
	defer logFile.Close()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "veglens run: cpu profile:", err)
			return 1
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	log := slog.New(slog.NewJSONHandler(logFile, &slog.HandlerOptions{Level: env.LogLevel}))

	fmt.Printf("starting PostgreSQL and MinIO (state in %s)...\n", *state)
	started := time.Now()
	st, err := local.Start(ctx, local.Config{
		Addr:         *addr,
		StateDir:     *state,
		SiteDir:      *site,
		ModelDir:     *model,
		ORTLib:       ortLibrary(env.ORTLib, root),
		UploadExpiry: env.UploadExpiry,
		Metrics:      logFile,
		Classifying:  *classifying,
		Log:          log,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "veglens run:", err)
		return 1
	}
	fmt.Printf("ready in %.1fs\n", time.Since(started).Seconds())
	st.Describe(os.Stdout)
	if _, err := os.Stat(filepath.Join(*site, "index.html")); err != nil {
		fmt.Println("  (the site is not built: a placeholder page is served; `make site` builds it)")
	}
	fmt.Println("press Ctrl-C to stop")

	ingestDone := make(chan error, 1)
	go func() { ingestDone <- ingest(ctx, st, *gallery, !*noGallery, *data) }()

	code := 0
	select {
	case <-ctx.Done():
	case err := <-st.Served():
		fmt.Fprintln(os.Stderr, "veglens run: gateway stopped:", err)
		code = 1
	case err := <-ingestDone:
		if err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintln(os.Stderr, "veglens run: ingest:", err)
			code = 1
		}
		if *exitAfter || code != 0 {
			break
		}
		select {
		case <-ctx.Done():
		case err := <-st.Served():
			fmt.Fprintln(os.Stderr, "veglens run: gateway stopped:", err)
			code = 1
		}
	}
	fmt.Println("\nstopping...")
	sctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := st.Close(sctx); err != nil {
		fmt.Fprintln(os.Stderr, "veglens run: stop:", err)
		return 1
	}
	fmt.Printf("stopped; the data stays in %s for the next run\n", *state)
	return code
}

// ingest loads the sample gallery, then the -data folder, through the
// bucket and its events.
func ingest(ctx context.Context, st *local.Stack, gallery string, withGallery bool, data string) error {
	if withGallery {
		sum, err := st.Ingest(ctx, gallery, nil)
		if err != nil {
			return fmt.Errorf("sample gallery: %w", err)
		}
		if sum.Uploaded > 0 {
			fmt.Printf("sample gallery: %s\n", sum)
		} else {
			fmt.Printf("sample gallery: all %d images already present\n", sum.Found)
		}
	}
	if data == "" {
		return nil
	}
	fmt.Printf("ingesting %s ...\n", data)
	var progress io.Writer = os.Stdout
	sum, err := st.Ingest(ctx, data, progress)
	fmt.Printf("ingest summary: %s\n", sum)
	return err
}

// ortLibrary is the ONNX Runtime library: ORT_LIB when set, else what
// `make ort` fetched into .cache (when run outside make), else nothing, which
// loading the model then reports.
func ortLibrary(fromEnv, root string) string {
	if fromEnv != "" {
		return fromEnv
	}
	libs, _ := filepath.Glob(filepath.Join(root, ".cache", "onnxruntime-*", "libonnxruntime.so.1"))
	if len(libs) == 0 {
		return ""
	}
	return libs[len(libs)-1]
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
