package ingest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veglens/veglens/infra/local/ingest"
	"github.com/veglens/veglens/shared/veglens"
)

var labels = []veglens.Kind{"Bean", "Bitter_Gourd", "Carrot", "Tomato"}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestScan lists a <Kind>/<image> tree: dataset keys named by
// veglens.DatasetKey, Content-Types by extension, other files skipped, and
// the kinds taken in turn.
func TestScan(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{
		"Bean/1.jpg", "Bean/2.JPEG", "Bean/3.png", "Bean/notes.txt", "Bean/.hidden.jpg",
		"Bitter_Gourd/a b.webp", "Carrot/x.gif", ".git/HEAD.jpg", "README.md",
	} {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(f)), "x")
	}
	if err := os.MkdirAll(filepath.Join(dir, "Carrot", "sub.jpg"), 0o755); err != nil {
		t.Fatal(err)
	}
	items, err := ingest.Scan(dir, labels)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range items {
		got = append(got, it.Key+" "+it.ContentType)
		if it.Key != veglens.DatasetKey(it.Kind, filepath.Base(it.Path)) || filepath.Base(filepath.Dir(it.Path)) != it.Kind {
			t.Errorf("item %+v: key, kind and file disagree", it)
		}
		if k, ok := veglens.ParseKey(it.Key); !ok || k.Source != veglens.SourceDataset || k.Folder != it.Kind {
			t.Errorf("item %+v: key parses as %+v", it, k)
		}
	}
	want := []string{
		"dataset/Bean/1.jpg image/jpeg",
		"dataset/Bitter_Gourd/a b.webp image/webp",
		"dataset/Carrot/x.gif image/gif",
		"dataset/Bean/2.JPEG image/jpeg",
		"dataset/Bean/3.png image/png",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("scan =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestScan_RefusesUnknownFolderAndEmptyTree(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "Carrot", "1.jpg"), "x")
	writeFile(t, filepath.Join(dir, "Banana", "1.jpg"), "x")
	if _, err := ingest.Scan(dir, labels); err == nil || !strings.Contains(err.Error(), `"Banana"`) {
		t.Errorf("a Banana folder: err = %v, want one naming the folder", err)
	}
	empty := t.TempDir()
	writeFile(t, filepath.Join(empty, "Carrot", "notes.txt"), "x")
	if _, err := ingest.Scan(empty, labels); err == nil || !strings.Contains(err.Error(), "no images") {
		t.Errorf("no images: err = %v", err)
	}
	if _, err := ingest.Scan(filepath.Join(dir, "missing"), labels); err == nil {
		t.Error("a missing folder: no error")
	}
}
