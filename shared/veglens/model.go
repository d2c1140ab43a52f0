package veglens

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// The files of a model folder (MODEL_DIR): the ONNX graph the service runs
// (int8), its metadata and the model card's measured figures (optional).
// The float model the int8 one was made from is named by ModelMeta.Reference.
const (
	ModelFile   = "veglens.onnx"
	MetaFile    = "model.json"
	MetricsFile = "metrics.json"
)

// ModelMeta is the content of model.json, written by the training code
// (models/vegnet/export.py) next to the ONNX graph.
type ModelMeta struct {
	Name    string `json:"name"`
	Version string `json:"version"` // a prefix of the ONNX file's SHA-256, hex
	// Architecture is the backbone, e.g. "efficientnet-lite0".
	Architecture string `json:"architecture"`
	Input        struct {
		Name   string     `json:"name"`
		Size   int        `json:"size"`   // pixels per side
		Layout string     `json:"layout"` // "NHWC"
		Range  [2]float64 `json:"range"`  // [0, 255]: plain RGB, normalised inside the graph
	} `json:"input"`
	// Quantized: the graph's weights and activations are int8 (QDQ).
	Quantized bool `json:"quantized"`
	// Outputs name the graph's outputs (shapes for a batch of N):
	// probabilities [N, len(Labels)], embedding [N, EmbeddingDim],
	// activation_map [N, ActivationMapSize, ActivationMapSize], score [N];
	// logits [N, len(Labels)+1] (the last is "none of the kinds").
	Outputs struct {
		Logits        string `json:"logits"`
		Probabilities string `json:"probabilities"`
		Embedding     string `json:"embedding"`
		ActivationMap string `json:"activation_map"`
		Score         string `json:"score"`
	} `json:"outputs"`
	// EmbeddingDim is the length of the L2-normalised embedding.
	EmbeddingDim int `json:"embedding_dim"`
	// ActivationMapSize is the side of the square class-activation map.
	ActivationMapSize int `json:"activation_map_size"`
	// Labels are the kinds in output order.
	Labels []Kind `json:"labels"`
	// Refusal: a picture is refused as none of the kinds when the graph's
	// score output is below Threshold, or, when the model has Familiarity,
	// when the picture is unfamiliar. Score says what the score is
	// ("max_probability", or "min(max_probability, mahalanobis)").
	Refusal struct {
		Score       string       `json:"score"`
		Threshold   float64      `json:"threshold"` // 0..1
		Rule        string       `json:"rule"`
		Familiarity *Familiarity `json:"familiarity,omitempty"`
	} `json:"refusal"`
	// Reference is the float model the quantised one was made from, kept
	// for parity tests and comparisons; nil when the model is not quantised.
	Reference *struct {
		File    string `json:"file"`
		Version string `json:"version"`
	} `json:"reference,omitempty"`
}

// Familiarity is the second half of the refusal rule (k-nearest-neighbour
// out-of-distribution detection: Sun et al. 2022, "Out-of-distribution
// detection with deep nearest neighbors"): a picture's familiarity is the
// cosine similarity of its embedding to the K-th most similar of Count
// reference embeddings (File in the model folder: little-endian float32,
// [Count, Dim], L2-normalised rows, written by models/vegnet/train.py); a
// picture less familiar than Threshold is refused, however confident the
// kind probabilities are.
type Familiarity struct {
	File      string  `json:"file"`
	Count     int     `json:"count"`
	Dim       int     `json:"dim"`
	K         int     `json:"k"`
	Threshold float64 `json:"threshold"` // -1..1
}

// ColourRules names the revision of the colour package's rules. Change it
// whenever those rules change what an image is called: it is part of
// LabelVersion, so stored colours are measured again.
const ColourRules = "memory-colour-1"

// LabelVersion identifies what labels an image: the model version and a
// fingerprint of its refusal rule and the colour rules (the first 6 hex
// digits of the SHA-256 of model.json's refusal object, a newline and
// ColourRules), e.g. "1b40674f4964.3fa2c1". It is stored with every
// result, so that a new rule on the same weights (new thresholds,
// familiarity references, colour rules) labels images again.
func (m ModelMeta) LabelVersion() string {
	rule, err := json.Marshal(m.Refusal)
	if err != nil {
		return m.Version
	}
	sum := sha256.Sum256(append(append(rule, '\n'), ColourRules...))
	return m.Version + "." + hex.EncodeToString(sum[:3])
}

// Kinds returns the model's kinds in label order.
func (m ModelMeta) Kinds() Kinds { return NewKinds(m.Labels) }

