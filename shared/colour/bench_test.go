package colour

import (
	"image"
	"slices"
	"syscall"
	"testing"
	"time"
)

// BenchmarkAnalyze224 analyses the 150 gallery photos (224x224 JPEG,
// *image.YCbCr) in turn: both methods on both wheels, as the service runs
// it. Target: p50 <= 2 ms on one core (-cpu 1).
func BenchmarkAnalyze224(b *testing.B) {
	var imgs []image.Image
	for _, f := range galleryFiles(b) {
		imgs = append(imgs, loadImage(b, f))
	}
	benchAnalyze(b, imgs...)
}

// BenchmarkAnalyze12MP is a 4000x3000 photo (a gallery photo upscaled and
// re-encoded as JPEG, so it is a real *image.YCbCr 4:2:0 picture).
// Target: <= 60 ms (one pass over the pixels; run with -cpu 1 for one core).
func BenchmarkAnalyze12MP(b *testing.B) {
	_, img := upscaled(b, loadImage(b, galleryFiles(b)[0]), 4000, 3000)
	benchAnalyze(b, img)
}

// benchAnalyze runs Analyze on imgs in turn. Besides the wall-clock mean
// (ns/op) it reports the median and 99th percentile of single calls
// (p50-ns, p99-ns) and the process CPU time per call (cpu-ns/op): on a busy
// machine the wall clock includes time spent waiting for a core, the CPU
// time does not.
func benchAnalyze(b *testing.B, imgs ...image.Image) {
	focus := centreMap() // as the service runs it: with the model's activation map
	times := make([]time.Duration, 0, 1<<16)
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		Analyze(imgs[i%len(imgs)], focus)
		if len(times) < cap(times) {
			times = append(times, time.Since(t0))
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(times[len(times)*99/100].Nanoseconds()), "p99-ns")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
