package vision

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veglens/veglens/shared/sourcetree/sourcetreetest"
	"github.com/veglens/veglens/shared/veglens"
)

// TestSimilarityKeyFindsTheSameKind checks "more like this" as a user sees
// it on the sample gallery (10 photos of each kind): each photo's nearest
// other photo by similarity key shows the same kind.
func TestSimilarityKeyFindsTheSameKind(t *testing.T) {
	m := testModel(t)
	files, err := filepath.Glob(sourcetreetest.Path(t, "infra", "gallery", "*", "*.jpg"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no gallery photos found: %v", err)
	}
	keys := make([][]float32, len(files))
	for i, f := range files {
		p, err := m.Classify(context.Background(), decodeFile(t, f).Image, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.SimilarityKey) == 0 || len(p.SimilarityKey) > veglens.MaxKeyDim {
			t.Fatalf("%s: similarity key of %d values, want 1..%d", f, len(p.SimilarityKey), veglens.MaxKeyDim)
		}
		var n float64
		for _, v := range p.SimilarityKey {
			n += float64(v) * float64(v)
		}
		if math.Abs(n-1) > 1e-4 {
			t.Fatalf("%s: key has length %.6f, want 1", f, math.Sqrt(n))
		}
		keys[i] = p.SimilarityKey
	}
	same := 0
	for i := range files {
		best, bestD := -1, math.Inf(1)
		for j := range files {
			if j == i {
				continue
			}
			var d float64
			for k := range keys[i] {
				x := float64(keys[i][k] - keys[j][k])
				d += x * x
			}
			if d < bestD {
				best, bestD = j, d
			}
		}
		if filepath.Dir(files[best]) == filepath.Dir(files[i]) {
			same++
		} else {
			t.Logf("%s: nearest is %s", files[i], files[best])
		}
	}
	if share := float64(same) / float64(len(files)); share < 0.95 {
		t.Errorf("nearest photo shows the same kind for %d of %d (%.3f), want at least 0.95", same, len(files), share)
	}
}

// TestLoadModelChecksTheSimilarityKey: a key fitted for another model, or
// of the wrong shape, stops the model from loading with a clear message;
// a folder without one loads, and its predictions carry no key.
func TestLoadModelChecksTheSimilarityKey(t *testing.T) {
	testModel(t)
	root := sourcetreetest.Path(t, "models")
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	meta, onnx, sim := read(veglens.MetaFile), read(veglens.ModelFile), read(veglens.SimilarityFile)
	change := func(f func(doc map[string]any)) []byte {
		var doc map[string]any
		if err := json.Unmarshal(sim, &doc); err != nil {
			t.Fatal(err)
		}
		f(doc)
		b, _ := json.Marshal(doc)
		return b
	}
	tests := []struct {
		name string
		sim  []byte // nil: no file
		want string // "" loads
	}{
		{"no key", nil, ""},
		{"another model's key", change(func(d map[string]any) { d["model_version"] = "000000000000" }), "fitted for model"},
		{"a component short", change(func(d map[string]any) {
			c := d["components"].([]any)
			c[3] = c[3].([]any)[1:]
		}), "component 3"},
		{"too long for the index", change(func(d map[string]any) { d["dim"] = 101 }), "1..100"},
		{"not json", []byte("mean: [0]"), "parse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string][]byte{veglens.MetaFile: meta, veglens.ModelFile: onnx}
			if tt.sim != nil {
				files[veglens.SimilarityFile] = tt.sim
			}
			for name, data := range files {
				if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			m, err := LoadModel(dir, ModelOptions{})
			if tt.want != "" {
				if err == nil {
					m.Close()
					t.Fatal("LoadModel accepted the folder")
				}
				if !strings.Contains(err.Error(), tt.want) {
					t.Errorf("error %q does not mention %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			tomato := decodeFile(t, sourcetreetest.Path(t, "infra", "gallery", "Tomato", firstFile(t, "Tomato"))).Image
			p, err := m.Classify(context.Background(), tomato, 1)
			if err != nil || p.SimilarityKey != nil || len(p.Embedding) == 0 {
				t.Errorf("without similarity.json: key %v, embedding of %d, %v; want no key but the embedding", p.SimilarityKey, len(p.Embedding), err)
			}
		})
	}
}
