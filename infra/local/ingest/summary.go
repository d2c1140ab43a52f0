package ingest

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Summary reports one ingest of a <Kind>/<image> folder tree.
type Summary struct {
	Found    int // images in the folder
	Skipped  int // already in the bucket from an earlier run, labelled by this model
	Outdated int // already in the bucket, but labelled by an older model or without a similarity key: sent again
	Uploaded int
	Done     int // classified
	Rejected int // refused as not a usable image (with a reason)
	Pending  int // not classified when the wait ended
	Elapsed  time.Duration
	// SlotUse is the share of the classify slots' time spent classifying
	// during the ingest (1 = the classifier never waited for an event).
	SlotUse float64
}

// PerSecond is the ingest throughput: uploaded images labelled per second,
// from the first upload until the last row was written.
func (s Summary) PerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Done+s.Rejected) / s.Elapsed.Seconds()
}

func (s Summary) String() string {
	again := ""
	if s.Outdated > 0 {
		again = fmt.Sprintf(" (%d of them again: labelled by an older model or before similar-photo search)", s.Outdated)
	}
	return fmt.Sprintf("%d images found, %d already present, %d uploaded%s: %d classified, %d rejected, %d pending in %.1fs (%.1f images/s, classify slots %.0f%% busy)",
		s.Found, s.Skipped, s.Uploaded, again, s.Done, s.Rejected, s.Pending, s.Elapsed.Seconds(), s.PerSecond(), 100*s.SlotUse)
}

// progressBar draws "[#####-----] 1234/3000 ..." on one line.
type progressBar struct {
	w     io.Writer
	total int
	drawn bool
}

func (b *progressBar) show(s Summary) {
	if b.w == nil || b.total == 0 {
		return
	}
	const width = 30
	n := s.Done + s.Rejected
	fill := width * n / b.total
	fmt.Fprintf(b.w, "\r[%s%s] %d/%d classified (%d rejected), %d uploaded, %.0f images/s ",
		strings.Repeat("#", fill), strings.Repeat("-", width-fill), n, b.total, s.Rejected, s.Uploaded, s.PerSecond())
	b.drawn = true
}

func (b *progressBar) finish() {
	if b.w != nil && b.drawn {
		fmt.Fprintln(b.w)
	}
}
