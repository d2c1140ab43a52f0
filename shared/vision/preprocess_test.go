package vision

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veglens/veglens/shared/sourcetree/sourcetreetest"
)

// reference is the slow, obviously right tensor: every pixel through At(),
// composited over white.
func reference(img image.Image) []float32 {
	b := img.Bounds()
	out := make([]float32, 0, b.Dx()*b.Dy()*3)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			a := float64(c.A) / 255
			for _, v := range []uint8{c.R, c.G, c.B} {
				out = append(out, float32(float64(v)*a+255*(1-a)))
			}
		}
	}
	return out
}

func maxDiff(a, b []float32) float64 {
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

// The fast paths for each pixel type give the same values as the generic
// conversion, transparency included.
func TestFillTensorTypes(t *testing.T) {
	const n = 40
	nrgba := image.NewNRGBA(image.Rect(0, 0, n, n))
	gray := image.NewGray(image.Rect(0, 0, n, n))
	pal := image.NewPaletted(image.Rect(0, 0, n, n), color.Palette{color.NRGBA{0, 0, 0, 0}, color.NRGBA{200, 30, 90, 255}, color.NRGBA{10, 250, 40, 128}})
	cmyk := image.NewCMYK(image.Rect(0, 0, n, n))
	for y := range n {
		for x := range n {
			nrgba.SetNRGBA(x, y, color.NRGBA{uint8(x * 6), uint8(y * 6), uint8(x + y), uint8(x * y % 256)})
			gray.SetGray(x, y, color.Gray{uint8(x*y + 3)})
			pal.SetColorIndex(x, y, uint8((x+y)%3))
			cmyk.SetCMYK(x, y, color.CMYK{uint8(x * 5), uint8(y * 5), 40, 10})
		}
	}
	rgba := image.NewRGBA(nrgba.Rect) // premultiplied copy of nrgba
	for y := range n {
		for x := range n {
			rgba.Set(x, y, nrgba.At(x, y))
		}
	}
	// A 4:4:4 YCbCr picture: its conversion follows libjpeg, which may
	// differ from image/color by a level.
	ycc := image.NewYCbCr(image.Rect(0, 0, n, n), image.YCbCrSubsampleRatio444)
	for i := range ycc.Y {
		ycc.Y[i], ycc.Cb[i], ycc.Cr[i] = uint8(i*7), uint8(i*3), uint8(255-i)
	}
	sub := quadrants(2*n, 2*n).SubImage(image.Rect(n/2, n/2, n/2+n, n/2+n))

	tests := []struct {
		name string
		img  image.Image
		tol  float64
	}{
		{"NRGBA with alpha", nrgba, 0.01},
		{"RGBA premultiplied", rgba, 1},
		{"Gray", gray, 0},
		{"Paletted with transparency", pal, 1}, // via 8-bit premultiplied RGBA
		{"CMYK", cmyk, 0},
		{"YCbCr 4:4:4", ycc, 1},
		{"sub-image", sub, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := make([]float32, n*n*3)
			fillTensor(got, tt.img, n)
			if d := maxDiff(got, reference(tt.img)); d > tt.tol {
				t.Errorf("max difference %.3f from the generic conversion, want <= %v", d, tt.tol)
			}
		})
	}
}

// Resizing keeps a flat colour flat, and transparent areas come out white.
func TestFillTensorResizes(t *testing.T) {
	flat := image.NewNRGBA(image.Rect(0, 0, 640, 480))
	clear := image.NewNRGBA(image.Rect(0, 0, 300, 1000)) // fully transparent
	for i := 0; i < len(flat.Pix); i += 4 {
		flat.Pix[i], flat.Pix[i+1], flat.Pix[i+2], flat.Pix[i+3] = 200, 100, 50, 255
	}
	for _, tt := range []struct {
		name string
		img  image.Image
		want [3]float32
	}{
		{"flat colour", flat, [3]float32{200, 100, 50}},
		{"transparent", clear, [3]float32{255, 255, 255}},
		{"one pixel", flat.SubImage(image.Rect(5, 5, 6, 6)), [3]float32{200, 100, 50}},
		{"thin strip", flat.SubImage(image.Rect(0, 7, 640, 10)), [3]float32{200, 100, 50}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := make([]float32, 224*224*3)
			fillTensor(got, tt.img, 224)
			for i, v := range got {
				if math.Abs(float64(v-tt.want[i%3])) > 1 {
					t.Fatalf("value %d is %v, want %v", i, v, tt.want[i%3])
				}
			}
		})
	}
}

// The model was trained on pixels PIL (libjpeg-turbo) decoded;
// picture.Decode, through libjpeg-turbo too, plus fillTensor must give the
// very same pixels. testdata/pil/<Kind>_<file>.png holds PIL's decoding of the gallery
// photo infra/gallery/<Kind>/<file>.jpg
// (Image.open(jpg).convert("RGB").save(png)).
func TestJPEGPixelsMatchPIL(t *testing.T) {
	pngs, _ := filepath.Glob(filepath.Join("testdata", "pil", "*.png"))
	if len(pngs) == 0 {
		t.Fatal("no PIL reference pictures")
	}
	for _, p := range pngs {
		name := strings.TrimSuffix(filepath.Base(p), ".png")
		kind, file, _ := strings.Cut(name, "_")
		t.Run(name, func(t *testing.T) {
			pic := decodeFile(t, filepath.Join(sourcetreetest.Path(t), "infra", "gallery", kind, file+".jpg"))
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			want, err := png.Decode(f)
			if err != nil {
				t.Fatal(err)
			}
			size := pic.Width
			got := make([]float32, size*size*3)
			fillTensor(got, pic.Image, size)
			ref := reference(want)
			sum, worst := 0.0, 0.0
			for i := range got {
				d := math.Abs(float64(got[i] - ref[i]))
				sum += d
				worst = max(worst, d)
			}
			mean := sum / float64(len(got))
			t.Logf("mean abs difference %.4f, max %.0f", mean, worst)
			if worst > 0 {
				t.Errorf("pixels differ from PIL's: mean %.3f, max %.0f (want identical)", mean, worst)
			}
		})
	}
}

// Resizing matches the training code's, PIL's Image.resize((224, 224),
// BILINEAR): testdata/resize/pil_bilinear_224.png is PIL's result for
// source_300x180.png.
func TestResizeMatchesPIL(t *testing.T) {
	src := decodeFile(t, filepath.Join("testdata", "resize", "source_300x180.png"))
	want := decodeFile(t, filepath.Join("testdata", "resize", "pil_bilinear_224.png"))
	got := make([]float32, 224*224*3)
	fillTensor(got, src.Image, 224)
	ref := reference(want.Image)
	sum, worst := 0.0, 0.0
	for i := range got {
		d := math.Abs(float64(got[i] - ref[i]))
		sum += d
		worst = max(worst, d)
	}
	mean := sum / float64(len(got))
	t.Logf("mean abs difference %.4f, max %.0f", mean, worst)
	if mean > 0.05 || worst > 1 {
		t.Errorf("resized pixels differ from PIL's: mean %.3f (want <= 0.05), max %.0f (want <= 1)", mean, worst)
	}
}

// quadrants returns a w x h picture whose four quarters are red, green
// (top) and blue, white (bottom), so that any rotation or mirror is visible.
func quadrants(w, h int) *image.RGBA {
	quarter := [2][2]color.RGBA{{{255, 0, 0, 255}, {0, 255, 0, 255}}, {{0, 0, 255, 255}, {255, 255, 255, 255}}}
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetRGBA(x, y, quarter[min(2*y/h, 1)][min(2*x/w, 1)])
		}
	}
	return m
}
