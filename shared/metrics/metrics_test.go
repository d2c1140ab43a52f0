package metrics

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

func TestEmitWritesEmbeddedMetricFormat(t *testing.T) {
	var buf bytes.Buffer
	e := New(&buf, "classify")
	e.now = func() time.Time { return time.UnixMilli(1700000000123) }
	if err := e.Emit([]Metric{{Name: "ClassifyTotalMs", Unit: Milliseconds, Value: 12.5}, {Name: "Rejected", Unit: Count, Value: 0}},
		map[string]any{"key": "uploads/x.jpg"}); err != nil {
		t.Fatal(err)
	}
	if err := e.Emit([]Metric{{Name: "Rejected", Unit: Count, Value: 1}}, nil); err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("%d lines: %s", len(lines), buf.String())
	}
	var rec struct {
		AWS struct {
			Timestamp         int64 `json:"Timestamp"`
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name, Unit string }
			} `json:"CloudWatchMetrics"`
		} `json:"_aws"`
		Function string  `json:"Function"`
		Total    float64 `json:"ClassifyTotalMs"`
		Rejected float64 `json:"Rejected"`
		Key      string  `json:"key"`
	}
	if err := json.Unmarshal(lines[0], &rec); err != nil {
		t.Fatal(err)
	}
	d := rec.AWS.CloudWatchMetrics
	if rec.AWS.Timestamp != 1700000000123 || len(d) != 1 || d[0].Namespace != "veglens" || len(d[0].Dimensions) != 1 ||
		d[0].Dimensions[0][0] != "Function" || len(d[0].Metrics) != 2 || d[0].Metrics[0].Name != "ClassifyTotalMs" || d[0].Metrics[0].Unit != "Milliseconds" {
		t.Errorf("directive = %+v", rec.AWS)
	}
	if rec.Function != "classify" || rec.Total != 12.5 || rec.Rejected != 0 || rec.Key != "uploads/x.jpg" {
		t.Errorf("values = %+v", rec)
	}
}

func TestEmitNothingOnNilEmitter(t *testing.T) {
	var e *Emitter
	if err := e.Emit([]Metric{{Name: "X", Value: 1}}, nil); err != nil {
		t.Error(err)
	}
}
