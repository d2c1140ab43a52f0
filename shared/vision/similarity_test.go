package vision

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
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
	meta, onnx, sim, refs := read(veglens.MetaFile), read(veglens.ModelFile), read(veglens.SimilarityFile), read("references.f32")
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
		{"too long for the index", change(func(d map[string]any) { d["dim"] = veglens.MaxKeyDim + 1 }), fmt.Sprintf("1..%d", veglens.MaxKeyDim)},
		{"not json", []byte("mean: [0]"), "parse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string][]byte{veglens.MetaFile: meta, veglens.ModelFile: onnx, "references.f32": refs}
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

func TestFamiliarityIsTheKthNearestReference(t *testing.T) {
	// Three unit references in 2 dimensions.
	refs := []float32{1, 0, 0.6, 0.8, 0, 1}
	for _, tc := range []struct {
		emb  []float32
		k    int
		want float64
	}{
		{[]float32{1, 0}, 1, 1},
		{[]float32{1, 0}, 2, 0.6},
		{[]float32{1, 0}, 3, 0},
		{[]float32{0, 1}, 2, 0.8},
		{[]float32{0, 1}, 9, 0}, // k above the count: the least similar
	} {
		if got := familiarity(tc.emb, refs, 2, tc.k); math.Abs(got-tc.want) > 1e-6 {
			t.Errorf("familiarity(%v, k=%d) = %v, want %v", tc.emb, tc.k, got, tc.want)
		}
	}
}

// TestUnfamiliarPicturesAreRefused: every gallery photo looks like some
// training photo, and a picture of noise does not, whatever kind the
// probabilities lean to.
func TestUnfamiliarPicturesAreRefused(t *testing.T) {
	m := testModel(t)
	fam := m.Meta().Refusal.Familiarity
	if fam == nil {
		t.Fatal("the committed model has no familiarity references (model.json refusal.familiarity)")
	}
	files, err := filepath.Glob(sourcetreetest.Path(t, "infra", "gallery", "*", "*.jpg"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no gallery photos found: %v", err)
	}
	lowest := 1.0
	for _, f := range files {
		p, err := m.Classify(context.Background(), decodeFile(t, f).Image, 1)
		if err != nil {
			t.Fatal(err)
		}
		lowest = min(lowest, p.Familiarity)
	}
	if lowest < fam.Threshold {
		t.Errorf("a gallery photo has familiarity %.4f, below the threshold %.4f", lowest, fam.Threshold)
	}
	noise := image.NewRGBA(image.Rect(0, 0, 224, 224))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range noise.Pix {
		noise.Pix[i] = uint8(rng.IntN(256))
		if i%4 == 3 {
			noise.Pix[i] = 255
		}
	}
	p, err := m.Classify(context.Background(), noise, 1)
	if err != nil {
		t.Fatal(err)
	}
	if p.Familiarity >= fam.Threshold || !p.Refused || p.ActivationMap.Kind != "" {
		t.Errorf("noise: familiarity %.4f (threshold %.4f), refused %v, map kind %q; want unfamiliar, refused, no kind",
			p.Familiarity, fam.Threshold, p.Refused, p.ActivationMap.Kind)
	}
	t.Logf("gallery familiarity at least %.4f; noise %.4f; threshold %.4f", lowest, p.Familiarity, fam.Threshold)
}
