package gateway_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veglens/veglens/infra/local/gateway"
)

func TestGateway_SiteFallbackAndPlaceholder(t *testing.T) {
	dir := t.TempDir()
	g := gateway.New(gateway.Config{SiteDir: dir})
	get := func(method, p string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		g.ServeHTTP(rec, httptest.NewRequest(method, p, nil))
		return rec
	}
	if rec := get("GET", "/"); rec.Code != 200 || !strings.Contains(rec.Body.String(), "make site") {
		t.Errorf("placeholder = %d %q", rec.Code, rec.Body)
	}
	writeFile(t, dir+"/index.html", "<html>app</html>")
	writeFile(t, dir+"/assets/app.js", "console.log(1)")
	if rec := get("GET", "/search?kind=Tomato"); rec.Code != 200 || rec.Body.String() != "<html>app</html>" || rec.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("SPA fallback = %d %q %v", rec.Code, rec.Body, rec.Header())
	}
	if rec := get("GET", "/assets/app.js"); rec.Code != 200 || rec.Body.String() != "console.log(1)" || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
		t.Errorf("asset = %d %q %v", rec.Code, rec.Body, rec.Header())
	}
	if rec := get("GET", "/assets/missing.js"); rec.Code != 404 {
		t.Errorf("missing asset = %d, want 404", rec.Code)
	}
	if rec := get("POST", "/"); rec.Code != 405 {
		t.Errorf("POST / = %d, want 405", rec.Code)
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

// The build's precompressed copies are sent to browsers that accept them,
// with the original's type; others get the file itself.
func TestGateway_SiteSendsPrecompressedCopies(t *testing.T) {
	dir := t.TempDir()
	g := gateway.New(gateway.Config{SiteDir: dir})
	js := strings.Repeat("console.log('veglens');\n", 200)
	writeFile(t, dir+"/index.html", "<html>app</html>")
	writeFile(t, dir+"/assets/app.js", js)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(js))
	zw.Close()
	writeFile(t, dir+"/assets/app.js.gz", gz.String())
	writeFile(t, dir+"/assets/app.js.br", "brotli bytes") // only its headers are checked
	for _, tc := range []struct {
		accept, encoding string
	}{
		{"gzip, deflate, br, zstd", "br"},
		{"gzip", "gzip"},
		{"br;q=0, gzip", "gzip"},
		{"*", "br"},
		{"", ""},
		{"identity", ""},
		{"gzip;q=0", ""},
	} {
		req := httptest.NewRequest("GET", "/assets/app.js", nil)
		if tc.accept != "" {
			req.Header.Set("Accept-Encoding", tc.accept)
		}
		rec := httptest.NewRecorder()
		g.ServeHTTP(rec, req)
		h := rec.Header()
		if rec.Code != 200 || h.Get("Content-Encoding") != tc.encoding || !strings.HasPrefix(h.Get("Content-Type"), "text/javascript") ||
			!strings.Contains(h.Get("Vary"), "Accept-Encoding") || !strings.Contains(h.Get("Cache-Control"), "immutable") {
			t.Errorf("Accept-Encoding %q: %d %v; want Content-Encoding %q, the script's type, Vary and a year's caching", tc.accept, rec.Code, h, tc.encoding)
			continue
		}
		switch tc.encoding {
		case "gzip":
			zr, err := gzip.NewReader(rec.Body)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := io.ReadAll(zr); string(got) != js {
				t.Errorf("gzip body does not decode to the script")
			}
		case "":
			if rec.Body.String() != js {
				t.Errorf("Accept-Encoding %q: the body is not the script itself", tc.accept)
			}
		}
	}
	// A file without copies is sent as it is even to a browser that accepts both.
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Accept-Encoding", "gzip, br")
	rec := httptest.NewRecorder()
	g.ServeHTTP(rec, req)
	if rec.Header().Get("Content-Encoding") != "" || rec.Body.String() != "<html>app</html>" {
		t.Errorf("index without copies: %v %q", rec.Header(), rec.Body)
	}
}
