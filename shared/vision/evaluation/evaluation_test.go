package evaluation

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veglens/veglens/infra/services/servicestest"
	"github.com/veglens/veglens/shared/picture"
	"github.com/veglens/veglens/shared/sourcetree/sourcetreetest"
	"github.com/veglens/veglens/shared/vision"
)

func loadModel(t *testing.T) *vision.Model {
	t.Helper()
	lib := servicestest.ORTLib(t)
	m, err := vision.LoadModel(filepath.Join(sourcetreetest.Path(t), "models"), vision.ModelOptions{LibraryPath: lib})
	if err != nil {
		t.Fatalf("LoadModel: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func classifyFile(t *testing.T, m *vision.Model, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pic, err := picture.Decode(f, picture.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.Classify(context.Background(), pic.Image, 1)
	if err != nil {
		t.Fatal(err)
	}
	return p.Top[0].Kind
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRun builds a small evaluation folder: a kind spelled exactly, a kind
// spelled in lower case (with a text file among the photos), and a folder
// that is none of the kinds. The report must count every file where it
// belongs and agree with classifying each photo directly.
func TestRun(t *testing.T) {
	m := loadModel(t)
	root := sourcetreetest.Path(t)
	dir := t.TempDir()
	want := map[string]string{} // copied photo -> kind the model gives it directly
	for folder, kind := range map[string]string{"Carrot": "Carrot", "broccoli": "Broccoli", "apple": "Tomato"} {
		files, _ := filepath.Glob(filepath.Join(root, "infra", "gallery", kind, "*.jpg"))
		if len(files) < 3 {
			t.Fatalf("gallery %s has %d photos", kind, len(files))
		}
		for _, f := range files[:3] {
			dst := filepath.Join(dir, folder, filepath.Base(f))
			copyFile(t, f, dst)
			want[dst] = classifyFile(t, m, f)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "broccoli", "notes.txt"), []byte("not a photo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("files at the top are ignored"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Symbolic links count like the files and folders they point to.
	linked := filepath.Join(t.TempDir(), "Carrot")
	if err := os.Mkdir(linked, 0o755); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(root, "infra", "gallery", "Carrot", "*.jpg"))
	for _, f := range files[3:5] {
		abs, _ := filepath.Abs(f)
		if err := os.Symlink(abs, filepath.Join(linked, filepath.Base(f))); err != nil {
			t.Fatal(err)
		}
		want[filepath.Join(dir, "linked-carrot", filepath.Base(f))] = classifyFile(t, m, f)
	}
	if err := os.Symlink(linked, filepath.Join(dir, "linked-carrot")); err != nil {
		t.Fatal(err)
	}

	var log bytes.Buffer
	rep, err := Run(context.Background(), m, dir, Options{Workers: 2, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	correct := map[string]int{}
	for path, kind := range want {
		if folder := filepath.Base(filepath.Dir(path)); strings.EqualFold(folder, kind) {
			correct[folder]++
		}
	}
	got := map[string]Class{}
	for _, c := range rep.Classes {
		got[c.Folder] = c
	}
	for _, tt := range []struct {
		folder, kind string
		n, errors    int
	}{
		{"Carrot", "Carrot", 3, 0},
		{"broccoli", "Broccoli", 3, 1},
		{"apple", "", 3, 0},
		{"linked-carrot", "", 2, 0},
	} {
		c := got[tt.folder]
		if c.Kind != tt.kind || c.N != tt.n || c.Errors != tt.errors || c.Correct != correct[tt.folder] {
			t.Errorf("%s: got %+v, want kind %q n %d errors %d correct %d", tt.folder, c, tt.kind, tt.n, tt.errors, correct[tt.folder])
		}
	}
	if !strings.Contains(log.String(), "notes.txt") {
		t.Errorf("the text file is not reported: %q", log.String())
	}

	s := rep.Summary()
	if s.N != 11 || s.Errors != 1 || s.Model != m.Version() || s.Accuracy == nil || s.RefusedUnknown == nil {
		t.Fatalf("summary %+v", s)
	}
	if wantAcc := float64(correct["Carrot"]+correct["broccoli"]) / 6; *s.Accuracy != round(wantAcc, 6) {
		t.Errorf("accuracy %v, want %v", *s.Accuracy, wantAcc)
	}
	if s.P50ms <= 0 || s.P99ms < s.P50ms {
		t.Errorf("latencies p50 %v p99 %v", s.P50ms, s.P99ms)
	}

	// The printed output ends with exactly one JSON line holding the agreed keys.
	var out bytes.Buffer
	if err := rep.WriteTable(&out); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteSummary(&out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	var last map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
		t.Fatalf("last line %q is not JSON: %v", lines[len(lines)-1], err)
	}
	if last["embedding_dim"] != float64(m.Meta().EmbeddingDim) || last["quantized"] != m.Meta().Quantized {
		t.Errorf("JSON line says embedding_dim %v quantized %v; the model %d %v", last["embedding_dim"], last["quantized"], m.Meta().EmbeddingDim, m.Meta().Quantized)
	}
	for _, key := range []string{"model", "quantized", "embedding_dim", "n", "accuracy", "refused_known", "refused_unknown", "p50_ms", "p99_ms"} {
		if _, ok := last[key]; !ok {
			t.Errorf("JSON line lacks %q: %s", key, lines[len(lines)-1])
		}
	}
	if !strings.Contains(out.String(), "broccoli") || len(lines) != 1+4+1+1 {
		t.Errorf("table has %d lines:\n%s", len(lines), out.String())
	}
}

// Without unknown folders refused_unknown is null, not 0.
func TestSummaryWithoutUnknownFolder(t *testing.T) {
	m := loadModel(t)
	dir := t.TempDir()
	grey := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range grey.Pix {
		grey.Pix[i] = uint8(i)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, grey); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "Potato"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Potato", "grey.png"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), m, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var line bytes.Buffer
	if err := rep.WriteSummary(&line); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(line.String(), `"refused_unknown":null`) || !strings.Contains(line.String(), `"n":1`) {
		t.Errorf("summary %s", line.String())
	}
}

func TestRunRefusesEmptyFolders(t *testing.T) {
	m := loadModel(t)
	for name, dir := range map[string]string{"missing": filepath.Join(t.TempDir(), "nope"), "empty": t.TempDir()} {
		if _, err := Run(context.Background(), m, dir, Options{}); err == nil {
			t.Errorf("%s folder: no error", name)
		}
	}
}
