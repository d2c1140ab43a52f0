// Package ingest puts a folder tree of <Kind>/<image> files into the images
// bucket under dataset/<Kind>/<file> and waits until the classify function,
// fed by the bucket's events, has written a row for each: the real path, as
// in the cloud. It draws a progress bar and sums the run up.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/veglens/veglens/shared/veglens"
)

// Catalog counts the labelled rows of object keys and finds those a newer
// model makes out of date (catalog.Store).
type Catalog interface {
	CountLabelled(ctx context.Context, keys []string, since time.Time) (done, rejected int, err error)
	Outdated(ctx context.Context, prefix, modelVersion string) ([]string, error)
}

// Slots tells how busy the classify function's concurrent slots are (the
// local gateway).
type Slots interface {
	Classifying() int
	ClassifyBusy() time.Duration
}

// DefaultPatience is how long an ingest waits without any image being
// labelled before it gives up.
const DefaultPatience = 3 * time.Minute

// Target is where an ingest puts images and how it watches them labelled.
type Target struct {
	S3     *s3.Client
	Bucket string
	// Labels are the kinds the model knows: the only folder names allowed.
	Labels  []veglens.Kind
	Catalog Catalog
	// Slots, when set, measures Summary.SlotUse.
	Slots Slots
	// Patience is how long to wait without progress (default
	// DefaultPatience).
	Patience time.Duration
	// ModelVersion is the model the functions run: objects already in the
	// bucket whose rows are out of date for it (Catalog.Outdated) are sent
	// again. Empty: nothing is sent again.
	ModelVersion string
}

// Tree puts every image of the <Kind>/<image> tree in dir into the bucket
// under dataset/<Kind>/<file> — objects already there are skipped, so a
// second run adds nothing, unless their rows are out of date for the
// target's model, which sends them again to be labelled anew — and waits
// until a row is written for each
// (through the real bucket events). progress, when not nil, receives a
// one-line progress bar.
func Tree(ctx context.Context, t Target, dir string, progress io.Writer) (Summary, error) {
	var sum Summary
	if t.S3 == nil || t.Bucket == "" || t.Catalog == nil {
		return sum, errors.New("ingest: no bucket or catalog to ingest into")
	}
	patience := t.Patience
	if patience <= 0 {
		patience = DefaultPatience
	}
	items, err := Scan(dir, t.Labels)
	if err != nil {
		return sum, err
	}
	sum.Found = len(items)
	have, err := existingKeys(ctx, t, veglens.DatasetPrefix)
	if err != nil {
		return sum, err
	}
	outdated := map[string]bool{}
	if t.ModelVersion != "" {
		keys, err := t.Catalog.Outdated(ctx, veglens.DatasetPrefix, t.ModelVersion)
		if err != nil {
			return sum, fmt.Errorf("ingest: %w", err)
		}
		for _, k := range keys {
			outdated[k] = true
		}
	}
	todo := items[:0:0]
	for _, it := range items {
		switch {
		case have[it.Key] && outdated[it.Key]:
			sum.Outdated++
		case have[it.Key]:
			sum.Skipped++
			continue
		}
		todo = append(todo, it)
	}
	keys := make([]string, len(todo))
	for i, it := range todo {
		keys[i] = it.Key
	}
	start := time.Now()
	slotUse := func() float64 { return 0 }
	if t.Slots != nil && t.Slots.Classifying() > 0 {
		busy0 := t.Slots.ClassifyBusy()
		slotUse = func() float64 {
			el := time.Since(start)
			if el <= 0 {
				return 0
			}
			return float64(t.Slots.ClassifyBusy()-busy0) / float64(el) / float64(t.Slots.Classifying())
		}
	}

	var uploaded atomic.Int64
	uploadErr := make(chan error, 1)
	go func() { uploadErr <- upload(ctx, t, todo, &uploaded) }()

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
		if uploadsDone && upErr != nil {
			sum.Uploaded = int(uploaded.Load())
			bar.finish()
			return sum, upErr
		}
		done, rejected, err := countLabelled(ctx, t.Catalog, keys, start)
		if err != nil {
			// The database may be restarting: keep waiting, but not
			// longer than the patience allows.
			if time.Since(lastChange) > patience {
				bar.finish()
				return sum, fmt.Errorf("no progress for %s: the rows cannot be counted: %w", formatPatience(patience), err)
			}
			continue
		}
		sum.Done, sum.Rejected = done, rejected
		sum.Uploaded = int(uploaded.Load())
		sum.Elapsed = time.Since(start)
		sum.SlotUse = slotUse()
		bar.show(sum)
		if n := done + rejected; n != lastCount {
			lastCount, lastChange = n, time.Now()
		}
		if uploadsDone && done+rejected >= sum.Uploaded {
			break
		}
		if time.Since(lastChange) > patience {
			sum.Pending = sum.Uploaded - done - rejected
			bar.finish()
			return sum, fmt.Errorf("%d images still unclassified after %s without progress (see veglens.log; events stay queued and will be delivered)",
				sum.Pending, formatPatience(patience))
		}
	}
	bar.finish()
	return sum, nil
}

// formatPatience writes whole minutes as "3 minutes", as people say it.
func formatPatience(d time.Duration) string {
	if d%time.Minute == 0 {
		if d == time.Minute {
			return "1 minute"
		}
		return fmt.Sprintf("%d minutes", d/time.Minute)
	}
	return d.String()
}

// countLabelled asks the catalog, giving up on one attempt after a while.
func countLabelled(ctx context.Context, c Catalog, keys []string, since time.Time) (done, rejected int, err error) {
	if len(keys) == 0 {
		return 0, 0, nil
	}
	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return c.CountLabelled(qctx, keys, since)
}

// existingKeys lists the objects already under prefix.
func existingKeys(ctx context.Context, t Target, prefix string) (map[string]bool, error) {
	keys := map[string]bool{}
	p := s3.NewListObjectsV2Paginator(t.S3, &s3.ListObjectsV2Input{Bucket: aws.String(t.Bucket), Prefix: aws.String(prefix)})
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

// upload puts items with a few parallel requests, counting those stored.
func upload(ctx context.Context, t Target, items []Item, n *atomic.Int64) error {
	work := make(chan Item)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range 4 {
		wg.Go(func() {
			for it := range work {
				if err := putFile(ctx, t, it); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					continue
				}
				n.Add(1)
			}
		})
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

func putFile(ctx context.Context, t Target, it Item) error {
	f, err := os.Open(it.Path)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	_, err = t.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(t.Bucket),
		Key:           aws.String(it.Key),
		Body:          f,
		ContentLength: aws.Int64(fi.Size()),
		ContentType:   aws.String(it.ContentType),
	})
	if err != nil {
		return fmt.Errorf("ingest: put %s: %w", it.Key, err)
	}
	return nil
}
