package local_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"gopkg.in/yaml.v3"

	"github.com/veglens/veglens/infra/local"
	"github.com/veglens/veglens/infra/services"
	"github.com/veglens/veglens/infra/services/servicestest"
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

// TestRoutes_AgreeWithOpenAPI checks that the gateway serves exactly the
// routes the API description declares, both ways, and that each declared
// route reaches a function rather than the gateway's 404.
func TestRoutes_AgreeWithOpenAPI(t *testing.T) {
	spec := specRoutes(t)
	served := map[string]bool{local.OpenAPIRoute: true}
	for _, r := range local.Routes {
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
	record := func(fn string) local.HTTPFunc {
		return func(_ context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			got = append(got, fn+" "+req.RouteKey)
			return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "{}"}, nil
		}
	}
	g := &local.Gateway{Upload: record("upload"), Query: record("query"), OpenAPI: api.OpenAPI}
	h := g.Handler()
	param := regexp.MustCompile(`\{[^}]+\}`)
	keys := make([]string, 0, len(spec))
	for k := range spec {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		method, p, _ := strings.Cut(k, " ")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, param.ReplaceAllString(p, "abc"), strings.NewReader("{}")))
		if rec.Code != 200 {
			t.Errorf("%s: status %d, want 200 (%s)", k, rec.Code, rec.Body)
		}
	}
	want := []string{}
	for _, r := range local.Routes {
		want = append(want, r.Function+" "+r.Key)
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("functions reached:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestGateway_UnknownAPIRouteIs404JSON(t *testing.T) {
	g := &local.Gateway{OpenAPI: api.OpenAPI}
	rec := httptest.NewRecorder()
	g.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/api/nothing", nil))
	if rec.Code != 404 || !strings.Contains(rec.Header().Get("Content-Type"), "json") {
		t.Errorf("GET /api/nothing = %d %q, want a JSON 404", rec.Code, rec.Header().Get("Content-Type"))
	}
}

func TestGateway_NotReadyIs503(t *testing.T) {
	g := &local.Gateway{OpenAPI: api.OpenAPI}
	h := g.Handler()
	for _, r := range []*http.Request{
		httptest.NewRequest("GET", "/api/kinds", nil),
		httptest.NewRequest("POST", local.EventsPath, strings.NewReader(`{"Records":[]}`)),
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("%s %s before the functions are ready = %d, want 503", r.Method, r.URL.Path, rec.Code)
		}
	}
}

