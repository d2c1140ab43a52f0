package gateway

import (
	"context"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// storageProxy passes requests to MinIO untouched: the path and the Host
// header stay as the browser sent them, which is what presigned URLs made
// for the gateway's address were signed with. When storage accepts a
// browser's presigned POST, announce is told the stored key and ETag (from
// the response's Location and ETag headers).
func storageProxy(target *url.URL, bucket string, announce func(key, etag string)) http.Handler {
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme = target.Scheme
			pr.Out.URL.Host = target.Host
			pr.Out.Host = pr.In.Host
		},
		ModifyResponse: func(resp *http.Response) error {
			if resp.Request.Method != http.MethodPost || resp.StatusCode/100 != 2 {
				return nil
			}
			loc, err := url.Parse(resp.Header.Get("Location"))
			if err != nil {
				return nil
			}
			key, ok := strings.CutPrefix(loc.Path, "/"+bucket+"/")
			if ok && key != "" {
				announce(key, strings.Trim(resp.Header.Get("ETag"), `"`))
			}
			return nil
		},
		FlushInterval: -1,
	}
}

// EarlyDeliveryTimeout bounds a classification started by an upload
// through the gateway.
const EarlyDeliveryTimeout = 2 * time.Minute

// deliverEarly runs the classify function on an upload the gateway has just
// seen stored, at once, instead of waiting for MinIO's webhook queue, which
// starts sending only on its next poll (about 3 s later; S3 itself delivers
// within a fraction of a second). It is best effort: MinIO's own event still
// arrives, and is skipped as already labelled or, if this attempt failed,
// labels the object then.
func (g *Gateway) deliverEarly(key, etag string) {
	fns, _ := g.functions()
	if fns.Classify == nil {
		return
	}
	ev := events.S3Event{Records: []events.S3EventRecord{{
		EventSource: "aws:s3", EventName: "ObjectCreated:Post", EventTime: time.Now().UTC(),
		S3: events.S3Entity{
			Bucket: events.S3Bucket{Name: g.cfg.Bucket},
			Object: events.S3Object{Key: url.QueryEscape(key), URLDecodedKey: key, ETag: etag},
		},
	}}}
	g.inFlight.Add(1)
	go func() {
		defer g.inFlight.Add(-1)
		defer func() {
			// A crash must not take the runner down; MinIO's event retries.
			if p := recover(); p != nil {
				g.log.Error("early classify crashed; MinIO's event will retry", "key", key, "panic", p)
			}
		}()
		ctx, cancel := context.WithTimeout(context.Background(), EarlyDeliveryTimeout)
		defer cancel()
		if err := g.runClassify(ctx, fns.Classify, ev); err != nil {
			g.log.Info("early classify failed; MinIO's event will retry", "key", key, "err", err)
		}
	}()
}
