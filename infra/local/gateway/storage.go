package gateway

import (
	"net/http"
	"net/http/httputil"
	"net/url"
)

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
