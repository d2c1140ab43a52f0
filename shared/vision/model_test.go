package vision

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	xdraw "golang.org/x/image/draw"

	"github.com/veglens/veglens/infra/services/servicestest"
	"github.com/veglens/veglens/shared/picture"
	"github.com/veglens/veglens/shared/sourcetree/sourcetreetest"
	"github.com/veglens/veglens/shared/veglens"
)

var shared struct {
	once  sync.Once
	model *Model
	err   error
}

var fp32 struct {
	once  sync.Once
	model *Model
	err   error
}

// referenceModel returns the committed float model (model.json's
// reference), loaded once, with one thread.
func referenceModel(t testing.TB) *Model {
	t.Helper()
	lib := servicestest.ORTLib(t)
	fp32.once.Do(func() {
		fp32.model, fp32.err = LoadModel(sourcetreetest.Path(t, "models"), ModelOptions{LibraryPath: lib, Threads: 1, Reference: true})
	})
	if fp32.err != nil {
		t.Fatalf("LoadModel (reference): %v", fp32.err)
	}
	return fp32.model
}

// testModel returns the committed model (models/), loaded once for all
// tests. Without the ONNX Runtime library (ORT_LIB) the test is skipped, or
// fails where services are required (make test-go); see servicestest.Need.
func testModel(t testing.TB) *Model {
	t.Helper()
	lib := servicestest.ORTLib(t)
	shared.once.Do(func() {
		shared.model, shared.err = LoadModel(filepath.Join(sourcetreetest.Path(t), "models"), ModelOptions{LibraryPath: lib, Threads: 1})
	})
	if shared.err != nil {
		t.Fatalf("LoadModel: %v", shared.err)
	}
	return shared.model
}

func decodeFile(t testing.TB, path string) *picture.Picture {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pic, err := picture.Decode(f, picture.DefaultLimits)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return pic
}

type parityFixture struct {
	ModelVersion string `json:"model_version"`
	Images       []struct {
		File          string    `json:"file"`
		Label         string    `json:"label"`
		Probabilities []float64 `json:"probabilities"`
		Score         float64   `json:"score"`
		EmbeddingHead []float64 `json:"embedding_head"` // the first values of the embedding
		Familiarity   *float64  `json:"familiarity"`    // against the model's references, when it has them
	} `json:"images"`
}

// parityTolerance is how far Go may be from Python on the same pixels: the
// float model agrees to rounding; the int8 model's requantisation steps can
// land on the other side of a rounding boundary when the two runtimes order
// their sums differently, which moves a probability by a little more.
func parityTolerance(quantized bool) float64 {
	if quantized {
		return 2e-3
	}
	return 1e-4
}

