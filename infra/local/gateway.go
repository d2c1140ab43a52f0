// Package local runs veglens on one machine: an HTTP gateway that turns
// browser requests into the API Gateway v2 events the Lambda handlers
// receive, a webhook that turns MinIO's bucket notifications into the S3
// events the classify handler receives, the site's static files, and the
// runner that starts PostgreSQL and MinIO around them.
package local

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// HTTPFunc is an HTTP API Lambda handler (API Gateway v2 payload).
type HTTPFunc func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// S3Func is an S3-triggered Lambda handler.
type S3Func func(ctx context.Context, ev events.S3Event) error

// Route is one API route: an API Gateway route key ("GET /api/images/{id}")
// and the function that serves it.
type Route struct {
	Key      string
	Function string // "upload" or "query": the Lambda function in template.yaml
}

// Routes lists every API route the gateway serves, as the cloud's API
// Gateway routes them. GET /api/openapi.yaml is served by the gateway itself.
var Routes = []Route{
	{"POST /api/uploads", "upload"},
	{"GET /api/images", "query"},
	{"GET /api/images/{id}", "query"},
	{"GET /api/kinds", "query"},
	{"GET /api/palettes", "query"},
	{"GET /api/stats", "query"},
	{"GET /api/model", "query"},
}

// OpenAPIRoute is the route serving the API description.
const OpenAPIRoute = "GET /api/openapi.yaml"

// EventsPath is where MinIO posts bucket notifications.
const EventsPath = "/internal/s3-events"

// MaxRequestBody bounds API request bodies (uploads go to storage directly).
const MaxRequestBody = 1 << 20

// Gateway is the local stand-in for API Gateway, S3 event delivery and the
// site's hosting. Until the functions are set (fields, or SetFunctions once
// the model has loaded) requests answer 503, so that MinIO keeps events
// queued and browsers retry.
type Gateway struct {
	Upload   HTTPFunc
	Query    HTTPFunc
	Classify S3Func
	// OpenAPI is served at /api/openapi.yaml.
	OpenAPI []byte
	// SiteDir holds the built site (index.html); a placeholder page is
	// served when it is missing.
	SiteDir string
	// Storage is MinIO's address; requests under /<Bucket>/ are passed to
	// it unchanged (same path, same Host header) so that presigned URLs
	// made for this gateway's address verify.
	Storage *url.URL
	Bucket  string
	// Classifying bounds concurrent classify calls (default 2).
	Classifying int
	Log         *slog.Logger

	sem      chan struct{}
	fns      atomic.Pointer[functions]
	inFlight atomic.Int64
	busy     atomic.Int64 // nanoseconds spent in classify, summed over slots
}

// functions are swapped in when ready (the model loads after the listener
// opens), so they are read atomically.
type functions struct {
	upload, query HTTPFunc
	classify      S3Func
}

// SetFunctions installs the Lambda handlers; safe while serving.
func (g *Gateway) SetFunctions(upload, query HTTPFunc, classify S3Func) {
	g.fns.Store(&functions{upload: upload, query: query, classify: classify})
}

func (g *Gateway) current() functions {
	if f := g.fns.Load(); f != nil {
		return *f
	}
	return functions{}
}

// Handler builds the http.Handler. Call once.
func (g *Gateway) Handler() http.Handler {
	if g.Classifying <= 0 {
		g.Classifying = 2
	}
	if g.Log == nil {
		g.Log = slog.Default()
	}
	g.sem = make(chan struct{}, g.Classifying)
	if g.Upload != nil || g.Query != nil || g.Classify != nil {
		g.SetFunctions(g.Upload, g.Query, g.Classify)
	}
	mux := http.NewServeMux()
	for _, r := range Routes {
		fn := r.Function
		mux.Handle(r.Key, g.apiHandler(r.Key, func() HTTPFunc {
			if fn == "upload" {
				return g.current().upload
			}
			return g.current().query
		}))
	}
	mux.HandleFunc(OpenAPIRoute, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(g.OpenAPI)
	})
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeJSONError(w, http.StatusNotFound, "not_found", "No such API route: "+r.Method+" "+r.URL.Path)
	})
	mux.HandleFunc("POST "+EventsPath, g.serveEvents)
	if g.Storage != nil && g.Bucket != "" {
		mux.Handle("/"+g.Bucket+"/", storageProxy(g.Storage))
		mux.Handle("/"+g.Bucket, storageProxy(g.Storage))
	}
	mux.Handle("/", g.siteHandler())
	return mux
}

