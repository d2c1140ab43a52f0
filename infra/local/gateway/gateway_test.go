package gateway_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"gopkg.in/yaml.v3"

	"github.com/veglens/veglens/infra/local/gateway"
	"github.com/veglens/veglens/shared/api"
)

// specRoutes reads the route keys ("GET /api/images/{id}") the OpenAPI
// description declares.
func specRoutes(t *testing.T) map[string]bool {
	t.Helper()
	var doc struct {
		OpenAPI string                               `yaml:"openapi"`
		Paths   map[string]map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(api.OpenAPI, &doc); err != nil {
		t.Fatalf("parse shared/api/openapi.yaml: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi version = %q, want 3.1.x", doc.OpenAPI)
	}
	routes := map[string]bool{}
	for p, ops := range doc.Paths {
		for m := range ops {
			switch m {
			case "get", "put", "post", "delete", "patch", "head", "options":
				routes[strings.ToUpper(m)+" "+p] = true
			}
		}
	}
	return routes
}

// recorder returns HTTP functions, one per name of api.Routes, that note
// which function served which route key.
func recorder(got *[]string) map[string]gateway.HTTPFunc {
	fns := map[string]gateway.HTTPFunc{}
	for _, name := range []string{api.FunctionUpload, api.FunctionQuery} {
		fns[name] = func(_ context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			*got = append(*got, name+" "+req.RouteKey)
			return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "{}"}, nil
		}
	}
	return fns
}

// TestRoutes_AgreeWithOpenAPI checks that the gateway serves exactly the
// routes of api.Routes, which are exactly those the API description
// declares, and that each reaches the function the table names (the
// description itself included: the query function serves it, as in the
// cloud).
func TestRoutes_AgreeWithOpenAPI(t *testing.T) {
	spec := specRoutes(t)
	served := map[string]bool{}
	for _, r := range api.Routes {
		if served[r.Key] {
			t.Errorf("api.Routes lists %q twice", r.Key)
		}
		served[r.Key] = true
	}
	for k := range spec {
		if !served[k] {
			t.Errorf("openapi.yaml declares %q but the gateway does not serve it", k)
		}
	}
	for k := range served {
		if !spec[k] {
			t.Errorf("the gateway serves %q but openapi.yaml does not declare it", k)
		}
	}

	var got []string
	g := gateway.New(gateway.Config{})
	g.SetFunctions(gateway.Functions{HTTP: recorder(&got)})
	param := regexp.MustCompile(`\{[^}]+\}`)
	for _, r := range api.Routes {
		method, p, _ := strings.Cut(r.Key, " ")
		rec := httptest.NewRecorder()
		g.ServeHTTP(rec, httptest.NewRequest(method, param.ReplaceAllString(p, "abc"), strings.NewReader("{}")))
		if rec.Code != 200 {
			t.Errorf("%s: status %d, want 200 (%s)", r.Key, rec.Code, rec.Body)
		}
	}
	want := []string{}
	for _, r := range api.Routes {
		want = append(want, r.Function+" "+r.Key)
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("functions reached:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestGateway_UnknownAPIRouteIs404JSON(t *testing.T) {
	g := gateway.New(gateway.Config{})
	var got []string
	g.SetFunctions(gateway.Functions{HTTP: recorder(&got)})
	for _, r := range []*http.Request{
		httptest.NewRequest("GET", "/api/nothing", nil),
		httptest.NewRequest("DELETE", "/api/images/abc", nil),
	} {
		rec := httptest.NewRecorder()
		g.ServeHTTP(rec, r)
		if rec.Code != 404 || !strings.Contains(rec.Header().Get("Content-Type"), "json") {
			t.Errorf("%s %s = %d %q, want a JSON 404", r.Method, r.URL.Path, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
	if len(got) != 0 {
		t.Errorf("functions called for unknown routes: %q", got)
	}
}

func TestGateway_NotReadyIs503(t *testing.T) {
	g := gateway.New(gateway.Config{})
	event := httptest.NewRequest("POST", gateway.EventsPath, strings.NewReader(`{"Records":[]}`))
	event.RemoteAddr = "127.0.0.1:45678" // MinIO, on this machine
	for _, r := range []*http.Request{
		httptest.NewRequest("GET", "/api/kinds", nil),
		httptest.NewRequest("GET", "/api/openapi.yaml", nil),
		event,
	} {
		rec := httptest.NewRecorder()
		g.ServeHTTP(rec, r)
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s %s before the functions are ready = %d, want 503 with Retry-After", r.Method, r.URL.Path, rec.Code)
		}
	}
}

// A function that fails (rather than answering an error response) is a bare
// 500, as API Gateway answers a failed invocation; so is a route whose
// function is missing.
func TestGateway_FailedInvocationIs500(t *testing.T) {
	g := gateway.New(gateway.Config{})
	g.SetFunctions(gateway.Functions{HTTP: map[string]gateway.HTTPFunc{
		api.FunctionQuery: func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			return events.APIGatewayV2HTTPResponse{}, errors.New("panic in the handler")
		},
	}})
	for _, r := range []*http.Request{
		httptest.NewRequest("GET", "/api/kinds", nil),
		httptest.NewRequest("POST", "/api/uploads", strings.NewReader("{}")),
	} {
		rec := httptest.NewRecorder()
		g.ServeHTTP(rec, r)
		if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "panic") {
			t.Errorf("%s %s = %d %s, want a 500 that hides the cause", r.Method, r.URL.Path, rec.Code, rec.Body)
		}
	}
}

func TestGateway_RefusesHugeAPIBody(t *testing.T) {
	var got []string
	g := gateway.New(gateway.Config{})
	g.SetFunctions(gateway.Functions{HTTP: recorder(&got)})
	rec := httptest.NewRecorder()
	g.ServeHTTP(rec, httptest.NewRequest("POST", "/api/uploads", strings.NewReader(strings.Repeat("x", gateway.MaxRequestBody+1))))
	if rec.Code != http.StatusRequestEntityTooLarge || len(got) != 0 {
		t.Errorf("POST with a body over the limit = %d (functions called: %q), want 413", rec.Code, got)
	}
}