func TestBuildRequest(t *testing.T) {
	png := []byte{0x89, 'P', 'N', 'G', 0, 1, 2}
	tests := []struct {
		name        string
		method, url string
		route       string
		pattern     string
		ctype       string
		body        []byte
		check       func(t *testing.T, ev events.APIGatewayV2HTTPRequest)
	}{
		{
			name: "path parameter and query", method: "GET", url: "/api/images/1234?kind=Tomato&count=5",
			route: "GET /api/images/{id}", pattern: "GET /api/images/{id}",
			check: func(t *testing.T, ev events.APIGatewayV2HTTPRequest) {
				if ev.PathParameters["id"] != "1234" {
					t.Errorf("path parameters = %v", ev.PathParameters)
				}
				if ev.QueryStringParameters["kind"] != "Tomato" || ev.QueryStringParameters["count"] != "5" {
					t.Errorf("query = %v", ev.QueryStringParameters)
				}
				if ev.RawPath != "/api/images/1234" || ev.RawQueryString != "kind=Tomato&count=5" {
					t.Errorf("raw path/query = %q %q", ev.RawPath, ev.RawQueryString)
				}
				if ev.RequestContext.HTTP.Method != "GET" || ev.Version != "2.0" {
					t.Errorf("method/version = %q %q", ev.RequestContext.HTTP.Method, ev.Version)
				}
			},
		},
		{
			name: "JSON body stays text", method: "POST", url: "/api/uploads", route: "POST /api/uploads",
			pattern: "POST /api/uploads", ctype: "application/json", body: []byte(`{"filename":"a.jpg"}`),
			check: func(t *testing.T, ev events.APIGatewayV2HTTPRequest) {
				if ev.IsBase64Encoded || ev.Body != `{"filename":"a.jpg"}` {
					t.Errorf("body = %q base64=%v", ev.Body, ev.IsBase64Encoded)
				}
				if ev.Headers["content-type"] != "application/json" {
					t.Errorf("headers = %v", ev.Headers)
				}
			},
		},
		{
			name: "binary body is base64", method: "POST", url: "/api/uploads", route: "POST /api/uploads",
			pattern: "POST /api/uploads", ctype: "image/png", body: png,
			check: func(t *testing.T, ev events.APIGatewayV2HTTPRequest) {
				b, err := base64.StdEncoding.DecodeString(ev.Body)
				if !ev.IsBase64Encoded || err != nil || !bytes.Equal(b, png) {
					t.Errorf("body = %q base64=%v", ev.Body, ev.IsBase64Encoded)
				}
			},
		},
		{
			name: "repeated query values are joined", method: "GET", url: "/api/images?kind=a&kind=b", route: "GET /api/images",
			pattern: "GET /api/images",
			check: func(t *testing.T, ev events.APIGatewayV2HTTPRequest) {
				if ev.QueryStringParameters["kind"] != "a,b" {
					t.Errorf("query = %v", ev.QueryStringParameters)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got events.APIGatewayV2HTTPRequest
			mux := http.NewServeMux()
			mux.HandleFunc(tt.pattern, func(w http.ResponseWriter, r *http.Request) {
				var err error
				got, err = local.BuildRequest(r, tt.route)
				if err != nil {
					t.Fatal(err)
				}
			})
			r := httptest.NewRequest(tt.method, tt.url, bytes.NewReader(tt.body))
			if tt.ctype != "" {
				r.Header.Set("Content-Type", tt.ctype)
			}
			mux.ServeHTTP(httptest.NewRecorder(), r)
			if got.RouteKey != tt.route || got.RequestContext.RouteKey != tt.route {
				t.Fatalf("route key = %q", got.RouteKey)
			}
			tt.check(t, got)
		})
	}
}

func TestBuildRequest_RefusesHugeBody(t *testing.T) {
	r := httptest.NewRequest("POST", "/api/uploads", bytes.NewReader(make([]byte, local.MaxRequestBody+1)))
	if _, err := local.BuildRequest(r, "POST /api/uploads"); err == nil {
		t.Fatal("no error for a body over the limit")
	}
}

func TestWriteResponse_DecodesBase64(t *testing.T) {
	rec := httptest.NewRecorder()
	err := local.WriteResponse(rec, events.APIGatewayV2HTTPResponse{
		StatusCode: 201, Headers: map[string]string{"Content-Type": "image/png", "Location": "/x"},
		Body: base64.StdEncoding.EncodeToString([]byte("\x89PNG")), IsBase64Encoded: true,
	})
	if err != nil || rec.Code != 201 || rec.Body.String() != "\x89PNG" || rec.Header().Get("Location") != "/x" {
		t.Errorf("response = %d %q %v (%v)", rec.Code, rec.Body, rec.Header(), err)
	}
}

// TestGateway_StorageProxyKeepsSignaturesValid shows that a presigned URL
// made for the gateway's address (S3_PUBLIC_ENDPOINT) works through the
// gateway against real MinIO, and that a tampered one is refused.
func TestGateway_StorageProxyKeepsSignaturesValid(t *testing.T) {
	m := servicestest.MinIO(t)
	ctx := context.Background()
	if err := services.SetupBucket(ctx, m.S3Client(), "pics", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := m.S3Client().PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("pics"), Key: aws.String("dataset/Carrot/a b.jpg"), Body: strings.NewReader("carrot"),
	}); err != nil {
		t.Fatal(err)
	}
	storage, _ := url.Parse(m.Endpoint)
	g := &local.Gateway{OpenAPI: api.OpenAPI, Storage: storage, Bucket: "pics"}
	srv := httptest.NewServer(g.Handler())
	defer srv.Close()

	public := s3.New(s3.Options{
		Region: m.Region, BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(m.AccessKey, m.SecretKey, ""),
	})
	signed, err := s3.NewPresignClient(public).PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String("pics"), Key: aws.String("dataset/Carrot/a b.jpg"),
	}, s3.WithPresignExpires(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(signed.URL, srv.URL+"/pics/") {
		t.Fatalf("presigned URL %s does not point at the gateway", signed.URL)
	}
	resp, err := http.Get(signed.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "carrot" {
		t.Fatalf("GET presigned through gateway = %d %q", resp.StatusCode, body)
	}

	tampered := strings.Replace(signed.URL, "a%20b.jpg", "other.jpg", 1)
	resp, err = http.Get(tampered)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("GET with a tampered path = %d, want 403", resp.StatusCode)
	}
}

func TestGateway_SiteFallbackAndPlaceholder(t *testing.T) {
	dir := t.TempDir()
	g := &local.Gateway{OpenAPI: api.OpenAPI, SiteDir: dir}
	h := g.Handler()
	get := func(p string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
		return rec
	}
	if rec := get("/"); rec.Code != 200 || !strings.Contains(rec.Body.String(), "make site") {
		t.Errorf("placeholder = %d %q", rec.Code, rec.Body)
	}
	writeFile(t, dir+"/index.html", "<html>app</html>")
	writeFile(t, dir+"/assets/app.js", "console.log(1)")
	if rec := get("/search?kind=Tomato"); rec.Code != 200 || rec.Body.String() != "<html>app</html>" {
		t.Errorf("SPA fallback = %d %q", rec.Code, rec.Body)
	}
	if rec := get("/assets/app.js"); rec.Code != 200 || rec.Body.String() != "console.log(1)" {
		t.Errorf("asset = %d %q", rec.Code, rec.Body)
	}
	if rec := get("/assets/missing.js"); rec.Code != 404 {
		t.Errorf("missing asset = %d, want 404", rec.Code)
	}
	if rec := get("/api/openapi.yaml"); rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), api.OpenAPI) {
		t.Errorf("openapi = %d", rec.Code)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
