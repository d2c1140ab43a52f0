package vision

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"sync"

	"github.com/veglens/veglens/shared/veglens"
	ort "github.com/yalue/onnxruntime_go"
)

// ModelOptions tune LoadModel. The zero value is ready to use.
type ModelOptions struct {
	// LibraryPath is the ONNX Runtime shared library (libonnxruntime.so.1;
	// ORT_LIB in the functions' configuration). Required unless the runtime
	// was already initialised in this process.
	LibraryPath string
	// Threads is ONNX Runtime's intra-op thread count for one Classify call;
	// 0 means 1, which gives the best throughput when several calls run at
	// once and keeps a Lambda's single vCPU free of spinning threads.
	Threads int
	// Concurrency is how many Classify calls may run inference at the same
	// time (each has its own preallocated tensors); 0 means GOMAXPROCS.
	// Further calls wait for a free slot.
	Concurrency int
	// Reference loads the float model the quantised one was made from
	// (model.json's reference) instead of the one the service runs: for
	// parity tests and speed comparisons.
	Reference bool
}

// Model is a loaded classifier: the veglens.Classifier the service runs.
// Its methods are safe for concurrent use.
type Model struct {
	meta    veglens.ModelMeta
	version string                 // meta.LabelVersion(), computed once
	key     *veglens.SimilarityKey // nil when the model folder has none
	refs    []float32              // familiarity references, [Count*Dim]; nil without
	session *ort.DynamicAdvancedSession
	slots   chan *slot // free inference slots; cap = ModelOptions.Concurrency
	all     []*slot

	closeOnce sync.Once
	closeErr  error
	mu        sync.RWMutex // held for reading by Classify, for writing by Close
	closed    bool
}

var _ veglens.Classifier = (*Model)(nil)

// slot is what one inference needs, allocated once: the input and output
// tensors.
type slot struct {
	in    *ort.Tensor[float32]
	probs *ort.Tensor[float32] // [1, kinds]
	emb   *ort.Tensor[float32] // [1, EmbeddingDim]
	cam   *ort.Tensor[float32] // [1, ActivationMapSize, ActivationMapSize]
	score *ort.Tensor[float32] // [1]
}

func (s *slot) outputs() []ort.Value { return []ort.Value{s.probs, s.emb, s.cam, s.score} }

func (s *slot) destroy() error {
	var errs []error
	for _, t := range []*ort.Tensor[float32]{s.in, s.probs, s.emb, s.cam, s.score} {
		if t != nil {
			errs = append(errs, t.Destroy())
		}
	}
	return errors.Join(errs...)
}

