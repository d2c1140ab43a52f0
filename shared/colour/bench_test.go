package colour

import (
	"image"
	"syscall"
	"testing"
	"time"
)

// BenchmarkAnalyze224 is one gallery photo (224x224 JPEG, *image.YCbCr):
// both methods on both wheels. Target: <= 2 ms on one core.
func BenchmarkAnalyze224(b *testing.B) {
	img := loadImage(b, galleryFiles(b)[0])
	benchAnalyze(b, img)
}

// BenchmarkAnalyze12MP is a 4000x3000 photo (a gallery photo upscaled and
// re-encoded as JPEG, so it is a real *image.YCbCr 4:2:0 picture).
// Target: <= 60 ms (one pass over the pixels; run with -cpu 1 for one core).
func BenchmarkAnalyze12MP(b *testing.B) {
	_, img := upscaled(b, loadImage(b, galleryFiles(b)[0]), 4000, 3000)
	benchAnalyze(b, img)
}

// benchAnalyze runs Analyze and, besides the wall-clock ns/op, reports the
// process CPU time per call (cpu-ns/op): on a busy machine the wall clock
// includes time spent waiting for a core, the CPU time does not.
func benchAnalyze(b *testing.B, img image.Image) {
	focus := centreMap() // as the service runs it: with the model's activation map
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		Analyze(img, focus)
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
