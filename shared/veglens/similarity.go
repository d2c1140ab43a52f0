package veglens

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
)

// SimilarityFile is the model folder's similar-photo key (optional): the
// principal components of the model's embedding, fitted by
// models/vegnet/similarity.py.
const SimilarityFile = "similarity.json"

// MaxKeyDim is the longest similarity key the catalog can index: its
// column is a pgvector vector(16) (migration 00009). A shorter key is
// stored padded with zeros, which changes no distance between keys of the
// same length.
const MaxKeyDim = 16

// SimilarityKey turns a model's embedding into the short key that "more
// like this photo" compares: principal component analysis (Pearson 1901)
// of the embeddings of training photos, then unit length,
//
//	key = normalise((embedding - Mean) · Componentsᵀ)
//
// so that the Euclidean distance d between two keys orders photos as their
// cosine similarity does: cos = 1 - d²/2.
type SimilarityKey struct {
	ModelVersion string      `json:"model_version"` // the model it was fitted for
	InputDim     int         `json:"input_dim"`     // embedding length
	Dim          int         `json:"dim"`           // key length, 1..MaxKeyDim
	Mean         []float32   `json:"mean"`          // [InputDim]
	Components   [][]float32 `json:"components"`    // [Dim][InputDim], unit rows
	// Quality is what the fitting measured (precision@k on validation
	// photos, for the full embedding and for the key), for people.
	Quality json.RawMessage `json:"quality"`
}

// ErrNoSimilarityKey: the model folder has no similarity.json.
var ErrNoSimilarityKey = errors.New("the model folder has no similar-photo key")

// ReadSimilarityKey reads dir/similarity.json and checks it against the
// model's metadata: the same model version and embedding length, and
// matrices of the sizes it states. A folder without the file returns an
// error wrapping ErrNoSimilarityKey.
func ReadSimilarityKey(dir string, meta ModelMeta) (SimilarityKey, error) {
	path := filepath.Join(dir, SimilarityFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return SimilarityKey{}, fmt.Errorf("read similarity key: %w (%s)", ErrNoSimilarityKey, path)
	}
	if err != nil {
		return SimilarityKey{}, fmt.Errorf("read similarity key: %w", err)
	}
	var k SimilarityKey
	if err := json.Unmarshal(raw, &k); err != nil {
		return SimilarityKey{}, fmt.Errorf("read similarity key: parse %s: %w", path, err)
	}
	switch {
	case k.ModelVersion != meta.Version:
		return SimilarityKey{}, fmt.Errorf("read similarity key: %s was fitted for model %s, but the model is %s (run python -m vegnet.similarity again)", path, k.ModelVersion, meta.Version)
	case k.InputDim != meta.EmbeddingDim || len(k.Mean) != k.InputDim:
		return SimilarityKey{}, fmt.Errorf("read similarity key: %s expects embeddings of %d values (mean has %d); the model's have %d", path, k.InputDim, len(k.Mean), meta.EmbeddingDim)
	case k.Dim < 1 || k.Dim > MaxKeyDim || len(k.Components) != k.Dim:
		return SimilarityKey{}, fmt.Errorf("read similarity key: %s has %d components for a key of %d values; it must be 1..%d", path, len(k.Components), k.Dim, MaxKeyDim)
	}
	for i, row := range k.Components {
		if len(row) != k.InputDim {
			return SimilarityKey{}, fmt.Errorf("read similarity key: %s: component %d has %d values, not %d", path, i, len(row), k.InputDim)
		}
	}
	return k, nil
}

// Key returns the unit-length key ([Dim]) of an embedding ([InputDim]).
// It is nil when the embedding has the wrong length or projects to zero
// (no direction to compare).
func (k SimilarityKey) Key(embedding []float32) []float32 {
	if len(embedding) != k.InputDim || k.Dim == 0 {
		return nil
	}
	centred := make([]float64, len(embedding))
	for i, v := range embedding {
		centred[i] = float64(v) - float64(k.Mean[i])
	}
	key := make([]float64, k.Dim)
	var norm float64
	for j, row := range k.Components {
		var s float64
		for i, c := range row {
			s += float64(c) * centred[i]
		}
		key[j] = s
		norm += s * s
	}
	norm = math.Sqrt(norm)
	if norm < 1e-12 || math.IsNaN(norm) || math.IsInf(norm, 0) {
		return nil
	}
	out := make([]float32, k.Dim)
	for j, s := range key {
		out[j] = float32(s / norm)
	}
	return out
}

// KeySimilarity is the cosine similarity (-1..1) of two unit-length keys
// from their Euclidean distance d: 1 - d²/2.
func KeySimilarity(distance float64) float64 { return 1 - distance*distance/2 }

// Neighbour is a photo found by "more like this": the image and the cosine
// similarity of its key to the asked-about photo's (-1..1, 1 = the same).
type Neighbour struct {
	Image      Image
	Similarity float64
}

// ErrNotComparable: the photo has no similarity key (not labelled yet,
// unreadable, or labelled by a model without one), so nothing can be said
// to be like it.
var ErrNotComparable = errors.New("the photo has no similarity key")