// LoadModel reads dir/veglens.onnx (or, with ModelOptions.Reference, the
// float model model.json names) and dir/model.json, checks that they belong
// together (model.json's version is the start of the ONNX file's SHA-256)
// and creates the ONNX Runtime session, which every later Classify call
// reuses.
func LoadModel(dir string, opts ModelOptions) (*Model, error) {
	meta, err := veglens.ReadModelMeta(dir)
	if err != nil {
		return nil, err
	}
	file, version := veglens.ModelFile, meta.Version
	if opts.Reference {
		if meta.Reference == nil {
			return nil, fmt.Errorf("load model: %s names no reference model", veglens.MetaFile)
		}
		file, version = meta.Reference.File, meta.Reference.Version
		if filepath.Base(file) != file || file == "." || file == ".." {
			return nil, fmt.Errorf("load model: %s names the reference model %q, which is not a file in the model folder", veglens.MetaFile, file)
		}
		meta.Version, meta.Quantized, meta.Reference = version, false, nil
	}
	var key *veglens.SimilarityKey
	if !opts.Reference { // the key is fitted for the model the service runs
		k, err := veglens.ReadSimilarityKey(dir, meta)
		switch {
		case errors.Is(err, veglens.ErrNoSimilarityKey):
		case err != nil:
			return nil, fmt.Errorf("load model: %w", err)
		default:
			key = &k
		}
	}
	onnxPath := filepath.Join(dir, file)
	onnxData, err := os.ReadFile(onnxPath)
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	sum := sha256.Sum256(onnxData)
	if digest := hex.EncodeToString(sum[:]); len(version) < 8 || digest[:len(version)] != version {
		return nil, fmt.Errorf("load model: %s says version %q but %s has sha256 %s: the two files come from different exports",
			veglens.MetaFile, version, file, digest[:12])
	}
	refs, err := readReferences(dir, meta.Refusal.Familiarity)
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	if err := InitRuntime(opts.LibraryPath); err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}

	threads := opts.Threads
	if threads <= 0 {
		threads = 1
	}
	so, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("load model: session options: %w", err)
	}
	defer so.Destroy()
	if err := so.SetIntraOpNumThreads(threads); err != nil {
		return nil, fmt.Errorf("load model: intra-op threads: %w", err)
	}
	if err := so.SetInterOpNumThreads(1); err != nil {
		return nil, fmt.Errorf("load model: inter-op threads: %w", err)
	}
	// A DynamicAdvancedSession takes its tensors per Run, so one session can
	// serve several goroutines at once (an AdvancedSession cannot).
	session, err := ort.NewDynamicAdvancedSessionWithONNXData(onnxData, []string{meta.Input.Name},
		[]string{meta.Outputs.Probabilities, meta.Outputs.Embedding, meta.Outputs.ActivationMap, meta.Outputs.Score}, so)
	if err != nil {
		return nil, fmt.Errorf("load model: create session for %s: %w", onnxPath, err)
	}
	m := &Model{meta: meta, version: meta.LabelVersion(), key: key, refs: refs, session: session}

	n := opts.Concurrency
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	m.slots = make(chan *slot, n)
	for range n {
		s, err := newSlot(meta)
		if err != nil {
			m.Close()
			return nil, fmt.Errorf("load model: %w", err)
		}
		m.all = append(m.all, s)
		m.slots <- s
	}
	// One run on a blank picture checks that the graph's names and shapes
	// match model.json, and warms the session up.
	if _, err := m.Classify(context.Background(), image.NewGray(image.Rect(0, 0, meta.Input.Size, meta.Input.Size)), 1); err != nil {
		m.Close()
		return nil, fmt.Errorf("load model: test run of %s: %w", onnxPath, err)
	}
	return m, nil
}

func newSlot(meta veglens.ModelMeta) (*slot, error) {
	size, side := int64(meta.Input.Size), int64(meta.ActivationMapSize)
	s := &slot{}
	var err error
	for _, t := range []struct {
		dst   **ort.Tensor[float32]
		shape ort.Shape
	}{
		{&s.in, ort.NewShape(1, size, size, 3)},
		{&s.probs, ort.NewShape(1, int64(len(meta.Labels)))},
		{&s.emb, ort.NewShape(1, int64(meta.EmbeddingDim))},
		{&s.cam, ort.NewShape(1, side, side)},
		{&s.score, ort.NewShape(1)},
	} {
		if *t.dst, err = ort.NewEmptyTensor[float32](t.shape); err != nil {
			return nil, errors.Join(fmt.Errorf("tensor %v: %w", t.shape, err), s.destroy())
		}
	}
	return s, nil
}

// Version is the label version (veglens.ModelMeta.LabelVersion): model.json's
// version (a prefix of the ONNX file's SHA-256) and a fingerprint of the
// refusal rule.
func (m *Model) Version() string { return m.version }

// Labels returns the kinds the model knows, in output order.
func (m *Model) Labels() []string { return append([]string(nil), m.meta.Labels...) }

// Threshold is the refusal threshold: a prediction whose Score is below it is
// Refused.
func (m *Model) Threshold() float64 { return m.meta.Refusal.Threshold }

// Meta returns a copy of model.json's content.
func (m *Model) Meta() veglens.ModelMeta {
	meta := m.meta
	meta.Labels = m.Labels()
	return meta
}

// ErrClosed is returned by Classify after Close. It wraps
// veglens.ErrUnavailable: the picture should be tried again (by another
// container), not rejected.
var ErrClosed = fmt.Errorf("vision: model is closed: %w", veglens.ErrUnavailable)

