package gateway_test

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/veglens/veglens/infra/local/gateway"
)

func TestBuildRequest(t *testing.T) {
	png := []byte{0x89, 'P', 'N', 'G', 0, 1, 2}
	tests := []struct {
		name        string
		method, url string
		route       string
		pattern     string
		ctype       string
		cookie      string
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
		{
			name: "cookies are split from the headers", method: "GET", url: "/api/kinds", route: "GET /api/kinds",
			pattern: "GET /api/kinds", cookie: "a=1; b=2",
			check: func(t *testing.T, ev events.APIGatewayV2HTTPRequest) {
				if len(ev.Cookies) != 1 || ev.Cookies[0] != "a=1; b=2" || ev.Headers["cookie"] != "" {
					t.Errorf("cookies = %q, headers = %v", ev.Cookies, ev.Headers)
				}
				if ev.Headers["host"] == "" || ev.QueryStringParameters != nil || ev.PathParameters != nil {
					t.Errorf("headers = %v, query = %v, path parameters = %v", ev.Headers, ev.QueryStringParameters, ev.PathParameters)
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
				got, err = gateway.BuildRequest(r, tt.route)
				if err != nil {
					t.Fatal(err)
				}
			})
			r := httptest.NewRequest(tt.method, tt.url, bytes.NewReader(tt.body))
			if tt.ctype != "" {
				r.Header.Set("Content-Type", tt.ctype)
			}
			if tt.cookie != "" {
				r.Header.Set("Cookie", tt.cookie)
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
	r := httptest.NewRequest("POST", "/api/uploads", bytes.NewReader(make([]byte, gateway.MaxRequestBody+1)))
	if _, err := gateway.BuildRequest(r, "POST /api/uploads"); err == nil {
		t.Fatal("no error for a body over the limit")
	}
}

func TestWriteResponse_DecodesBase64(t *testing.T) {
	rec := httptest.NewRecorder()
	err := gateway.WriteResponse(rec, events.APIGatewayV2HTTPResponse{
		StatusCode: 201, Headers: map[string]string{"Content-Type": "image/png", "Location": "/x"},
		Body: base64.StdEncoding.EncodeToString([]byte("\x89PNG")), IsBase64Encoded: true,
	})
	if err != nil || rec.Code != 201 || rec.Body.String() != "\x89PNG" || rec.Header().Get("Location") != "/x" {
		t.Errorf("response = %d %q %v (%v)", rec.Code, rec.Body, rec.Header(), err)
	}
}

func TestWriteResponse_DefaultsAndCookies(t *testing.T) {
	rec := httptest.NewRecorder()
	err := gateway.WriteResponse(rec, events.APIGatewayV2HTTPResponse{Body: `{}`, Cookies: []string{"a=1", "b=2"}})
	if err != nil || rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" || len(rec.Header().Values("Set-Cookie")) != 2 {
		t.Errorf("response = %d %v (%v), want 200, JSON, two cookies", rec.Code, rec.Header(), err)
	}
	rec = httptest.NewRecorder()
	if err := gateway.WriteResponse(rec, events.APIGatewayV2HTTPResponse{Body: "not base64!", IsBase64Encoded: true}); err == nil || rec.Code != http.StatusBadGateway {
		t.Errorf("bad base64 body: %d (%v), want 502 and an error", rec.Code, err)
	}
}
