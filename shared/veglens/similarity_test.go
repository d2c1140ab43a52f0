package veglens_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veglens/veglens/shared/veglens"
)

func TestSimilarityKey(t *testing.T) {
	// Embeddings of 3 values, keys of 2: the first two axes after centring.
	k := veglens.SimilarityKey{InputDim: 3, Dim: 2, Mean: []float32{1, 1, 1},
		Components: [][]float32{{1, 0, 0}, {0, 1, 0}}}
	tests := []struct {
		name      string
		embedding []float32
		want      []float32 // nil: no key
	}{
		{"centred, projected, unit length", []float32{4, 5, 9}, []float32{0.6, 0.8}},
		{"the third axis is dropped", []float32{2, 1, 100}, []float32{1, 0}},
		{"the mean itself has no direction", []float32{1, 1, 1}, nil},
		{"only the dropped axis varies", []float32{1, 1, 7}, nil},
		{"too short", []float32{1, 2}, nil},
		{"too long", []float32{1, 2, 3, 4}, nil},
		{"not a number", []float32{float32(math.NaN()), 0, 0}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := k.Key(tc.embedding)
			if len(got) != len(tc.want) {
				t.Fatalf("Key(%v) = %v, want %v", tc.embedding, got, tc.want)
			}
			for i := range got {
				if math.Abs(float64(got[i]-tc.want[i])) > 1e-6 {
					t.Errorf("Key(%v) = %v, want %v", tc.embedding, got, tc.want)
				}
			}
		})
	}
}

func TestKeySimilarityIsTheCosineOfUnitKeys(t *testing.T) {
	for _, tc := range []struct{ a, b [2]float64 }{
		{[2]float64{1, 0}, [2]float64{1, 0}},
		{[2]float64{1, 0}, [2]float64{0.6, 0.8}},
		{[2]float64{1, 0}, [2]float64{0, 1}},
		{[2]float64{1, 0}, [2]float64{-1, 0}},
	} {
		d := math.Hypot(tc.a[0]-tc.b[0], tc.a[1]-tc.b[1])
		cos := tc.a[0]*tc.b[0] + tc.a[1]*tc.b[1]
		if got := veglens.KeySimilarity(d); math.Abs(got-cos) > 1e-12 {
			t.Errorf("%s: KeySimilarity(%.3f) = %.6f, want the cosine %.6f", fmt.Sprint(tc.a, tc.b), d, got, cos)
		}
	}
}

func TestReadModelMetaChecksTheFamiliarityReferences(t *testing.T) {
	base := func() map[string]any {
		return map[string]any{
			"version": "abcdef123456", "labels": []string{"Bean", "Carrot"},
			"input":         map[string]any{"name": "image", "size": 224, "layout": "NHWC", "range": []int{0, 255}},
			"outputs":       map[string]any{"probabilities": "p", "embedding": "e", "activation_map": "a", "score": "s"},
			"embedding_dim": 4, "activation_map_size": 7,
			"refusal": map[string]any{"threshold": 0.1, "familiarity": map[string]any{"file": "references.f32", "count": 3, "dim": 4, "k": 2, "threshold": 0.5}},
		}
	}
	tests := []struct {
		name   string
		change func(fam map[string]any)
		want   string // "" reads
	}{
		{"valid", func(map[string]any) {}, ""},
		{"a path, not a file of the folder", func(f map[string]any) { f["file"] = "../references.f32" }, "not a file in the model folder"},
		{"rows of another length", func(f map[string]any) { f["dim"] = 5 }, "embeddings (4 values)"},
		{"fewer references than k", func(f map[string]any) { f["count"] = 1 }, "at least k"},
		{"k of zero", func(f map[string]any) { f["k"] = 0 }, "k >= 1"},
		{"threshold beyond a cosine", func(f map[string]any) { f["threshold"] = 1.5 }, "outside [-1,1]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := base()
			tc.change(doc["refusal"].(map[string]any)["familiarity"].(map[string]any))
			dir := t.TempDir()
			raw, _ := json.Marshal(doc)
			if err := os.WriteFile(filepath.Join(dir, veglens.MetaFile), raw, 0o644); err != nil {
				t.Fatal(err)
			}
			meta, err := veglens.ReadModelMeta(dir)
			switch {
			case tc.want == "" && (err != nil || meta.Refusal.Familiarity == nil || meta.Refusal.Familiarity.K != 2):
				t.Errorf("ReadModelMeta = %+v, %v; want the familiarity read", meta.Refusal.Familiarity, err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("ReadModelMeta error = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestLabelVersionChangesWithTheRefusalRule(t *testing.T) {
	var a veglens.ModelMeta
	a.Version = "1b40674f4964"
	a.Refusal.Threshold = 0.0651
	b := a
	b.Refusal.Threshold = 0.0485
	c := b
	c.Refusal.Familiarity = &veglens.Familiarity{File: "references.f32", Count: 452, Dim: 1280, K: 5, Threshold: 0.44}
	seen := map[string]bool{}
	for _, m := range []veglens.ModelMeta{a, b, c} {
		v := m.LabelVersion()
		if !strings.HasPrefix(v, m.Version+".") || len(v) != len(m.Version)+7 || seen[v] {
			t.Errorf("LabelVersion = %q: want the model version, a dot and 6 hex digits, different for each rule", v)
		}
		seen[v] = true
	}
	if a.LabelVersion() != a.LabelVersion() {
		t.Error("LabelVersion is not stable")
	}
}
