package vision

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/veglens/veglens/shared/picture"
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
	bothModels(b, func(b *testing.B, m *Model) { benchDecodeClassify(b, m, data) })
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

// BenchmarkClassifyJPEGPhone is a typical phone upload: a 4032x3024 JPEG
// decoded, resized to 224x224 and classified.
func BenchmarkClassifyJPEGPhone(b *testing.B) {
	m := testModel(b)
	src := picture.Thumbnail(quadrants(400, 300), 400)
	big := image.NewRGBA(image.Rect(0, 0, 4032, 3024))
	for y := range 3024 {
		for x := range 4032 {
			big.Set(x, y, src.At(x/10, y/10))
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, big, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	benchDecodeClassify(b, m, data)
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
func benchDecodeClassify(b *testing.B, m *Model, data []byte) {
	b.Helper()
	ctx := context.Background()
	lat := make(latencies, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		pic, err := picture.Decode(bytes.NewReader(data), picture.DefaultLimits)
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