// Classify resizes img to the model's input, runs the model and returns the
// k most probable kinds (k is clamped to 1..number of labels), the refusal
// score and decision, the embedding and the activation map. It is safe
// for concurrent use; when all inference slots are busy it waits for one, or
// for ctx to end.
func (m *Model) Classify(ctx context.Context, img image.Image, k int) (veglens.Prediction, error) {
	if img == nil || img.Bounds().Empty() {
		return veglens.Prediction{}, errors.New("classify: empty image")
	}
	if err := ctx.Err(); err != nil {
		return veglens.Prediction{}, fmt.Errorf("classify: %w", err)
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return veglens.Prediction{}, ErrClosed
	}
	var s *slot
	select {
	case s = <-m.slots:
	case <-ctx.Done():
		return veglens.Prediction{}, fmt.Errorf("classify: %w", ctx.Err())
	}
	defer func() { m.slots <- s }()

	fillTensor(s.in.GetData(), img, m.meta.Input.Size)
	if err := m.session.Run([]ort.Value{s.in}, s.outputs()); err != nil {
		return veglens.Prediction{}, fmt.Errorf("classify: run model %s: %w", m.meta.Version, err)
	}
	p := m.predict(s.probs.GetData(), float64(s.score.GetData()[0]), k)
	p.Embedding = append([]float32(nil), s.emb.GetData()...)
	p.Familiarity = 1
	if f := m.meta.Refusal.Familiarity; f != nil {
		p.Familiarity = familiarity(p.Embedding, m.refs, f.Dim, f.K)
		p.Refused = p.Refused || p.Familiarity < f.Threshold
	}
	if m.key != nil {
		p.SimilarityKey = m.key.Key(p.Embedding)
	}
	p.ActivationMap = veglens.ActivationMap{Size: m.meta.ActivationMapSize, Values: append([]float32(nil), s.cam.GetData()...)}
	if !p.Refused && len(p.Top) > 0 {
		p.ActivationMap.Kind = p.Top[0].Kind
	}
	return p, nil
}

// predict turns the kinds' probabilities and the refusal score into a
// veglens.Prediction.
func (m *Model) predict(probs []float32, score float64, k int) veglens.Prediction {
	k = min(max(k, 1), len(probs))
	order := make([]int, len(probs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return probs[order[a]] > probs[order[b]] })
	p := veglens.Prediction{Top: make([]veglens.Guess, k)}
	for i := range k {
		p.Top[i] = veglens.Guess{Kind: m.meta.Labels[order[i]], Probability: float64(probs[order[i]])}
	}
	p.Score = score
	p.Refused = score < m.meta.Refusal.Threshold
	return p
}

// Close releases the ONNX Runtime session and tensors after waiting for
// running Classify calls. The runtime environment itself stays up for other
// models in the process.
func (m *Model) Close() error {
	m.closeOnce.Do(func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.closed = true
		var errs []error
		for _, s := range m.all {
			errs = append(errs, s.destroy())
		}
		if m.session != nil {
			errs = append(errs, m.session.Destroy())
		}
		m.closeErr = errors.Join(errs...)
	})
	return m.closeErr
}

// readReferences reads the familiarity references f names (little-endian
// float32, [Count, Dim]); nil when f is nil.
func readReferences(dir string, f *veglens.Familiarity) ([]float32, error) {
	if f == nil {
		return nil, nil
	}
	raw, err := os.ReadFile(filepath.Join(dir, f.File))
	if err != nil {
		return nil, fmt.Errorf("familiarity references: %w", err)
	}
	if want := 4 * f.Count * f.Dim; len(raw) != want {
		return nil, fmt.Errorf("familiarity references: %s has %d bytes; model.json says %d x %d float32 values (%d bytes)", f.File, len(raw), f.Count, f.Dim, want)
	}
	refs := make([]float32, f.Count*f.Dim)
	for i := range refs {
		refs[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return refs, nil
}

// familiarity is the k-th largest dot product of emb with the reference
// rows (cosine similarities: both are unit length), summed in float64 as
// the training code computes it.
func familiarity(emb []float32, refs []float32, dim, k int) float64 {
	n := len(refs) / dim
	sims := make([]float64, n)
	for i := range n {
		row := refs[i*dim : (i+1)*dim]
		var s float64
		for j, v := range row {
			s += float64(v) * float64(emb[j])
		}
		sims[i] = s
	}
	slices.Sort(sims)
	return sims[n-min(k, n)]
}
