package veglens_test

import (
	"fmt"
	"math"
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
