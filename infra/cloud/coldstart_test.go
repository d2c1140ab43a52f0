package cloud_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/veglens/veglens/shared/catalog"
)

// BenchmarkColdStart times each function's Lambda bootstrap, built by the
// Makefile targets `sam build` uses, from exec to its first answered event
// (its sample event from events/), with the fake Runtime API and Secrets
// Manager of TestBootstrap_FakeLambdaRuntimeAPI and real PostgreSQL and
// MinIO: what a cold start costs besides Lambda's own start of the sandbox.
// coldstart_ms is the median over b.N starts; the other metrics are the
// medians of the function's "initialised" log line (config: settings and
// model.json; database: the secret and the pool; s3: the client; model:
// loading the ONNX model). Target: classify at most 400 ms with the int8
// model. Run it with make bench-coldstart.
func BenchmarkColdStart(b *testing.B) {
	lab := newBootstrapLab(b)
	if err := catalog.Migrate(context.Background(), lab.pg.URL, nil); err != nil {
		b.Fatal(err)
	}
	for _, fn := range []struct{ function, event string }{
		{"ClassifyFunction", "classify-dataset.json"},
		{"QueryFunction", "query-search.json"},
		{"UploadFunction", "upload.json"},
		{"SweepFunction", "sweep-schedule.json"},
	} {
		b.Run(fn.function, func(b *testing.B) {
			event, err := os.ReadFile(filepath.Join(lab.root, "events", fn.event))
			if err != nil {
				b.Fatal(err)
			}
			var total []float64
			steps := map[string][]float64{}
			for b.Loop() {
				a, started, logs := run(b, filepath.Join(lab.build, fn.function, "bootstrap"), lab.env, event)
				total = append(total, float64(a.at.Sub(started).Microseconds())/1000)
				init := initialised(logs)
				if len(init) == 0 {
					b.Fatalf("%s logged no initialised line:\n%s", fn.function, logs)
				}
				for k, v := range init {
					steps[k] = append(steps[k], v)
				}
			}
			b.ReportMetric(median(total), "coldstart_ms")
			for k, v := range steps {
				b.ReportMetric(median(v), k)
			}
		})
	}
}

// initialised reads the *_ms fields of a function's "initialised" log line.
func initialised(logs string) map[string]float64 {
	out := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) != nil || line["msg"] != "initialised" {
			continue
		}
		for k, v := range line {
			if f, ok := v.(float64); ok && strings.HasSuffix(k, "_ms") {
				out[k] = f
			}
		}
	}
	return out
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
