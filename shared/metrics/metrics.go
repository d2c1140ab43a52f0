// Package metrics writes CloudWatch embedded-metric-format (EMF) records: one
// JSON object per line on a writer (stdout in Lambda), which CloudWatch Logs
// turns into metrics without any API call. Locally the lines are plain logs.
package metrics

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"
)

// Namespace is the CloudWatch namespace of every veglens metric.
const Namespace = "veglens"

// Units CloudWatch understands.
const (
	Milliseconds = "Milliseconds"
	Count        = "Count"
)

// Metric is one value.
type Metric struct {
	Name  string
	Unit  string
	Value float64
}

// Emitter writes EMF records for one function.
type Emitter struct {
	mu       sync.Mutex
	w        io.Writer
	function string
	now      func() time.Time
}

// New returns an Emitter writing to w, with the dimension Function set to
// function on every metric.
func New(w io.Writer, function string) *Emitter {
	return &Emitter{w: w, function: function, now: time.Now}
}

type directive struct {
	Namespace  string       `json:"Namespace"`
	Dimensions [][]string   `json:"Dimensions"`
	Metrics    []definition `json:"Metrics"`
}

type definition struct {
	Name string `json:"Name"`
	Unit string `json:"Unit,omitempty"`
}

// Emit writes one record holding ms and, as searchable properties that are
// not metrics, props (for example the object key). Metric names must not
// clash with property names.
func (e *Emitter) Emit(ms []Metric, props map[string]any) error {
	if e == nil || e.w == nil || len(ms) == 0 {
		return nil
	}
	rec := make(map[string]any, len(ms)+len(props)+2)
	for k, v := range props {
		rec[k] = v
	}
	defs := make([]definition, 0, len(ms))
	for _, m := range ms {
		defs = append(defs, definition{Name: m.Name, Unit: m.Unit})
		rec[m.Name] = m.Value
	}
	rec["Function"] = e.function
	rec["_aws"] = map[string]any{
		"Timestamp": e.now().UnixMilli(),
		"CloudWatchMetrics": []directive{{
			Namespace:  Namespace,
			Dimensions: [][]string{{"Function"}},
			Metrics:    defs,
		}},
	}
	line, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode metrics: %w", err)
	}
	line = append(line, '\n')
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.w.Write(line); err != nil {
		return fmt.Errorf("write metrics: %w", err)
	}
	return nil
}
