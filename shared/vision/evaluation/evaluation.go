// Package evaluation measures a vision.Model on a folder of labelled photos
// (<folder>/<Class>/<files>), running every file through exactly the path
// the service uses: picture.Decode, then Model.Classify.
//
// A class folder named after one of the model's kinds (exactly, or else
// ignoring case) holds photos of that kind; any other folder (Unknown/,
// apple/...) holds photos the model should refuse.
package evaluation

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/veglens/veglens/shared/picture"
	"github.com/veglens/veglens/shared/vision"
)

// Options tune Run.
type Options struct {
	// Workers is how many photos are classified at once; 0 means 1. With
	// one worker the latencies are those of an idle machine; more workers
	// finish sooner but each photo's latency then includes waiting for CPU.
	Workers int
	// Limits are the decoding limits; the zero value means
	// picture.DefaultLimits.
	Limits picture.Limits
	// Log, if set, receives one line per file that could not be classified.
	Log io.Writer
}

// Class holds the results for one folder.
type Class struct {
	Folder  string `json:"folder"`
	Kind    string `json:"kind,omitempty"` // the model's label; empty for an unknown folder
	N       int    `json:"n"`              // photos classified
	Correct int    `json:"correct"`        // top-1 equal to Kind
	Refused int    `json:"refused"`
	Errors  int    `json:"errors"` // files Decode or Classify refused
}

// Accuracy is Correct/N (NaN for an unknown folder or no photos).
func (c Class) Accuracy() float64 {
	if c.Kind == "" || c.N == 0 {
		return math.NaN()
	}
	return float64(c.Correct) / float64(c.N)
}

// Report is the outcome of Run.
type Report struct {
	Model     string
	Quantized bool // the model's weights and activations are int8
	// EmbeddingDim is the length of the model's embedding output.
	EmbeddingDim int
	Classes      []Class         // sorted by folder name
	Latencies    []time.Duration // decode+classify time of every classified photo, sorted
}

// Summary is the one-line JSON result. Fractions are null when nothing
// could be measured (no known, or no unknown, photos).
type Summary struct {
	Model          string   `json:"model"`
	Quantized      bool     `json:"quantized"`
	EmbeddingDim   int      `json:"embedding_dim"`
	N              int      `json:"n"`
	Accuracy       *float64 `json:"accuracy"`
	RefusedKnown   *float64 `json:"refused_known"`
	RefusedUnknown *float64 `json:"refused_unknown"`
	P50ms          float64  `json:"p50_ms"`
	P99ms          float64  `json:"p99_ms"`
	Errors         int      `json:"errors"`
}

type job struct {
	class int
	path  string
}

type result struct {
	class   int
	kind    string
	refused bool
	elapsed time.Duration
	err     error
}