func writeJSONError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

// apiHandler serves one route key by building the API Gateway v2 event the
// cloud would send and writing the function's response back.
func (g *Gateway) apiHandler(routeKey string, fn func() HTTPFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := fn()
		if h == nil {
			w.Header().Set("Retry-After", "2")
			writeJSONError(w, http.StatusServiceUnavailable, "unavailable", "veglens is starting; try again in a moment.")
			return
		}
		ev, err := BuildRequest(r, routeKey)
		if err != nil {
			writeJSONError(w, http.StatusRequestEntityTooLarge, "too_large", err.Error())
			return
		}
		resp, err := h(r.Context(), ev)
		if err != nil {
			// API Gateway answers a failed invocation with a bare 500.
			g.Log.Error("api handler failed", "route", routeKey, "err", err)
			writeJSONError(w, http.StatusInternalServerError, "internal", "Something went wrong on our side. Please try again later.")
			return
		}
		if err := WriteResponse(w, resp); err != nil {
			g.Log.Error("write api response", "route", routeKey, "err", err)
		}
	})
}

// BuildRequest turns an HTTP request into the API Gateway v2 (HTTP API,
// payload 2.0) event for routeKey, as the cloud builds it.
func BuildRequest(r *http.Request, routeKey string) (events.APIGatewayV2HTTPRequest, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBody+1))
	if err != nil {
		return events.APIGatewayV2HTTPRequest{}, fmt.Errorf("read request body: %w", err)
	}
	if len(body) > MaxRequestBody {
		return events.APIGatewayV2HTTPRequest{}, fmt.Errorf("request body over %d bytes", MaxRequestBody)
	}
	headers := map[string]string{}
	var cookies []string
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if lk == "cookie" {
			cookies = append(cookies, vs...)
			continue
		}
		headers[lk] = strings.Join(vs, ",")
	}
	headers["host"] = r.Host
	query := map[string]string{}
	for k, vs := range r.URL.Query() {
		query[k] = strings.Join(vs, ",")
	}
	var params map[string]string
	if i := strings.Index(routeKey, "{"); i >= 0 {
		params = map[string]string{}
		for _, seg := range strings.Split(routeKey[strings.Index(routeKey, " ")+1:], "/") {
			if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
				name := strings.Trim(seg, "{}")
				params[name] = r.PathValue(name)
			}
		}
	}
	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              routeKey,
		RawPath:               r.URL.EscapedPath(),
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: nilIfEmpty(query),
		PathParameters:        params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:   routeKey,
			AccountID:  "local",
			Stage:      "$default",
			RequestID:  fmt.Sprintf("%d", time.Now().UnixNano()),
			APIID:      "local",
			DomainName: r.Host,
			Time:       time.Now().UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:  time.Now().UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  sourceIP(r),
				UserAgent: r.UserAgent(),
			},
		},
	}
	if len(body) > 0 {
		if isText(r.Header.Get("Content-Type")) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	return ev, nil
}

func nilIfEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

func sourceIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndex(host, ":"); i >= 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

// isText reports whether API Gateway would pass a body of this type as
// text rather than base64.
func isText(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return contentType == ""
	}
	return strings.HasPrefix(mt, "text/") || mt == "application/json" || strings.HasSuffix(mt, "+json") ||
		mt == "application/xml" || mt == "application/yaml" || mt == "application/x-www-form-urlencoded"
}

// WriteResponse writes a Lambda HTTP response as API Gateway does.
func WriteResponse(w http.ResponseWriter, resp events.APIGatewayV2HTTPResponse) error {
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return fmt.Errorf("response body is not base64: %w", err)
		}
		body = b
	}
	if w.Header().Get("Content-Type") == "" && len(body) > 0 {
		w.Header().Set("Content-Type", "application/json")
	}
	status := resp.StatusCode
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}

