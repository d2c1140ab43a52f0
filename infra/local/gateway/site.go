package gateway

import (
	"io"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// siteHandler serves the built single-page site in dir: files as they are,
// any other path index.html (the site routes in the browser), and a
// placeholder page when the site has not been built. Where the build wrote
// a compressed copy beside a file (site/scripts/precompress.mjs: name.br,
// name.gz) and the browser accepts that encoding, the copy is sent instead
// (Brotli first), with Vary: Accept-Encoding. Hashed files under /assets/
// may be cached for a year; index.html must be revalidated.
func siteHandler(dir string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		index := filepath.Join(dir, "index.html")
		if _, err := os.Stat(index); err != nil {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(w, placeholderPage)
			return
		}
		clean := path.Clean("/" + r.URL.Path)
		file := filepath.Join(dir, filepath.FromSlash(clean))
		if st, err := os.Stat(file); err == nil && !st.IsDir() {
			if strings.HasPrefix(clean, "/assets/") {
				w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			}
			serveFile(w, r, file)
			return
		}
		if path.Ext(clean) != "" && clean != "/index.html" {
			// A missing asset is a 404, not the page: browsers would try to
			// run HTML as a script.
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		serveFile(w, r, index)
	})
}

// encodings are the precompressed copies tried, best first: the file
// suffix and its Content-Encoding.
var encodings = []struct{ suffix, name string }{{".br", "br"}, {".gz", "gzip"}}

// serveFile sends file, or its precompressed copy when the request accepts
// that encoding. The Content-Type is always the original file's.
func serveFile(w http.ResponseWriter, r *http.Request, file string) {
	w.Header().Add("Vary", "Accept-Encoding")
	for _, enc := range encodings {
		if !accepts(r.Header.Get("Accept-Encoding"), enc.name) {
			continue
		}
		f, err := os.Open(file + enc.suffix)
		if err != nil {
			continue
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			continue
		}
		ctype := mime.TypeByExtension(filepath.Ext(file))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Encoding", enc.name)
		http.ServeContent(w, r, "", st.ModTime(), f)
		return
	}
	http.ServeFile(w, r, file)
}

// accepts reports whether an Accept-Encoding header value allows coding
// (RFC 9110 section 12.5.3: listed, or "*", without q=0).
func accepts(header, coding string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != coding && name != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.ToLower(params), " ", "")
		if q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000" {
			return false
		}
		return true
	}
	return false
}

const placeholderPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>veglens</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}</style>
</head><body>
<h1>veglens</h1>
<p>The API is running. The site has not been built yet: run <code>make site</code> (or <code>make run</code>, which builds it) and reload.</p>
<ul>
<li><a href="/api/kinds">/api/kinds</a> — the vegetables the model knows</li>
<li><a href="/api/images?kind=Tomato&amp;count=10">/api/images?kind=Tomato&amp;count=10</a> — a search</li>
<li><a href="/api/stats">/api/stats</a> — labelling statistics</li>
<li><a href="/api/openapi.yaml">/api/openapi.yaml</a> — the API description</li>
</ul>
</body></html>
`
