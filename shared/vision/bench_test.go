package vision

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veglens/veglens/shared/picture"
	"github.com/veglens/veglens/shared/picture/picturetest"
	"github.com/veglens/veglens/shared/sourcetree/sourcetreetest"
)

// latencies records one duration per iteration and reports p50 and p99 in
// milliseconds next to ns/op.
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	at := func(q float64) float64 {
		return float64(l[min(len(l)-1, int(q*float64(len(l))))]) / 1e6
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// bothModels runs bench on the shipped int8 model and on the float model it
// was made from, in the same run, as sub-benchmarks "int8" and "fp32".
func bothModels(b *testing.B, bench func(b *testing.B, m *Model)) {
	b.Run("int8", func(b *testing.B) { bench(b, testModel(b)) })
	b.Run("fp32", func(b *testing.B) { bench(b, referenceModel(b)) })
}

// BenchmarkClassifyJPEG224 is the latency target: decode one 224x224 JPEG
// (a gallery photo), preprocess it and run the model on one thread.
func BenchmarkClassifyJPEG224(b *testing.B) {
	data := readGalleryJPEG(b)
	bothModels(b, func(b *testing.B, m *Model) { benchDecodeClassify(b, m, data, picture.DefaultLimits) })
}

// BenchmarkDecodeClassifyGallery decodes and classifies the 150 gallery
// JPEGs (224x224) in turn, one thread: the same files and steps as the
// Python baseline (`make bench-model`).
func BenchmarkDecodeClassifyGallery(b *testing.B) {
	files, err := filepath.Glob(sourcetreetest.Path(b, "infra", "gallery", "*", "*.jpg"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no gallery photos: %v", err)
	}
	photos := make([][]byte, len(files))
	for i, f := range files {
		if photos[i], err = os.ReadFile(f); err != nil {
			b.Fatal(err)
		}
	}
	bothModels(b, func(b *testing.B, m *Model) {
		ctx := context.Background()
		lat := make(latencies, 0, b.N)
		i := 0
		for b.Loop() {
			start := time.Now()
			pic, err := picture.Decode(bytes.NewReader(photos[i%len(photos)]), picture.DefaultLimits)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := m.Classify(ctx, pic.Image, 3); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
			i++
		}
		lat.report(b)
	})
}

// phoneLimits decode as the labeller does: shrink-on-load to a long side of
// at least labelling.DecodeSide (448), so libjpeg-turbo decodes a 4032x3024
// photo at 1/8 scale, 504x378.
var phoneLimits = func() picture.Limits {
	lim := picture.DefaultLimits
	lim.ShrinkTo = 448
	return lim
}()

// BenchmarkClassifyJPEGPhone is a typical phone upload: a 4032x3024 JPEG
// (a gallery photo enlarged, quality 85) decoded as the labeller decodes it
// (phoneLimits), resized to 224x224 and classified. Targets: p50 at most
// 60 ms single-thread (-cpu 1) and peak memory at most 100 MB. peak-RSS-MB
// is measured in a child process that does only this (model and ONNX
// Runtime loaded, ten photos decoded and classified): the benchmark
// process's own high-water mark would count the making of the test photo.
func BenchmarkClassifyJPEGPhone(b *testing.B) {
	m := testModel(b)
	data := picturetest.Enlarge(b, readGalleryJPEG(b), 4032)
	b.ReportAllocs()
	benchDecodeClassify(b, m, data, phoneLimits)
	b.StopTimer()
	file := filepath.Join(b.TempDir(), "phone.jpg")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestPhonePeakMemoryChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "VEGLENS_PEAK_PHOTO="+file)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("child process: %v\n%s", err, out)
	}
	var kb float64
	if _, err := fmt.Sscanf(string(out[bytes.Index(out, []byte("peak-rss-kb "))+len("peak-rss-kb "):]), "%g", &kb); err != nil {
		b.Fatalf("child process printed no peak: %s", out)
	}
	b.ReportMetric(kb/1024, "peak-RSS-MB")
}

// TestPhonePeakMemoryChild is BenchmarkClassifyJPEGPhone's child process:
// it runs only when VEGLENS_PEAK_PHOTO names a photo.
func TestPhonePeakMemoryChild(t *testing.T) {
	file := os.Getenv("VEGLENS_PEAK_PHOTO")
	if file == "" {
		t.Skip("the child process of BenchmarkClassifyJPEGPhone")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	m := testModel(t)
	for range 10 {
		pic, err := picture.Decode(bytes.NewReader(data), phoneLimits)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Classify(context.Background(), pic.Image, 3); err != nil {
			t.Fatal(err)
		}
	}
	// VmHWM is this process's own high-water mark (getrusage's maxrss
	// would carry over the parent's across exec).
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	for line := range strings.Lines(string(status)) {
		if kb, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			fmt.Printf("peak-rss-kb %s\n", strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")))
			return
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
}

// BenchmarkDecodeJPEG224 is the decoding share of BenchmarkClassifyJPEG224.
func BenchmarkDecodeJPEG224(b *testing.B) {
	data := readGalleryJPEG(b)
	for b.Loop() {
		if _, err := picture.Decode(bytes.NewReader(data), picture.DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClassifyDecoded224 is the model's share, single-thread
// inference: Classify (tensor fill and inference) of an already decoded
// 224x224 picture.
func BenchmarkClassifyDecoded224(b *testing.B) {
	pic, err := picture.Decode(bytes.NewReader(readGalleryJPEG(b)), picture.DefaultLimits)
	if err != nil {
		b.Fatal(err)
	}
	bothModels(b, func(b *testing.B, m *Model) {
		ctx := context.Background()
		lat := make(latencies, 0, b.N)
		for b.Loop() {
			start := time.Now()
			if _, err := m.Classify(ctx, pic.Image, 3); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
		}
		lat.report(b)
	})
}

// BenchmarkFillTensor224 is the preprocessing share: YCbCr pixels to the
// float32 input tensor.
func BenchmarkFillTensor224(b *testing.B) {
	pic, err := picture.Decode(bytes.NewReader(readGalleryJPEG(b)), picture.DefaultLimits)
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]float32, 224*224*3)
	for b.Loop() {
		fillTensor(dst, pic.Image, 224)
	}
}

// BenchmarkClassifyParallel measures throughput with every core busy (each
// call still uses one intra-op thread).
func BenchmarkClassifyParallel(b *testing.B) {
	m := testModel(b)
	data := readGalleryJPEG(b)
	ctx := context.Background()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			pic, err := picture.Decode(bytes.NewReader(data), picture.DefaultLimits)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := m.Classify(ctx, pic.Image, 3); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchDecodeClassify times picture.Decode plus Classify (top-3) of data per
// iteration and reports the latency percentiles.
func benchDecodeClassify(b *testing.B, m *Model, data []byte, lim picture.Limits) {
	b.Helper()
	ctx := context.Background()
	lat := make(latencies, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		pic, err := picture.Decode(bytes.NewReader(data), lim)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.Classify(ctx, pic.Image, 3); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	lat.report(b)
}
