package ingest

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestSummary(t *testing.T) {
	s := Summary{Found: 12, Skipped: 2, Uploaded: 10, Done: 8, Rejected: 2, Elapsed: 4 * time.Second, SlotUse: 0.5}
	if got := s.PerSecond(); got != 2.5 {
		t.Errorf("PerSecond = %v, want 2.5", got)
	}
	want := "12 images found, 2 already present, 10 uploaded: 8 classified, 2 rejected, 0 pending in 4.0s (2.5 images/s, classify slots 50% busy)"
	if s.String() != want {
		t.Errorf("String =\n%s\nwant\n%s", s, want)
	}
	if (Summary{Done: 3}).PerSecond() != 0 {
		t.Error("PerSecond without elapsed time is not 0")
	}
}

func TestProgressBar(t *testing.T) {
	var out bytes.Buffer
	b := progressBar{w: &out, total: 4}
	b.show(Summary{Uploaded: 4, Done: 1, Rejected: 1, Elapsed: time.Second})
	b.show(Summary{Uploaded: 4, Done: 3, Rejected: 1, Elapsed: 2 * time.Second})
	b.finish()
	lines := strings.Split(out.String(), "\r")
	if len(lines) != 3 || !strings.HasSuffix(out.String(), "\n") {
		t.Fatalf("output %q: want two redrawn lines and a final newline", out.String())
	}
	if want := "[###############---------------] 2/4 classified (1 rejected), 4 uploaded, 2 images/s "; lines[1] != want {
		t.Errorf("half way:\n%q\nwant\n%q", lines[1], want)
	}
	if !strings.HasPrefix(lines[2], "["+strings.Repeat("#", 30)+"] 4/4 classified") {
		t.Errorf("done: %q", lines[2])
	}

	var quiet bytes.Buffer
	b = progressBar{w: &quiet, total: 0}
	b.show(Summary{})
	b.finish()
	if quiet.Len() != 0 {
		t.Errorf("nothing to do drew %q", quiet.String())
	}
}
