// Package gateway is the local stand-in for what AWS puts around the Lambda
// functions: API Gateway (each HTTP request becomes the API Gateway v2
// event the cloud sends, routed by api.Routes to the function named there),
// S3 event delivery (MinIO's bucket notifications become the S3 events the
// classify function receives, a few at a time), and the site's hosting (the
// built single-page site, and presigned storage URLs passed through to
// MinIO).
package gateway

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/veglens/veglens/shared/api"
)

// HTTPFunc is an HTTP API Lambda handler (API Gateway v2 payload).
type HTTPFunc func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// S3Func is an S3-triggered Lambda handler.
type S3Func func(ctx context.Context, ev events.S3Event) error

// Functions are the Lambda handlers the gateway calls.
type Functions struct {
	// HTTP holds the HTTP API functions by the names api.Routes uses
	// (api.FunctionUpload, api.FunctionQuery).
	HTTP map[string]HTTPFunc
	// Classify receives the bucket's ObjectCreated records.
	Classify S3Func
	// Removed receives its ObjectRemoved and LifecycleExpiration records
	// (the sweep function's HandleRemoved); nil drops them.
	Removed S3Func
}

// EventsPath is where MinIO posts bucket notifications.
const EventsPath = "/internal/s3-events"

// MaxRequestBody bounds API request bodies (uploads go to storage directly).
const MaxRequestBody = 1 << 20

// DefaultClassifying is how many events are classified at once by default.
const DefaultClassifying = 2

// Config configures a Gateway.
type Config struct {
	// SiteDir holds the built site (index.html); a placeholder page is
	// served when it is missing.
	SiteDir string
	// Storage is MinIO's address; requests under /<Bucket>/ are passed to
	// it unchanged (same path, same Host header) so that presigned URLs
	// made for the gateway's address verify. Nil serves no storage.
	Storage *url.URL
	Bucket  string
	// Classifying bounds concurrent classify calls (default
	// DefaultClassifying).
	Classifying int
	// Log receives failed invocations; nil discards.
	Log *slog.Logger
}

// Gateway is an http.Handler serving the API, the S3 event webhook, the
// storage pass-through and the site. Until the functions are set
// (SetFunctions, once the model has loaded) API requests and events answer
// 503, so that MinIO keeps events queued and browsers retry.
type Gateway struct {
	cfg      Config
	log      *slog.Logger
	mux      *http.ServeMux
	sem      chan struct{}
	fns      atomic.Pointer[Functions]
	inFlight atomic.Int64
	busy     atomic.Int64 // nanoseconds spent in classify, summed over slots
}

// New builds a Gateway.
func New(cfg Config) *Gateway {
	if cfg.Classifying <= 0 {
		cfg.Classifying = DefaultClassifying
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	g := &Gateway{cfg: cfg, log: log, mux: http.NewServeMux(), sem: make(chan struct{}, cfg.Classifying)}
	for _, r := range api.Routes {
		g.mux.Handle(r.Key, g.apiHandler(r))
	}
	g.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeJSONError(w, http.StatusNotFound, "not_found", "No such API route: "+r.Method+" "+r.URL.Path)
	})
	g.mux.HandleFunc("POST "+EventsPath, g.serveEvents)
	if cfg.Storage != nil && cfg.Bucket != "" {
		proxy := storageProxy(cfg.Storage, cfg.Bucket, g.deliverEarly)
		g.mux.Handle("/"+cfg.Bucket+"/", proxy)
		g.mux.Handle("/"+cfg.Bucket, proxy)
	}
	g.mux.Handle("/", siteHandler(cfg.SiteDir))
	return g
}

// ServeHTTP serves one request.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.mux.ServeHTTP(w, r) }

// SetFunctions installs the Lambda handlers; safe while serving.
func (g *Gateway) SetFunctions(f Functions) { g.fns.Store(&f) }

func (g *Gateway) functions() (Functions, bool) {
	if f := g.fns.Load(); f != nil {
		return *f, true
	}
	return Functions{}, false
}

// Classifying is how many events are classified at once.
func (g *Gateway) Classifying() int { return g.cfg.Classifying }

// InFlight is the number of bucket notifications being handled now.
func (g *Gateway) InFlight() int64 { return g.inFlight.Load() }

// ClassifyBusy is the time spent in the classify function so far, summed
// over the concurrent slots: divided by elapsed time and Classifying it
// tells how well event delivery keeps the classifier fed.
func (g *Gateway) ClassifyBusy() time.Duration { return time.Duration(g.busy.Load()) }

func writeJSONError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

// apiHandler serves one route by building the API Gateway v2 event the
// cloud would send to the route's function and writing its response back.
func (g *Gateway) apiHandler(route api.Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fns, ready := g.functions()
		if !ready {
			w.Header().Set("Retry-After", "2")
			writeJSONError(w, http.StatusServiceUnavailable, "unavailable", "veglens is starting; try again in a moment.")
			return
		}
		h := fns.HTTP[route.Function]
		if h == nil {
			// API Gateway answers a route without an integration likewise.
			g.log.Error("no function for route", "route", route.Key, "function", route.Function)
			writeJSONError(w, http.StatusInternalServerError, "internal", "Something went wrong on our side. Please try again later.")
			return
		}
		ev, err := BuildRequest(r, route.Key)
		if err != nil {
			writeJSONError(w, http.StatusRequestEntityTooLarge, "too_large", err.Error())
			return
		}
		resp, err := h(r.Context(), ev)
		if err != nil {
			// API Gateway answers a failed invocation with a bare 500.
			g.log.Error("api handler failed", "route", route.Key, "err", err)
			writeJSONError(w, http.StatusInternalServerError, "internal", "Something went wrong on our side. Please try again later.")
			return
		}
		if err := WriteResponse(w, resp); err != nil {
			g.log.Error("write api response", "route", route.Key, "err", err)
		}
	})
}