// serveEvents receives one MinIO bucket notification (a JSON document with
// a Records array, the S3 event shape) and runs the classify function on it.
// Any failure answers 5xx, so MinIO keeps the event queued and sends it
// again; a malformed document answers 400 (MinIO retries that too, which is
// right: it never sends malformed ones, so a 400 means a bug to fix).
func (g *Gateway) serveEvents(w http.ResponseWriter, r *http.Request) {
	g.inFlight.Add(1)
	defer g.inFlight.Add(-1)
	classify := g.current().classify
	if classify == nil {
		w.Header().Set("Retry-After", "2")
		http.Error(w, "classifier is starting", http.StatusServiceUnavailable)
		return
	}
	var ev events.S3Event
	if err := json.NewDecoder(io.LimitReader(r.Body, MaxRequestBody)).Decode(&ev); err != nil {
		g.Log.Error("bad s3 event", "err", err)
		http.Error(w, "not an S3 event: "+err.Error(), http.StatusBadRequest)
		return
	}
	select {
	case g.sem <- struct{}{}:
	case <-r.Context().Done():
		http.Error(w, "cancelled", http.StatusServiceUnavailable)
		return
	}
	start := time.Now()
	defer func() {
		g.busy.Add(int64(time.Since(start)))
		<-g.sem
	}()
	if err := classify(r.Context(), ev); err != nil {
		keys := make([]string, 0, len(ev.Records))
		for _, rec := range ev.Records {
			keys = append(keys, rec.S3.Object.Key)
		}
		g.Log.Warn("classify failed; the event stays queued and is sent again", "keys", keys, "err", err)
		http.Error(w, "classify failed: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// storageProxy passes requests to MinIO untouched: the path and the Host
// header stay as the browser sent them, which is what presigned URLs made
// for the gateway's address were signed with.
func storageProxy(target *url.URL) http.Handler {
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme = target.Scheme
			pr.Out.URL.Host = target.Host
			pr.Out.Host = pr.In.Host
		},
		FlushInterval: -1,
	}
}

// siteHandler serves the built single-page site: files as they are, any
// other path index.html (the site routes in the browser).
func (g *Gateway) siteHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		index := filepath.Join(g.SiteDir, "index.html")
		if _, err := os.Stat(index); err != nil {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(w, placeholderPage)
			return
		}
		clean := path.Clean("/" + r.URL.Path)
		file := filepath.Join(g.SiteDir, filepath.FromSlash(clean))
		if st, err := os.Stat(file); err == nil && !st.IsDir() {
			if strings.HasPrefix(clean, "/assets/") {
				w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			}
			http.ServeFile(w, r, file)
			return
		}
		if path.Ext(clean) != "" && clean != "/index.html" {
			// A missing asset is a 404, not the page: browsers would try to
			// run HTML as a script.
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeFile(w, r, index)
	})
}

// InFlight is the number of bucket notifications being handled now.
func (g *Gateway) InFlight() int64 { return g.inFlight.Load() }

// ClassifyBusy is the time spent in the classify function so far, summed
// over the concurrent slots: divided by elapsed time and Classifying it
// tells how well event delivery keeps the classifier fed.
func (g *Gateway) ClassifyBusy() time.Duration { return time.Duration(g.busy.Load()) }

const placeholderPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>veglens</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}</style>
</head><body>
<h1>veglens</h1>
<p>The API is running. The site has not been built yet: run <code>make site</code> (or <code>make run</code>, which builds it) and reload.</p>
<ul>
<li><a href="/api/kinds">/api/kinds</a> — the 15 vegetables</li>
<li><a href="/api/images?kind=Tomato&amp;count=10">/api/images?kind=Tomato&amp;count=10</a> — a search</li>
<li><a href="/api/stats">/api/stats</a> — labelling statistics</li>
<li><a href="/api/openapi.yaml">/api/openapi.yaml</a> — the API description</li>
</ul>
</body></html>
`