// Model describes a model folder for people (GET /api/model): its metadata,
// the ONNX file's size and the model card's figures.
type Model struct {
	Meta      ModelMeta
	SizeBytes int64
	// Metrics is metrics.json as written by training; "{}" when the folder
	// has none.
	Metrics json.RawMessage
}

// ReadModel reads dir/model.json (which must be valid, see ReadModelMeta),
// the size of dir/veglens.onnx and dir/metrics.json when present.
func ReadModel(dir string) (Model, error) {
	meta, err := ReadModelMeta(dir)
	if err != nil {
		return Model{}, err
	}
	m := Model{Meta: meta, Metrics: json.RawMessage(`{}`)}
	if fi, err := os.Stat(filepath.Join(dir, ModelFile)); err == nil {
		m.SizeBytes = fi.Size()
	}
	raw, err := os.ReadFile(filepath.Join(dir, MetricsFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return Model{}, fmt.Errorf("read model metrics: %w", err)
	default:
		var obj map[string]any
		if err := json.Unmarshal(raw, &obj); err != nil {
			return Model{}, fmt.Errorf("read model metrics: parse %s: %w", filepath.Join(dir, MetricsFile), err)
		}
		m.Metrics = raw
	}
	return m, nil
}

// ReadModelMeta reads and checks dir/model.json: a version, at least two
// labels, the input's and every output's name, an NHWC 0..255 input of a
// positive size, positive embedding and activation-map sizes, a reference
// model when quantised, and a refusal threshold in 0..1.
func ReadModelMeta(dir string) (ModelMeta, error) {
	if dir == "" {
		return ModelMeta{}, errors.New("read model: no model folder given (MODEL_DIR)")
	}
	path := filepath.Join(dir, MetaFile)
	var meta ModelMeta
	data, err := os.ReadFile(path)
	if err != nil {
		return meta, fmt.Errorf("read model: %w", err)
	}
	if err := json.Unmarshal(data, &meta); err != nil {
		return meta, fmt.Errorf("read model: parse %s: %w", path, err)
	}
	switch {
	case meta.Version == "":
		return meta, fmt.Errorf("read model: %s has no version", path)
	case len(meta.Labels) < 2:
		return meta, fmt.Errorf("read model: %s lists %d labels", path, len(meta.Labels))
	case meta.Input.Name == "" || meta.Outputs.Probabilities == "" || meta.Outputs.Score == "" ||
		meta.Outputs.Embedding == "" || meta.Outputs.ActivationMap == "":
		return meta, fmt.Errorf("read model: %s lacks the name of the input or of an output (probabilities, embedding, activation_map, score)", path)
	case meta.EmbeddingDim <= 0 || meta.ActivationMapSize <= 0:
		return meta, fmt.Errorf("read model: %s has embedding size %d and activation map size %d; both must be positive", path, meta.EmbeddingDim, meta.ActivationMapSize)
	case meta.Quantized && (meta.Reference == nil || meta.Reference.File == "" || meta.Reference.Version == ""):
		return meta, fmt.Errorf("read model: %s says the model is quantised but names no reference (float) model", path)
	case meta.Input.Size <= 0:
		return meta, fmt.Errorf("read model: %s has input size %d", path, meta.Input.Size)
	case meta.Input.Layout != "NHWC":
		return meta, fmt.Errorf("read model: %s has layout %q; only NHWC is supported", path, meta.Input.Layout)
	case meta.Input.Range != [2]float64{0, 255}:
		return meta, fmt.Errorf("read model: %s has input range %v; only [0,255] is supported", path, meta.Input.Range)
	case meta.Refusal.Threshold < 0 || meta.Refusal.Threshold > 1:
		return meta, fmt.Errorf("read model: %s has refusal threshold %v outside [0,1]", path, meta.Refusal.Threshold)
	}
	if f := meta.Refusal.Familiarity; f != nil {
		switch {
		case f.File == "" || filepath.Base(f.File) != f.File || f.File == "." || f.File == "..":
			return meta, fmt.Errorf("read model: %s names the familiarity references %q, which is not a file in the model folder", path, f.File)
		case f.Dim != meta.EmbeddingDim || f.K < 1 || f.Count < f.K:
			return meta, fmt.Errorf("read model: %s has familiarity references of %d x %d values with k = %d; they must be embeddings (%d values), at least k of them, k >= 1", path, f.Count, f.Dim, f.K, meta.EmbeddingDim)
		case f.Threshold < -1 || f.Threshold > 1:
			return meta, fmt.Errorf("read model: %s has familiarity threshold %v outside [-1,1]", path, f.Threshold)
		}
	}
	return meta, nil
}