// Run classifies every file in dir's class folders. Files directly in dir
// and hidden files are ignored. It fails only when dir cannot be read or
// holds no files; a file that is not a usable picture counts as an error of
// its class.
func Run(ctx context.Context, m *vision.Model, dir string, opts Options) (*Report, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	lim := opts.Limits
	if lim == (picture.Limits{}) {
		lim = picture.DefaultLimits
	}
	rep := &Report{Model: m.Version(), Quantized: m.Meta().Quantized, EmbeddingDim: m.Meta().EmbeddingDim}
	var jobs []job
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || !isKind(filepath.Join(dir, e.Name()), e, true) {
			continue
		}
		files, err := os.ReadDir(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("evaluate: %w", err)
		}
		ci := len(rep.Classes)
		rep.Classes = append(rep.Classes, Class{Folder: e.Name(), Kind: matchKind(e.Name(), m.Labels())})
		for _, f := range files {
			if !strings.HasPrefix(f.Name(), ".") && isKind(filepath.Join(dir, e.Name(), f.Name()), f, false) {
				jobs = append(jobs, job{ci, filepath.Join(dir, e.Name(), f.Name())})
			}
		}
	}
	if len(jobs) == 0 {
		return nil, fmt.Errorf("evaluate: %s has no files in class folders (expected %s/<Class>/<photos>)", dir, dir)
	}

	workers := max(opts.Workers, 1)
	in := make(chan job)
	out := make(chan result)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range in {
				out <- classify(ctx, m, j, lim)
			}
		}()
	}
	go func() {
		defer close(in)
		for _, j := range jobs {
			select {
			case in <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(out) }()

	for r := range out {
		c := &rep.Classes[r.class]
		if r.err != nil {
			c.Errors++
			if opts.Log != nil {
				fmt.Fprintln(opts.Log, r.err)
			}
			continue
		}
		c.N++
		if c.Kind != "" && r.kind == c.Kind {
			c.Correct++
		}
		if r.refused {
			c.Refused++
		}
		rep.Latencies = append(rep.Latencies, r.elapsed)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	slices.Sort(rep.Latencies)
	return rep, nil
}

// isKind reports whether a directory entry is a folder (wantDir) or a
// regular file, following symbolic links.
func isKind(path string, e os.DirEntry, wantDir bool) bool {
	mode := e.Type()
	if mode&os.ModeSymlink != 0 {
		fi, err := os.Stat(path)
		if err != nil {
			return false
		}
		mode = fi.Mode().Type()
	}
	if wantDir {
		return mode.IsDir()
	}
	return mode.IsRegular()
}

// classify runs one file through the service's path, timing decode and
// inference (not the file read, which is not part of serving a photo).
func classify(ctx context.Context, m *vision.Model, j job, lim picture.Limits) result {
	data, err := os.ReadFile(j.path)
	if err != nil {
		return result{class: j.class, err: err}
	}
	start := time.Now()
	pic, err := picture.Decode(bytes.NewReader(data), lim)
	if err != nil {
		return result{class: j.class, err: fmt.Errorf("%s: %w", j.path, err)}
	}
	p, err := m.Classify(ctx, pic.Image, 1)
	elapsed := time.Since(start)
	if err != nil {
		return result{class: j.class, err: fmt.Errorf("%s: %w", j.path, err)}
	}
	return result{class: j.class, kind: p.Top[0].Kind, refused: p.Refused, elapsed: elapsed}
}

// matchKind returns the label a folder name stands for: an exact match
// first, then one ignoring case; "" if none.
func matchKind(folder string, labels []string) string {
	for _, l := range labels {
		if l == folder {
			return l
		}
	}
	for _, l := range labels {
		if strings.EqualFold(l, folder) {
			return l
		}
	}
	return ""
}

// Summary condenses the report into the one-line result.
func (r *Report) Summary() Summary {
	s := Summary{Model: r.Model, Quantized: r.Quantized, EmbeddingDim: r.EmbeddingDim, N: len(r.Latencies)}
	var known, correct, refusedKnown, unknown, refusedUnknown int
	for _, c := range r.Classes {
		s.Errors += c.Errors
		if c.Kind != "" {
			known += c.N
			correct += c.Correct
			refusedKnown += c.Refused
		} else {
			unknown += c.N
			refusedUnknown += c.Refused
		}
	}
	s.Accuracy = fraction(correct, known)
	s.RefusedKnown = fraction(refusedKnown, known)
	s.RefusedUnknown = fraction(refusedUnknown, unknown)
	s.P50ms = r.percentileMs(0.50)
	s.P99ms = r.percentileMs(0.99)
	return s
}

func fraction(a, b int) *float64 {
	if b == 0 {
		return nil
	}
	f := round(float64(a)/float64(b), 6)
	return &f
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

// percentileMs is the nearest-rank percentile of the latencies, in ms.
func (r *Report) percentileMs(q float64) float64 {
	if len(r.Latencies) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(r.Latencies)))) - 1
	i = min(max(i, 0), len(r.Latencies)-1)
	return round(float64(r.Latencies[i])/1e6, 3)
}

// WriteTable prints one row per class folder and a total row.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "class\tkind\tn\tcorrect\taccuracy\trefused\terrors\t")
	classes := slices.Clone(r.Classes)
	sort.Slice(classes, func(i, j int) bool { return classes[i].Folder < classes[j].Folder })
	var total Class
	for _, c := range classes {
		kind, acc := c.Kind, "-"
		if kind == "" {
			kind = "(unknown)"
		} else if c.N > 0 {
			acc = fmt.Sprintf("%.4f", c.Accuracy())
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%d\t%d\t\n", c.Folder, kind, c.N, c.Correct, acc, c.Refused, c.Errors)
		total.N += c.N
		total.Correct += c.Correct
		total.Refused += c.Refused
		total.Errors += c.Errors
	}
	acc := "-"
	if s := r.Summary(); s.Accuracy != nil {
		acc = fmt.Sprintf("%.4f", *s.Accuracy)
	}
	fmt.Fprintf(tw, "total\t\t%d\t%d\t%s\t%d\t%d\t\n", total.N, total.Correct, acc, total.Refused, total.Errors)
	return tw.Flush()
}

// WriteSummary prints the summary as one JSON line.
func (r *Report) WriteSummary(w io.Writer) error {
	line, err := json.Marshal(r.Summary())
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", line)
	return err
}
