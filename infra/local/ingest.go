package local

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// IngestSummary reports one ingest of a <Kind>/<image> folder tree.
type IngestSummary struct {
	Found    int // images in the folder
	Skipped  int // already in the bucket from an earlier run
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
func (s IngestSummary) PerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Done+s.Rejected) / s.Elapsed.Seconds()
}

func (s IngestSummary) String() string {
	return fmt.Sprintf("%d images found, %d already present, %d uploaded: %d classified, %d rejected, %d pending in %.1fs (%.1f images/s, classify slots %.0f%% busy)",
		s.Found, s.Skipped, s.Uploaded, s.Done, s.Rejected, s.Pending, s.Elapsed.Seconds(), s.PerSecond(), 100*s.SlotUse)
}

var imageExts = map[string]string{
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp", ".gif": "image/gif",
}

type ingestItem struct {
	path, key, contentType string
}

// scanTree lists dir/<Kind>/<image> files; every folder must be named after
// a kind the model knows, since the folder is stored as the true kind.
func scanTree(dir string, labels []string) ([]ingestItem, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read image folder: %w", err)
	}
	var items []ingestItem
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if !slices.Contains(labels, e.Name()) {
			return nil, fmt.Errorf("folder %q in %s is not one of the kinds the model knows (%s)",
				e.Name(), dir, strings.Join(labels, ", "))
		}
		files, err := os.ReadDir(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read image folder: %w", err)
		}
		for _, f := range files {
			ct, ok := imageExts[strings.ToLower(filepath.Ext(f.Name()))]
			if f.IsDir() || !ok || strings.HasPrefix(f.Name(), ".") {
				continue
			}
			items = append(items, ingestItem{
				path:        filepath.Join(dir, e.Name(), f.Name()),
				key:         "dataset/" + e.Name() + "/" + f.Name(),
				contentType: ct,
			})
		}
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("no images in %s: expected <Kind>/<image>.jpg folders named after the kinds (%s)", dir, strings.Join(labels, ", "))
	}
	// Interleave kinds so every event queue is busy from the start.
	return interleave(items), nil
}

// interleave orders items round-robin over their folders.
func interleave(items []ingestItem) []ingestItem {
	byDir := map[string][]ingestItem{}
	var dirs []string
	for _, it := range items {
		d := filepath.Dir(it.key)
		if _, ok := byDir[d]; !ok {
			dirs = append(dirs, d)
		}
		byDir[d] = append(byDir[d], it)
	}
	out := make([]ingestItem, 0, len(items))
	for len(out) < len(items) {
		for _, d := range dirs {
			if q := byDir[d]; len(q) > 0 {
				out = append(out, q[0])
				byDir[d] = q[1:]
			}
		}
	}
	return out
}

// existingKeys lists the objects already under prefix.
func (st *Stack) existingKeys(ctx context.Context, prefix string) (map[string]bool, error) {
	keys := map[string]bool{}
	p := s3.NewListObjectsV2Paginator(st.S3, &s3.ListObjectsV2Input{Bucket: aws.String(st.Env.Bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", prefix, err)
		}
		for _, o := range page.Contents {
			keys[aws.ToString(o.Key)] = true
		}
	}
	return keys, nil
}

// Ingest puts every image of a <Kind>/<image> tree into the bucket under
// dataset/<Kind>/<file> — objects already there are skipped, so a second
// run adds nothing — and waits until the classify function has written a
// row for each (through the real bucket events). progress, when not nil,
// receives a one-line progress bar.
func (st *Stack) Ingest(ctx context.Context, dir string, progress io.Writer) (IngestSummary, error) {
	var sum IngestSummary
	items, err := scanTree(dir, st.Labels)
	if err != nil {
		return sum, err
	}
	sum.Found = len(items)
	have, err := st.existingKeys(ctx, "dataset/")
	if err != nil {
		return sum, err
	}
	todo := items[:0:0]
	for _, it := range items {
		if have[it.key] {
			sum.Skipped++
			continue
		}
		todo = append(todo, it)
	}
	keys := make([]string, len(todo))
	for i, it := range todo {
		keys[i] = it.key
	}
	start := time.Now()
	busy0 := st.Gateway.ClassifyBusy()
	slotUse := func() float64 {
		el := time.Since(start)
		if el <= 0 {
			return 0
		}
		return float64(st.Gateway.ClassifyBusy()-busy0) / float64(el) / float64(st.Gateway.Classifying)
	}

	var uploaded atomic.Int64
	uploadErr := make(chan error, 1)
	go func() { uploadErr <- st.upload(ctx, todo, &uploaded) }()

	bar := progressBar{w: progress, total: len(todo)}
	var upErr error
	uploadsDone := false
	lastChange, lastCount := time.Now(), -1
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case upErr = <-uploadErr:
			uploadsDone = true
			uploadErr = nil
		case <-tick.C:
		case <-ctx.Done():
			sum.Uploaded = int(uploaded.Load())
			bar.finish()
			return sum, ctx.Err()
		}
		done, rejected, err := st.countLabelled(ctx, keys)
		if err != nil {
			// The database may be restarting; keep waiting.
			continue
		}
		sum.Done, sum.Rejected = done, rejected
		sum.Uploaded = int(uploaded.Load())
		sum.Elapsed = time.Since(start)
		sum.SlotUse = slotUse()
		bar.show(sum)
		if uploadsDone && upErr != nil {
			bar.finish()
			return sum, upErr
		}
		if n := done + rejected; n != lastCount {
			lastCount, lastChange = n, time.Now()
		}
		if uploadsDone && done+rejected >= sum.Uploaded {
			break
		}
		if time.Since(lastChange) > 3*time.Minute {
			sum.Pending = sum.Uploaded - done - rejected
			bar.finish()
			return sum, fmt.Errorf("%d images still unclassified after 3 minutes without progress (see veglens.log; events stay queued and will be delivered)", sum.Pending)
		}
	}
	bar.finish()
	return sum, nil
}

// upload puts items with a few parallel requests.
func (st *Stack) upload(ctx context.Context, items []ingestItem, n *atomic.Int64) error {
	work := make(chan ingestItem)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				if err := st.putFile(ctx, it); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					continue
				}
				n.Add(1)
			}
		}()
	}
	for _, it := range items {
		select {
		case work <- it:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

func (st *Stack) putFile(ctx context.Context, it ingestItem) error {
	f, err := os.Open(it.path)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	_, err = st.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(st.Env.Bucket),
		Key:           aws.String(it.key),
		Body:          f,
		ContentLength: aws.Int64(fi.Size()),
		ContentType:   aws.String(it.contentType),
	})
	if err != nil {
		return fmt.Errorf("ingest: put %s: %w", it.key, err)
	}
	return nil
}

// countLabelled counts rows of keys that are classified or rejected.
func (st *Stack) countLabelled(ctx context.Context, keys []string) (done, rejected int, err error) {
	if len(keys) == 0 {
		return 0, 0, nil
	}
	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	err = st.DB.QueryRow(qctx, `SELECT count(*) FILTER (WHERE status = 'done'), count(*) FILTER (WHERE status = 'rejected')
		FROM images WHERE object_key = ANY($1)`, keys).Scan(&done, &rejected)
	if err != nil {
		return 0, 0, fmt.Errorf("count labelled images: %w", err)
	}
	return done, rejected, nil
}

// progressBar draws "[#####-----] 1234/3000 ..." on one line.
type progressBar struct {
	w     io.Writer
	total int
	drawn bool
}

func (b *progressBar) show(s IngestSummary) {
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
