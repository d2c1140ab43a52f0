package ingest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/veglens/veglens/shared/veglens"
)

// imageExts are the files an ingest picks up, with the Content-Type they
// are stored with.
var imageExts = map[string]string{
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp", ".gif": "image/gif",
	".heic": "image/heic", ".heif": "image/heif", ".avif": "image/avif",
}

// Item is one image file of a tree and where it goes in the bucket.
type Item struct {
	Path        string       // the file
	Kind        veglens.Kind // its folder: the true kind
	Key         string       // veglens.DatasetKey(Kind, file name)
	ContentType string
}

// Scan lists the image files of dir/<Kind>/<image>. Every folder must be
// named after one of labels, since the folder is stored as the true kind;
// hidden files and folders and files of other types are skipped. The items
// come round-robin over the kinds, so that every event queue is busy from
// the start of an ingest.
func Scan(dir string, labels []veglens.Kind) ([]Item, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read image folder: %w", err)
	}
	var items []Item
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
			items = append(items, Item{
				Path:        filepath.Join(dir, e.Name(), f.Name()),
				Kind:        e.Name(),
				Key:         veglens.DatasetKey(e.Name(), f.Name()),
				ContentType: ct,
			})
		}
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("no images in %s: expected <Kind>/<image>.jpg folders named after the kinds (%s)", dir, strings.Join(labels, ", "))
	}
	return interleave(items), nil
}

// interleave orders items round-robin over their kinds, keeping each kind's
// own order.
func interleave(items []Item) []Item {
	byKind := map[veglens.Kind][]Item{}
	var kinds []veglens.Kind
	for _, it := range items {
		if _, ok := byKind[it.Kind]; !ok {
			kinds = append(kinds, it.Kind)
		}
		byKind[it.Kind] = append(byKind[it.Kind], it)
	}
	out := make([]Item, 0, len(items))
	for len(out) < len(items) {
		for _, k := range kinds {
			if q := byKind[k]; len(q) > 0 {
				out = append(out, q[0])
				byKind[k] = q[1:]
			}
		}
	}
	return out
}
