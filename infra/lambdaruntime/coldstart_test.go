package lambdaruntime_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/veglens/veglens/infra/lambdaruntime"
	"github.com/veglens/veglens/infra/services"
	"github.com/veglens/veglens/infra/services/servicestest"
	"github.com/veglens/veglens/shared/catalog"
	"github.com/veglens/veglens/shared/objects"
	"github.com/veglens/veglens/shared/sourcetree/sourcetreetest"
)

// BenchmarkColdStart times each function's real Lambda bootstrap (built as
// make's build-<Function> targets build it) from exec to its first
// answered event, against the fake Runtime API, real PostgreSQL and MinIO
// and, for classify, the shipped model: what a cold start costs besides
// Lambda's own start of the sandbox. coldstart_ms is the median over b.N
// starts; the other metrics are the medians of the function's own
// "initialised" log line (database pool, S3 client, model load; config
// includes reading model.json where a function needs it). Target: classify
// at most 400 ms with the int8 model.
func BenchmarkColdStart(b *testing.B) {
	lib := servicestest.ORTLib(b)
	pg := servicestest.Postgres(b)
	m := servicestest.MinIO(b)
	ctx := context.Background()
	if err := catalog.Migrate(ctx, pg.URL, nil); err != nil {
		b.Fatal(err)
	}
	const bucket = "images"
	if err := services.SetupBucket(ctx, m.S3Client(), bucket, nil); err != nil {
		b.Fatal(err)
	}
	objs, err := objects.New(ctx, objects.Config{Bucket: bucket, Endpoint: m.Endpoint, Region: m.Region, AccessKey: m.AccessKey, SecretKey: m.SecretKey})
	if err != nil {
		b.Fatal(err)
	}
	root := sourcetreetest.Path(b)
	photos, _ := filepath.Glob(filepath.Join(root, "infra", "gallery", "Tomato", "*.jpg"))
	if len(photos) == 0 {
		b.Fatal("no gallery photo")
	}
	photo, err := os.ReadFile(photos[0])
	if err != nil {
		b.Fatal(err)
	}
	const key = "dataset/Tomato/coldstart.jpg"
	if err := objs.Put(ctx, key, "image/jpeg", photo); err != nil {
		b.Fatal(err)
	}
	event := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join(root, "events", name))
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	s3Event := []byte(fmt.Sprintf(`{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"eu-west-1","eventName":"ObjectCreated:Put",
		"s3":{"bucket":{"name":%q},"object":{"key":%q,"size":%d}}}]}`, bucket, key, len(photo)))
	env := []string{
		"DATABASE_URL=" + pg.URL, "IMAGES_BUCKET=" + bucket, "S3_ENDPOINT=" + m.Endpoint,
		"AWS_ACCESS_KEY_ID=" + m.AccessKey, "AWS_SECRET_ACCESS_KEY=" + m.SecretKey, "AWS_REGION=" + m.Region,
		"MODEL_DIR=" + filepath.Join(root, "models"), "ORT_LIB=" + lib, "UPLOAD_RETENTION_DAYS=30",
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
	}
	bin := b.TempDir()
	for _, fn := range []struct {
		name  string
		event []byte
	}{
		{"classify", s3Event},
		{"query", event("query-search.json")},
		{"upload", event("upload.json")},
		{"sweep", event("sweep-schedule.json")},
	} {
		b.Run(fn.name, func(b *testing.B) {
			exe := filepath.Join(bin, fn.name)
			build := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-tags", "lambda.norpc", "-ldflags=-s -w", "-o", exe, "./functions/"+fn.name)
			build.Dir, build.Env = root, append(os.Environ(), "CGO_ENABLED=1")
			if out, err := build.CombinedOutput(); err != nil {
				b.Fatalf("build %s: %v\n%s", fn.name, err, out)
			}
			var total []float64
			steps := map[string][]float64{}
			b.ResetTimer()
			for b.Loop() {
				ms, init := coldStart(b, exe, env, fn.event)
				total = append(total, ms)
				for k, v := range init {
					steps[k] = append(steps[k], v)
				}
			}
			b.StopTimer()
			b.ReportMetric(median(total), "coldstart_ms")
			for k, v := range steps {
				b.ReportMetric(median(v), k)
			}
		})
	}
}

// coldStart runs the bootstrap once: it returns the milliseconds from exec
// to its answer to event, and the steps of its "initialised" log line.
func coldStart(b *testing.B, exe string, env []string, event []byte) (float64, map[string]float64) {
	fake, err := lambdaruntime.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer fake.Close()
	fake.Send(event)
	var stderr bytes.Buffer
	cmd := exec.Command(exe)
	cmd.Env = append(slices.Clone(env), "AWS_LAMBDA_RUNTIME_API="+fake.Addr, "AWS_LAMBDA_FUNCTION_NAME=veglens-coldstart")
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	var a lambdaruntime.Answer
	select {
	case a = <-fake.Answers():
	case <-time.After(30 * time.Second):
		b.Fatalf("%s answered nothing in 30 s; log:\n%s", filepath.Base(exe), stderr.String())
	}
	ms := float64(a.At.Sub(start).Microseconds()) / 1000
	if a.Error {
		b.Fatalf("%s answered with an error: %s\nlog:\n%s", filepath.Base(exe), a.Body, stderr.String())
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	init := map[string]float64{}
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) != nil || line["msg"] != "initialised" {
			continue
		}
		for k, v := range line {
			if f, ok := v.(float64); ok && len(k) > 3 && k[len(k)-3:] == "_ms" {
				init[k] = f
			}
		}
	}
	if len(init) == 0 {
		b.Fatalf("%s logged no initialised line:\n%s", filepath.Base(exe), stderr.String())
	}
	return ms, init
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}