// TestParity feeds the fixture's 224x224 PNGs (validation photos saved
// losslessly by the Python code) through picture.Decode and Classify of the
// shipped (int8) model and compares with what Python's ONNX Runtime computed
// for the same pixels: the probabilities, the refusal score and the
// embedding.
func TestParity(t *testing.T) {
	m := testModel(t)
	raw, err := os.ReadFile(filepath.Join("testdata", "parity", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fx parityFixture
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatalf("expected.json: %v", err)
	}
	if fx.ModelVersion != m.Meta().Version {
		t.Skipf("parity fixture is for model %s but models/ holds %s: regenerate the fixture with the model (models/)",
			fx.ModelVersion, m.Meta().Version)
	}
	if len(fx.Images) < 50 {
		t.Fatalf("fixture has %d images, want at least 50", len(fx.Images))
	}
	labels := m.Labels()
	tol := parityTolerance(m.Meta().Quantized)
	worst := 0.0
	for _, im := range fx.Images {
		pic := decodeFile(t, filepath.Join("testdata", "parity", im.File))
		if pic.Width != 224 || pic.Height != 224 {
			t.Fatalf("%s is %dx%d; the parity fixture must not involve resizing", im.File, pic.Width, pic.Height)
		}
		p, err := m.Classify(context.Background(), pic.Image, len(labels))
		if err != nil {
			t.Fatalf("%s: %v", im.File, err)
		}
		got := make(map[string]float64, len(p.Top))
		for _, g := range p.Top {
			got[g.Kind] = g.Probability
		}
		want, best := 0.0, ""
		for i, label := range labels {
			d := math.Abs(got[label] - im.Probabilities[i])
			worst = max(worst, d)
			if d > tol {
				t.Errorf("%s: P(%s) = %.6f, Python says %.6f", im.File, label, got[label], im.Probabilities[i])
			}
			if im.Probabilities[i] > want {
				want, best = im.Probabilities[i], label
			}
		}
		if p.Top[0].Kind != best {
			t.Errorf("%s: top-1 %s, Python says %s", im.File, p.Top[0].Kind, best)
		}
		if d := math.Abs(p.Score - im.Score); d > tol {
			t.Errorf("%s: score %.6f, Python says %.6f", im.File, p.Score, im.Score)
		}
		if im.Familiarity != nil {
			if d := math.Abs(p.Familiarity - *im.Familiarity); d > tol {
				t.Errorf("%s: familiarity %.6f, Python says %.6f", im.File, p.Familiarity, *im.Familiarity)
			}
		}
		for i, want := range im.EmbeddingHead {
			if d := math.Abs(float64(p.Embedding[i]) - want); d > tol {
				t.Errorf("%s: embedding[%d] = %.6f, Python says %.6f", im.File, i, p.Embedding[i], want)
			}
		}
	}
	t.Logf("%d images (%s model), max abs difference %.2e (allowed %.0e)", len(fx.Images),
		map[bool]string{true: "int8", false: "float"}[m.Meta().Quantized], worst, tol)
}

func TestLoadModel(t *testing.T) {
	m := testModel(t)
	var meta veglens.ModelMeta
	raw, err := os.ReadFile(filepath.Join(sourcetreetest.Path(t), "models", veglens.MetaFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		t.Fatal(err)
	}
	if m.Version() != meta.LabelVersion() || len(meta.Version) != 12 || !strings.HasPrefix(m.Version(), meta.Version+".") {
		t.Errorf("Version() = %q, model.json says %q (want its 12 hex chars and the rule's fingerprint)", m.Version(), meta.Version)
	}
	want := []string{"Bean", "Bitter_Gourd", "Bottle_Gourd", "Brinjal", "Broccoli", "Cabbage", "Capsicum",
		"Carrot", "Cauliflower", "Cucumber", "Papaya", "Potato", "Pumpkin", "Radish", "Tomato"}
	if got := strings.Join(m.Labels(), ","); got != strings.Join(want, ",") {
		t.Errorf("Labels() = %v, want %v", got, want)
	}
	if th := m.Threshold(); th != meta.Refusal.Threshold || th <= 0 || th >= 1 {
		t.Errorf("Threshold() = %v, model.json says %v", th, meta.Refusal.Threshold)
	}
}

func TestLoadModelRefusesBadFolders(t *testing.T) {
	testModel(t) // the runtime must be up so that only the folder is at fault
	root := sourcetreetest.Path(t)
	onnx, err := os.ReadFile(filepath.Join(root, "models", veglens.ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	meta, err := os.ReadFile(filepath.Join(root, "models", veglens.MetaFile))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(meta, &doc); err != nil {
		t.Fatal(err)
	}
	doc["version"] = "000000000000"
	wrongVersion, _ := json.Marshal(doc)

	tests := []struct {
		name  string
		files map[string][]byte
		want  string
	}{
		{"empty folder", nil, veglens.MetaFile},
		{"no onnx file", map[string][]byte{veglens.MetaFile: meta}, veglens.ModelFile},
		{"model.json from another export", map[string][]byte{veglens.MetaFile: wrongVersion, veglens.ModelFile: onnx}, "different exports"},
		{"model.json is not json", map[string][]byte{veglens.MetaFile: []byte("labels: [Bean]"), veglens.ModelFile: onnx}, "parse"},
		{"no familiarity references", map[string][]byte{veglens.MetaFile: meta, veglens.ModelFile: onnx}, "references.f32"},
		{"familiarity references cut short", map[string][]byte{veglens.MetaFile: meta, veglens.ModelFile: onnx, "references.f32": make([]byte, 1000)}, "model.json says"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			m, err := LoadModel(dir, ModelOptions{})
			if err == nil {
				m.Close()
				t.Fatal("LoadModel accepted the folder")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

// TestClassifyGallery checks what a user sees: the committed sample photos
// (10 per kind) are recognised, with consistent scores.
func TestClassifyGallery(t *testing.T) {
	m := testModel(t)
	files, err := filepath.Glob(filepath.Join(sourcetreetest.Path(t), "infra", "gallery", "*", "*.jpg"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no gallery photos found: %v", err)
	}
	correct := 0
	for _, f := range files {
		kind := filepath.Base(filepath.Dir(f))
		p, err := m.Classify(context.Background(), decodeFile(t, f).Image, 3)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(p.Top) != 3 {
			t.Fatalf("%s: %d guesses, want 3", f, len(p.Top))
		}
		if !sort.SliceIsSorted(p.Top, func(i, j int) bool { return p.Top[i].Probability > p.Top[j].Probability }) {
			t.Errorf("%s: guesses not sorted: %v", f, p.Top)
		}
		// The score is at most the top probability (it may also weigh how far
		// the picture is from every kind).
		unfamiliar := false
		if fam := m.Meta().Refusal.Familiarity; fam != nil {
			unfamiliar = p.Familiarity < fam.Threshold
		}
		if p.Score < 0 || p.Score > p.Top[0].Probability+1e-6 || p.Refused != (p.Score < m.Threshold() || unfamiliar) {
			t.Errorf("%s: score %v / familiarity %v / refused %v inconsistent with %v and threshold %v", f, p.Score, p.Familiarity, p.Refused, p.Top, m.Threshold())
		}
		// The map names the kind it locates only when the model names it:
		// colour's memory prior must not follow a refused guess.
		if want := map[bool]string{false: p.Top[0].Kind, true: ""}[p.Refused]; p.ActivationMap.Kind != want {
			t.Errorf("%s: activation map kind %q, want %q (refused %v)", f, p.ActivationMap.Kind, want, p.Refused)
		}
		checkOutputs(t, f, m.Meta(), p)
		if p.Top[0].Kind == kind {
			correct++
		} else {
			t.Logf("%s: %s predicted as %v", f, kind, p.Top)
		}
	}
	if acc := float64(correct) / float64(len(files)); acc < 0.95 {
		t.Errorf("gallery accuracy %.3f (%d/%d), want at least 0.95", acc, correct, len(files))
	}
}

func TestClassifyTopK(t *testing.T) {
	m := testModel(t)
	img := decodeFile(t, filepath.Join(sourcetreetest.Path(t), "infra", "gallery", "Carrot", firstFile(t, "Carrot"))).Image
	for _, tt := range []struct{ k, want int }{{-1, 1}, {0, 1}, {1, 1}, {5, 5}, {15, 15}, {99, 15}} {
		p, err := m.Classify(context.Background(), img, tt.k)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Top) != tt.want {
			t.Errorf("k=%d: %d guesses, want %d", tt.k, len(p.Top), tt.want)
		}
		if tt.want == 15 {
			sum := 0.0
			seen := map[string]bool{}
			for _, g := range p.Top {
				sum += g.Probability
				seen[g.Kind] = true
			}
			// The kinds share what "none of them" leaves.
			if sum <= 0 || sum > 1+1e-4 || len(seen) != 15 {
				t.Errorf("k=%d: probabilities sum to %v over %d kinds", tt.k, sum, len(seen))
			}
		}
	}
}

// checkOutputs checks the shapes and ranges model.json promises: a unit
// embedding of EmbeddingDim values and a Size x Size activation map in
// 0..1 whose largest cell is 1.
func checkOutputs(t *testing.T, name string, meta veglens.ModelMeta, p veglens.Prediction) {
	t.Helper()
	norm := 0.0
	for _, v := range p.Embedding {
		norm += float64(v) * float64(v)
	}
	if len(p.Embedding) != meta.EmbeddingDim || math.Abs(math.Sqrt(norm)-1) > 1e-3 {
		t.Errorf("%s: embedding of %d values with norm %.4f, want %d values of norm 1", name, len(p.Embedding), math.Sqrt(norm), meta.EmbeddingDim)
	}
	am := p.ActivationMap
	top := float32(0)
	for _, v := range am.Values {
		if v < 0 || v > 1+1e-5 {
			t.Errorf("%s: activation map value %v outside 0..1", name, v)
			break
		}
		top = max(top, v)
	}
	if am.Size != meta.ActivationMapSize || len(am.Values) != am.Size*am.Size || math.Abs(float64(top)-1) > 1e-3 {
		t.Errorf("%s: activation map %dx%d with %d values, peak %v", name, am.Size, am.Size, len(am.Values), top)
	}
}

// TestReferenceModelAgrees: the float model the shipped int8 one was made
// from loads from the same folder and names the gallery photos the same way
// (quantisation may move probabilities, not the answers).
func TestReferenceModelAgrees(t *testing.T) {
	m, ref := testModel(t), referenceModel(t)
	if !m.Meta().Quantized || ref.Meta().Quantized || ref.Version() == m.Version() {
		t.Fatalf("quantized %v/%v, versions %s/%s", m.Meta().Quantized, ref.Meta().Quantized, m.Version(), ref.Version())
	}
	files, _ := filepath.Glob(sourcetreetest.Path(t, "infra", "gallery", "*", "*.jpg"))
	differ := 0
	for _, f := range files {
		img := decodeFile(t, f).Image
		a, err := m.Classify(context.Background(), img, 1)
		if err != nil {
			t.Fatal(err)
		}
		b, err := ref.Classify(context.Background(), img, 1)
		if err != nil {
			t.Fatal(err)
		}
		if a.Top[0].Kind != b.Top[0].Kind {
			differ++
			t.Logf("%s: int8 %v, float %v", f, a.Top[0], b.Top[0])
		}
	}
	if differ > len(files)/100 {
		t.Errorf("int8 and float disagree on %d of %d gallery photos", differ, len(files))
	}
}

// TestActivationMapFindsTheVegetable: a tomato photo shrunk into the
// top-left quarter of a white picture; the activation map's strongest cell
// is in that quarter.
func TestActivationMapFindsTheVegetable(t *testing.T) {
	m := testModel(t)
	tomato := decodeFile(t, sourcetreetest.Path(t, "infra", "gallery", "Tomato", firstFile(t, "Tomato"))).Image
	canvas := image.NewRGBA(image.Rect(0, 0, 224, 224))
	picture.FillWhite(canvas)
	xdraw.BiLinear.Scale(canvas, image.Rect(0, 0, 112, 112), tomato, tomato.Bounds(), xdraw.Src, nil)
	p, err := m.Classify(context.Background(), canvas, 1)
	if err != nil {
		t.Fatal(err)
	}
	am := p.ActivationMap
	best := 0
	for i, v := range am.Values {
		if v > am.Values[best] {
			best = i
		}
	}
	if x, y := best%am.Size, best/am.Size; x >= (am.Size+1)/2 || y >= (am.Size+1)/2 {
		t.Errorf("strongest cell (%d,%d) of %dx%d is outside the top-left quarter where the tomato is (predicted %v)", x, y, am.Size, am.Size, p.Top)
	}
}

func firstFile(t *testing.T, kind string) string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(sourcetreetest.Path(t), "infra", "gallery", kind))
	if err != nil || len(entries) == 0 {
		t.Fatalf("gallery %s: %v", kind, err)
	}
	return entries[0].Name()
}

// The same picture must get the same answer whether it arrives as a JPEG's
// YCbCr, as RGBA, as NRGBA or bigger (resized), i.e. the fast paths agree
// with the generic conversion.
func TestClassifyImageTypesAgree(t *testing.T) {
	m := testModel(t)
	// Go's image/jpeg gives the photo as *image.YCbCr (picture.Decode, through
	// libjpeg-turbo, gives RGBA; Classify takes any image).
	raw, err := os.ReadFile(filepath.Join(sourcetreetest.Path(t), "infra", "gallery", "Tomato", firstFile(t, "Tomato")))
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := jpeg.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	ycc, ok := decoded.(*image.YCbCr)
	if !ok {
		t.Fatalf("gallery JPEG decoded as %T, want *image.YCbCr", decoded)
	}
	// The same pixels as RGBA and NRGBA: the YCbCr path's own conversion
	// (libjpeg's upsampling), written back as 8-bit values.
	b := ycc.Bounds()
	tensor := make([]float32, b.Dx()*b.Dy()*3)
	fillTensor(tensor, ycc, b.Dx())
	rgba := image.NewRGBA(b)
	nrgba := image.NewNRGBA(b)
	for i := range b.Dx() * b.Dy() {
		for c := range 3 {
			rgba.Pix[4*i+c] = uint8(tensor[3*i+c])
			nrgba.Pix[4*i+c] = uint8(tensor[3*i+c])
		}
		rgba.Pix[4*i+3], nrgba.Pix[4*i+3] = 255, 255
	}
	// A generic image type (no fast path) with the same pixels.
	generic := struct{ image.Image }{rgba}

	base, err := m.Classify(context.Background(), ycc, 15)
	if err != nil {
		t.Fatal(err)
	}
	for name, img := range map[string]image.Image{"RGBA": rgba, "NRGBA": nrgba, "generic": generic, "upscaled": picture.Thumbnail(upscale(rgba, 2), 448)} {
		p, err := m.Classify(context.Background(), img, 15)
		if err != nil {
			t.Fatal(err)
		}
		tol := 1e-6
		if name == "upscaled" {
			tol = 0.05 // resizing changes pixels a little
		}
		if p.Top[0].Kind != base.Top[0].Kind || math.Abs(p.Score-base.Score) > tol {
			t.Errorf("%s: %v (score %.6f), YCbCr gave %v (score %.6f)", name, p.Top[0].Kind, p.Score, base.Top[0].Kind, base.Score)
		}
	}
}

// upscale repeats every pixel f x f times.
func upscale(src *image.RGBA, f int) *image.RGBA {
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx()*f, b.Dy()*f))
	for y := range dst.Rect.Dy() {
		for x := range dst.Rect.Dx() {
			dst.SetRGBA(x, y, src.RGBAAt(b.Min.X+x/f, b.Min.Y+y/f))
		}
	}
	return dst
}

// Many goroutines classifying at once get exactly the answers one goroutine
// gets.
func TestClassifyConcurrent(t *testing.T) {
	m := testModel(t)
	files, _ := filepath.Glob(filepath.Join(sourcetreetest.Path(t), "infra", "gallery", "*", "*.jpg"))
	if len(files) > 30 {
		files = files[:30]
	}
	imgs := make([]image.Image, len(files))
	want := make([]veglens.Prediction, len(files))
	for i, f := range files {
		imgs[i] = decodeFile(t, f).Image
		p, err := m.Classify(context.Background(), imgs[i], 15)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = p
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8*len(imgs))
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range imgs {
				i := (j + g*7) % len(imgs)
				p, err := m.Classify(context.Background(), imgs[i], 15)
				if err != nil {
					errs <- err
					return
				}
				for r := range p.Top {
					if p.Top[r] != want[i].Top[r] {
						errs <- errors.New(files[i] + ": concurrent result differs")
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestClassifyRefusesBadCalls(t *testing.T) {
	lib := servicestest.ORTLib(t)
	m, err := LoadModel(filepath.Join(sourcetreetest.Path(t), "models"), ModelOptions{LibraryPath: lib, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewGray(image.Rect(0, 0, 64, 64))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Classify(ctx, img, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: got %v", err)
	}
	if _, err := m.Classify(context.Background(), image.NewGray(image.Rect(0, 0, 0, 0)), 1); err == nil {
		t.Error("empty image accepted")
	}
	if err := m.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := m.Classify(context.Background(), img, 1); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: got %v, want ErrClosed", err)
	}
}

func readGalleryJPEG(b testing.TB) []byte {
	b.Helper()
	files, _ := filepath.Glob(filepath.Join(sourcetreetest.Path(b), "infra", "gallery", "Carrot", "*.jpg"))
	if len(files) == 0 {
		b.Fatal("no gallery photos")
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		b.Fatal(err)
	}
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); err != nil || cfg.Width != 224 || cfg.Height != 224 {
		b.Fatalf("%s is not a 224x224 JPEG: %v", files[0], err)
	}
	return data
}
