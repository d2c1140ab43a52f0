package gateway_test

import (
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
