// Package lambdaruntime is a fake of the AWS Lambda Runtime API (AWS itself
// cannot run here): enough of its HTTP interface for a function's real
// bootstrap, started with AWS_LAMBDA_RUNTIME_API pointing at it, to take
// events and answer them. The cold-start benchmark uses it to time a
// bootstrap from exec to its first answer.
//
// It serves, as the Runtime API reference describes
// (docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html):
// GET /2018-06-01/runtime/invocation/next, POST .../invocation/{id}/response
// and .../invocation/{id}/error, and POST /2018-06-01/runtime/init/error.
package lambdaruntime

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Answer is what a function sent back for one event.
type Answer struct {
	RequestID string
	Body      []byte
	Error     bool // posted to .../error (or to init/error: RequestID is then empty)
	At        time.Time
}

// Fake is a Runtime API with a queue of events.
type Fake struct {
	Addr    string // host:port, for AWS_LAMBDA_RUNTIME_API
	events  chan []byte
	answers chan Answer
	srv     *http.Server
	mu      sync.Mutex
	seq     int
}

// Start listens on a free loopback port.
func Start() (*Fake, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("lambda runtime fake: %w", err)
	}
	f := &Fake{Addr: ln.Addr().String(), events: make(chan []byte, 16), answers: make(chan Answer, 16)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", f.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", f.answer(false))
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", f.answer(true))
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", f.answer(true))
	f.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = f.srv.Serve(ln) }()
	return f, nil
}

// Send queues an event for the function's next GET .../next.
func (f *Fake) Send(event []byte) { f.events <- event }

// Answers yields the function's answers in order.
func (f *Fake) Answers() <-chan Answer { return f.answers }

// Close stops the server (a function waiting for its next event sees the
// connection close).
func (f *Fake) Close() error { return f.srv.Close() }

func (f *Fake) next(w http.ResponseWriter, r *http.Request) {
	var ev []byte
	select {
	case ev = <-f.events:
	case <-r.Context().Done():
		return
	}
	f.mu.Lock()
	f.seq++
	id := "req-" + strconv.Itoa(f.seq)
	f.mu.Unlock()
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:eu-west-1:123456789012:function:veglens-fake")
	h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
	h.Set("Content-Type", "application/json")
	_, _ = w.Write(ev)
}

func (f *Fake) answer(isError bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		a := Answer{RequestID: r.PathValue("id"), Body: body, Error: isError || strings.HasSuffix(r.URL.Path, "/error"), At: time.Now()}
		w.WriteHeader(http.StatusAccepted)
		f.answers <- a
	}
}
