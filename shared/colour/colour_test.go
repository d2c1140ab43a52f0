package colour

import (
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"path/filepath"
	"slices"
	"testing"

	xdraw "golang.org/x/image/draw"

	"github.com/veglens/veglens/shared/sourcetree/sourcetreetest"
	"github.com/veglens/veglens/shared/veglens"
)

// plainReference is the reference rule written the obvious way: image.At,
// math.Sqrt per pixel, float64 sums, ties to the earlier entry.
func plainReference(img image.Image, p veglens.Palette) veglens.Colour {
	b := img.Bounds()
	sums := make([]float64, len(p.Colours))
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			pr, pg, pb := float64(over(r, a)), float64(over(g, a)), float64(over(bl, a))
			for k, e := range p.Colours {
				er, eg, eb := e.RGB()
				dr, dg, db := pr-float64(er), pg-float64(eg), pb-float64(eb)
				sums[k] += math.Sqrt(dr*dr + dg*dg + db*db)
			}
		}
	}
	best := 0
	for k := range sums {
		if sums[k] < sums[best] {
			best = k
		}
	}
	return p.Colours[best]
}

func galleryFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(sourcetreetest.Path(t), "infra", "gallery", "*", "*.jpg"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no gallery photos found: %v", err)
	}
	return files
}

// needVectorKernel skips where the CPU or build has no vector kernel.
func needVectorKernel(t *testing.T) {
	t.Helper()
	if !useVectorSums {
		t.Skip("this CPU or build has no vector kernel (AVX and FMA on amd64)")
	}
}

// eachSummingPath runs f with exact sums and, where the CPU has the vector
// kernel, with estimates (proven, or redone exactly).
func eachSummingPath(f func(vector bool)) {
	saved := useVectorSums
	defer func() { useVectorSums = saved }()
	for _, vector := range []bool{false, true} {
		if vector && !saved {
			continue
		}
		useVectorSums = vector
		f(vector)
	}
}

func TestReferenceMatchesPlainFloat64OnGallery(t *testing.T) {
	// Both ways of summing: vector estimates (proven, or redone exactly)
	// and the exact table throughout.
	files := galleryFiles(t)
	if testing.Short() { // every tenth photo: the plain computation is slow
		var some []string
		for i := 0; i < len(files); i += 10 {
			some = append(some, files[i])
		}
		files = some
	}
	redone := 0
	for _, f := range files {
		img := loadImage(t, f)
		want := [2]veglens.Colour{plainReference(img, veglens.RGBWheel), plainReference(img, veglens.RYBWheel)}
		eachSummingPath(func(vector bool) {
			a := Analyze(img, veglens.ActivationMap{})
			if got := [2]veglens.Colour{a.Reference.RGB, a.Reference.RYB}; got != want {
				t.Errorf("%s (vector kernel %v): reference RGB, RYB = %v, plain float64 computation says %v", f, vector, got, want)
			}
			if vector {
				s := refSumsOf(img)
				b := img.Bounds()
				if est := s.settle(rowsFrom0(img), b.Dx(), b.Dy()); !est[0] || !est[1] {
					redone++
				}
			}
		})
	}
	t.Logf("reference method agrees with the plain float64 computation on all %d gallery photos (both wheels; %d needed an exact second pass)", len(files), redone)
}

// rowsFrom0 reads img's rows numbered from 0, as Analyze does.
func rowsFrom0(img image.Image) rowFunc {
	read, y0 := rowReader(img), img.Bounds().Min.Y
	return func(y int, dst []byte) { read(y0+y, dst) }
}

// refSumsOf sums every row of img with the current kernel choice.
func refSumsOf(img image.Image) refSums {
	b := img.Bounds()
	read := rowsFrom0(img)
	buf := make([]byte, 3*b.Dx())
	var s refSums
	for y := range b.Dy() {
		read(y, buf)
		s.addRow(buf)
	}
	return s
}

func TestVectorEstimatesWithinTheirBound(t *testing.T) {
	// Every estimated sum lies within estimateBound of the exact one, on
	// real photos and on the extremes: noise (every distance) and the
	// palette colours themselves (zero distances).
	imgs := map[string]image.Image{"noise": noiseImage(223, 167, 1)}
	for k, e := range append(append([]veglens.Colour{}, veglens.RGBWheel.Colours...), veglens.RYBWheel.Colours...) {
		r, g, b := e.RGB()
		imgs[fmt.Sprintf("solid %d %s", k, e.Name)] = solid(image.Rect(0, 0, 37, 5), color.RGBA{r, g, b, 255})
	}
	for _, f := range galleryFiles(t)[:20] {
		imgs[filepath.Base(f)] = loadImage(t, f)
	}
	needVectorKernel(t)
	worst := 0.0
	for name, img := range imgs {
		var exact, est refSums
		eachSummingPath(func(vector bool) {
			if vector {
				est = refSumsOf(img)
			} else {
				exact = refSumsOf(img)
			}
		})
		if !est.estimated || exact.estimated {
			t.Fatalf("%s: estimated flags %v and %v, want true and false", name, est.estimated, exact.estimated)
		}
		bound := estimateBound(est.width, est.rows)
		for k := range est.sum {
			err := math.Abs(est.sum[k] - exact.sum[k])
			if err > bound*exact.sum[k] {
				t.Errorf("%s colour %d: estimate %v, exact %v: error %.3g above the bound %.3g", name, k, est.sum[k], exact.sum[k], err/exact.sum[k], bound)
			}
			if exact.sum[k] > 0 {
				worst = max(worst, err/exact.sum[k])
			}
		}
	}
	t.Logf("largest relative error of an estimate: %.3g (bound for 224 px rows: %.3g)", worst, estimateBound(224, 224))
}

func TestSettleRedoesOnlyUnprovenWheels(t *testing.T) {
	// Mid grey ties six RGB entries: the RGB wheel must be summed again
	// exactly. A red picture's winner is clear on both wheels.
	needVectorKernel(t)
	for _, tc := range []struct {
		name string
		c    color.RGBA
		want [2]bool // still estimated after settle, per wheel
	}{
		{"mid grey", color.RGBA{128, 128, 128, 255}, [2]bool{false, true}},
		{"red", color.RGBA{230, 20, 10, 255}, [2]bool{true, true}},
	} {
		img := solid(image.Rect(3, 5, 19, 21), tc.c)
		s := refSumsOf(img)
		if got := s.settle(rowsFrom0(img), 16, 16); got != tc.want {
			t.Errorf("%s: still estimated after settle = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestReferenceLargeTieFollowsImageOrder(t *testing.T) {
	// Half (234,148,0), half (148,234,0): orange and chartreuse are exactly
	// as far in real numbers, so only the float64 rounding of one running
	// sum in image order decides (the plain loop says orange). Sums made
	// in parallel bands, or estimated, must not decide it their own way.
	img := image.NewRGBA(image.Rect(0, 0, AnalysisSide, AnalysisSide*3/4))
	b := img.Bounds()
	draw.Draw(img, image.Rect(0, 0, b.Dx()/2, b.Dy()), image.NewUniform(color.RGBA{234, 148, 0, 255}), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(b.Dx()/2, 0, b.Dx(), b.Dy()), image.NewUniform(color.RGBA{148, 234, 0, 255}), image.Point{}, draw.Src)
	if b.Dx()*b.Dy() <= parallelPixels {
		t.Fatal("test picture too small to exercise the banded scan")
	}
	want := plainReference(img, veglens.RGBWheel)
	eachSummingPath(func(vector bool) {
		if got := Analyze(img, veglens.ActivationMap{}).Reference.RGB; got != want {
			t.Errorf("vector kernel %v: reference RGB %v, plain float64 loop %v", vector, got, want)
		}
	})
}

func TestReferenceTiesGoToEarlierEntry(t *testing.T) {
	// Mid grey is exactly as far from orange as from chartreuse, azure,
	// violet, rose and spring green on the RGB wheel (each has one 0, one
	// 255 and one 128 channel) -- orange comes first. 128 is closer to the
	// 128 channel than to 0 or 255 alike, so check the distances really tie.
	img := image.NewGray(image.Rect(0, 0, 4, 4))
	for i := range img.Pix {
		img.Pix[i] = 128
	}
	a := Analyze(img, veglens.ActivationMap{})
	d := a.Reference.RGBDistances
	if d[1] != d[3] || d[1] != d[5] || d[1] != d[7] || d[1] != d[9] || d[1] != d[11] {
		t.Fatalf("expected equal distances for the six tertiary entries, got %v", d)
	}
	if a.Reference.RGB.Name != "orange" {
		t.Errorf("tie went to %q, want the earlier entry orange", a.Reference.RGB.Name)
	}
}

func TestReferenceSolidColours(t *testing.T) {
	for _, p := range veglens.Wheels() {
		for _, e := range p.Colours {
			r, g, b := e.RGB()
			img := image.NewRGBA(image.Rect(0, 0, 40, 30))
			draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{r, g, b, 255}), image.Point{}, draw.Src)
			a := Analyze(img, veglens.ActivationMap{})
			got := a.Reference.RGB
			if p.ID == "ryb" {
				got = a.Reference.RYB
			}
			if got != e {
				t.Errorf("solid %s %s: reference says %v", p.ID, e.Name, got)
			}
		}
	}
}

// Every fast pixel path must produce the same bytes as img.At composited
// over white.
func TestPixelFastPathsMatchAt(t *testing.T) {
	// Odd sizes, origins that are and are not multiples of the chroma
	// subsampling, a picture only three rows high.
	for _, rect := range []image.Rectangle{image.Rect(3, 5, 3+37, 5+23), image.Rect(4, 6, 4+37, 6+23), image.Rect(0, 0, 38, 3)} {
		checkFastPaths(t, rect)
	}
}

func checkFastPaths(t *testing.T, rect image.Rectangle) {
	seed := uint32(1)
	rnd := func() uint8 { seed = seed*1664525 + 1013904223; return uint8(seed >> 24) }
	var imgs []image.Image
	for _, ratio := range []image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
		image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410,
	} {
		m := image.NewYCbCr(rect, ratio)
		for i := range m.Y {
			m.Y[i] = rnd()
		}
		for i := range m.Cb {
			m.Cb[i], m.Cr[i] = rnd(), rnd()
		}
		imgs = append(imgs, m)
	}
	rgba := image.NewRGBA(rect)
	for i := 0; i < len(rgba.Pix); i += 4 {
		a := rnd()
		if i%12 == 0 {
			a = 255
		}
		rgba.Pix[i+3] = a
		for c := range 3 { // keep premultiplied values valid
			rgba.Pix[i+c] = uint8(uint32(rnd()) * uint32(a) / 255)
		}
	}
	rgba.Pix[0], rgba.Pix[3] = 200, 100 // and one invalid (R > A) pixel
	nrgba := image.NewNRGBA(rect)
	for i := range nrgba.Pix {
		nrgba.Pix[i] = rnd()
	}
	gray := image.NewGray(rect)
	cmyk := image.NewCMYK(rect)
	gray16 := image.NewGray16(rect)
	for i := range gray.Pix {
		gray.Pix[i] = rnd()
	}
	for i := range cmyk.Pix {
		cmyk.Pix[i] = rnd()
	}
	for i := range gray16.Pix {
		gray16.Pix[i] = rnd()
	}
	pal := image.NewPaletted(rect, color.Palette{color.RGBA{255, 0, 0, 255}, color.NRGBA{0, 0, 255, 128}, color.Transparent})
	for i := range pal.Pix {
		pal.Pix[i] = rnd() % 3
	}
	imgs = append(imgs, rgba, nrgba, gray, cmyk, gray16, pal)
	for _, img := range imgs {
		row := rowReader(img)
		buf := make([]byte, 3*rect.Dx())
		for y := rect.Min.Y; y < rect.Max.Y; y++ {
			row(y, buf)
			for x := rect.Min.X; x < rect.Max.X; x++ {
				r, g, b, a := img.At(x, y).RGBA()
				want := [3]uint8{over(r, a), over(g, a), over(b, a)}
				j := 3 * (x - rect.Min.X)
				if got := [3]uint8{buf[j], buf[j+1], buf[j+2]}; got != want {
					t.Fatalf("%T at (%d,%d): fast path %v, At gives %v", img, x, y, got, want)
				}
			}
		}
	}
}

func TestYCbCrConversionExhaustive(t *testing.T) {
	if testing.Short() {
		t.Skip("16.7M conversions")
	}
	m := image.NewYCbCr(image.Rect(0, 0, 256, 1), image.YCbCrSubsampleRatio444)
	row := ycbcrRows(m)
	buf := make([]byte, 3*256)
	for cb := range 256 {
		for cr := range 256 {
			for y := range 256 {
				m.Y[y], m.Cb[y], m.Cr[y] = uint8(y), uint8(cb), uint8(cr)
			}
			row(0, buf)
			for y := range 256 {
				r, g, b := color.YCbCrToRGB(uint8(y), uint8(cb), uint8(cr))
				if buf[3*y] != r || buf[3*y+1] != g || buf[3*y+2] != b {
					t.Fatalf("YCbCr(%d,%d,%d): got %v, color package gives %d,%d,%d", y, cb, cr, buf[3*y:3*y+3], r, g, b)
				}
			}
		}
	}
}

// A small coloured subject on a large white (or wooden) background: the
// reference rule follows the background, the foreground rule the subject.
func TestForegroundIgnoresBackground(t *testing.T) {
	for _, bg := range []color.RGBA{{250, 250, 248, 255}, {150, 105, 60, 255}} {
		img := image.NewRGBA(image.Rect(0, 0, 300, 200))
		draw.Draw(img, img.Bounds(), image.NewUniform(bg), image.Point{}, draw.Src)
		draw.Draw(img, image.Rect(110, 60, 190, 140), image.NewUniform(color.RGBA{40, 160, 50, 255}), image.Point{}, draw.Src)
		a := Analyze(img, veglens.ActivationMap{})
		if a.Foreground.RGB.Name != "green" || a.Foreground.Neutral {
			t.Errorf("green square on %v: foreground = %v neutral=%v", bg, a.Foreground.RGB, a.Foreground.Neutral)
		}
		if a.Reference.RGB.Name == "green" {
			t.Errorf("green square on %v: expected the reference rule to follow the background, got green", bg)
		}
		if s := a.Foreground.RGBShares.Get("green"); s < 0.9 {
			t.Errorf("green square on %v: green share %.2f, want > 0.9", bg, s)
		}
		if a.Foreground.BackgroundShare < 0.5 {
			t.Errorf("green square on %v: background share %.2f, want most of the picture", bg, a.Foreground.BackgroundShare)
		}
	}
}

// A white subject on a dark green background is neutral and white; a grey
// one with a small blue label is neutral, grey, and has no wheel colour (a
// neutral subject is never found by a hue).
func TestForegroundNeutralSubject(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 200, 200))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{30, 60, 25, 255}), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(40, 40, 160, 160), image.NewUniform(color.RGBA{238, 234, 228, 255}), image.Point{}, draw.Src)
	a := Analyze(img, veglens.ActivationMap{})
	if !a.Foreground.Neutral || a.Foreground.Common.Name != "white" {
		t.Errorf("off-white subject: neutral=%v common %q (share %.2f), want neutral white", a.Foreground.Neutral, a.Foreground.Common.Name, a.Foreground.NeutralShare)
	}
	grey := image.NewRGBA(image.Rect(0, 0, 200, 200))
	draw.Draw(grey, grey.Bounds(), image.NewUniform(color.RGBA{20, 20, 20, 255}), image.Point{}, draw.Src)
	draw.Draw(grey, image.Rect(40, 40, 160, 160), image.NewUniform(color.RGBA{120, 120, 120, 255}), image.Point{}, draw.Src)
	draw.Draw(grey, image.Rect(90, 90, 110, 110), image.NewUniform(color.RGBA{30, 60, 220, 255}), image.Point{}, draw.Src)
	a = Analyze(grey, veglens.ActivationMap{})
	if !a.Foreground.Neutral || a.Foreground.Common.Name != "grey" || a.Foreground.RGB != (veglens.Colour{}) || a.Foreground.RYB != (veglens.Colour{}) {
		t.Errorf("grey subject with a blue label: neutral=%v common %q rgb %v ryb %v, want neutral grey without wheel colours",
			a.Foreground.Neutral, a.Foreground.Common.Name, a.Foreground.RGB, a.Foreground.RYB)
	}
}

// Pictures without a measurable tint are neutral on every wheel: no wheel
// colour at all, a neutral common name, and so never found by a hue.
func TestNoTintIsNeutralOnEveryWheel(t *testing.T) {
	gradient := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range gradient.Pix {
		gradient.Pix[i] = uint8(i)
	}
	// A red tomato on a dark table at 7 % brightness: near-black noise.
	dark := image.NewRGBA(image.Rect(0, 0, 120, 120))
	draw.Draw(dark, dark.Bounds(), image.NewUniform(color.RGBA{6, 5, 4, 255}), image.Point{}, draw.Src)
	draw.Draw(dark, image.Rect(30, 30, 90, 90), image.NewUniform(color.RGBA{16, 2, 2, 255}), image.Point{}, draw.Src)
	for _, tc := range []struct {
		name   string
		img    image.Image
		common []string
	}{
		{"greyscale gradient", gradient, []string{"black", "grey", "white"}},
		{"uniform mid grey", uniformImage(color.RGBA{128, 128, 128, 255}), []string{"grey"}},
		{"uniform white", uniformImage(color.RGBA{255, 255, 255, 255}), []string{"white"}},
		{"overexposed, faint warm tint", uniformImage(color.RGBA{255, 253, 250, 255}), []string{"white"}},
		{"uniform black", uniformImage(color.RGBA{0, 0, 0, 255}), []string{"black"}},
		{"very dark red tomato", dark, []string{"black"}},
	} {
		// A kind's memory colours never give a hue to a picture without one.
		for _, focus := range []veglens.ActivationMap{{}, centreMap(), withKind("Pumpkin"), withKind("Brinjal"), withKind("Tomato")} {
			f := Analyze(tc.img, focus).Foreground
			if !f.Neutral || f.RGB != (veglens.Colour{}) || f.RYB != (veglens.Colour{}) || !slices.Contains(tc.common, f.Common.Name) {
				t.Errorf("%s (focus %q): neutral=%v rgb %v ryb %v common %q; want neutral, no wheel colour, common one of %v",
					tc.name, f.Focus, f.Neutral, f.RGB, f.RYB, f.Common.Name, tc.common)
			}
			if c := Measure(tc.img, focus); c.Searchable(veglens.MethodForeground, veglens.PaletteRGB) != (veglens.Colour{}) ||
				c.Searchable(veglens.MethodForeground, veglens.PaletteRYB) != (veglens.Colour{}) {
				t.Errorf("%s: a neutral picture must not be searchable by a wheel colour", tc.name)
			}
		}
	}
}

// centreMap is a 7x7 activation map peaking in the middle.
func centreMap() veglens.ActivationMap {
	m := veglens.ActivationMap{Size: 7, Values: make([]float32, 49)}
	for y := range 7 {
		for x := range 7 {
			d := math.Hypot(float64(x-3), float64(y-3))
			m.Values[y*7+x] = float32(max(0, 1-d/3))
		}
	}
	return m
}

// The activation map decides what counts: a red tomato beside a larger
// heap of green leaves is red when the map points at the tomato.
func TestActivationMapPicksTheSubject(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 210, 140))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{50, 140, 45, 255}), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(10, 40, 70, 100), image.NewUniform(color.RGBA{200, 30, 25, 255}), image.Point{}, draw.Src)
	if f := Analyze(img, veglens.ActivationMap{}).Foreground; f.RGB.Name != "green" {
		t.Fatalf("without a map the leaves should win (the test's premise): %v", f.RGB)
	}
	m := veglens.ActivationMap{Size: 7, Values: make([]float32, 49)}
	for y := 2; y <= 4; y++ { // the tomato covers columns 0..2 of 7, rows 2..4
		for x := 0; x <= 1; x++ {
			m.Values[y*7+x] = 1
		}
	}
	f := Analyze(img, m).Foreground
	if f.RGB.Name != "red" || f.Common.Name != "red" || f.Focus != FocusActivationMap {
		t.Errorf("map on the tomato: rgb %v common %v focus %q, want red", f.RGB, f.Common, f.Focus)
	}
	// A malformed map is ignored, not trusted.
	for _, bad := range []veglens.ActivationMap{{Size: 7, Values: make([]float32, 10)}, {Size: 7, Values: make([]float32, 49)}} {
		if f := Analyze(img, bad).Foreground; f.Focus != FocusBorder {
			t.Errorf("malformed map %d values: focus %q, want the border fallback", len(bad.Values), f.Focus)
		}
	}
}

// Each common name's swatch, as a whole picture, is called by that name.
func TestCommonSwatchesNameThemselves(t *testing.T) {
	for _, e := range veglens.CommonNames.Colours {
		r, g, b := e.RGB()
		img := image.NewRGBA(image.Rect(0, 0, 64, 48))
		draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{r, g, b, 255}), image.Point{}, draw.Src)
		if got := Analyze(img, veglens.ActivationMap{}).Foreground.Common; got != e {
			t.Errorf("solid %s swatch %s: common name %v", e.Name, e.Hex, got)
		}
	}
}

// Colours people name in everyday words, in OKLCh terms: brown is dark
// orange, beige pale low-chroma orange, pink light red.
func TestCommonNames(t *testing.T) {
	for _, tc := range []struct {
		rgb  color.RGBA
		want string
	}{
		{color.RGBA{139, 69, 19, 255}, "brown"},   // saddle brown
		{color.RGBA{105, 75, 55, 255}, "brown"},   // potato skin
		{color.RGBA{205, 180, 140, 255}, "beige"}, // tan
		{color.RGBA{230, 110, 30, 255}, "orange"}, // carrot
		{color.RGBA{200, 30, 30, 255}, "red"},     // tomato
		{color.RGBA{255, 170, 190, 255}, "pink"},  // pink radish
		{color.RGBA{240, 200, 40, 255}, "yellow"}, // yellow pepper
		{color.RGBA{90, 160, 60, 255}, "green"},   // bean
		{color.RGBA{90, 40, 110, 255}, "purple"},  // aubergine in daylight
		{color.RGBA{40, 80, 200, 255}, "blue"},    // a blue bowl
	} {
		img := image.NewRGBA(image.Rect(0, 0, 64, 48))
		draw.Draw(img, img.Bounds(), image.NewUniform(tc.rgb), image.Point{}, draw.Src)
		if got := Analyze(img, veglens.ActivationMap{}).Foreground.Common.Name; got != tc.want {
			t.Errorf("solid %v: common name %q, want %q", tc.rgb, got, tc.want)
		}
	}
}

// The two wheels never name opposite hues: whatever the picture, their
// answers lie within wheelsApart degrees of OKLab hue of each other.
func TestWheelsNameNeighbouringHues(t *testing.T) {
	seed := uint32(7)
	rnd := func() uint8 { seed = seed*1664525 + 1013904223; return uint8(seed >> 24) }
	for i := range 300 {
		img := image.NewRGBA(image.Rect(0, 0, 48, 48))
		for range 2 + i%3 { // two to four blocks of random colours
			x, y := int(rnd())%40, int(rnd())%40
			draw.Draw(img, image.Rect(x, y, x+8+int(rnd())%30, y+8+int(rnd())%30), image.NewUniform(color.RGBA{rnd(), rnd(), rnd(), 255}), image.Point{}, draw.Src)
		}
		f := Analyze(img, veglens.ActivationMap{}).Foreground
		if (f.RGB.Name == "") != (f.RYB.Name == "") {
			t.Errorf("picture %d: one wheel named %v, the other %v", i, f.RGB, f.RYB)
			continue
		}
		if f.RGB.Name == "" {
			continue
		}
		d := math.Abs(hueDeg(oklab(f.RGB.RGB())) - hueDeg(oklab(f.RYB.RGB())))
		if d > 180 {
			d = 360 - d
		}
		if d > wheelsApart {
			t.Errorf("picture %d: RGB %s and RYB %s are %.0f degrees apart", i, f.RGB.Name, f.RYB.Name, d)
		}
	}
}

func TestForegroundFullFrameSubject(t *testing.T) {
	// The whole frame is the vegetable: the border colour is not dropped.
	img := image.NewRGBA(image.Rect(0, 0, 224, 224))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{230, 110, 40, 255}), image.Point{}, draw.Src)
	if a := Analyze(img, veglens.ActivationMap{}); a.Foreground.RGB.Name != "orange" || a.Foreground.BackgroundShare != 0 {
		t.Errorf("carrot-orange frame: foreground %v, background share %.2f", a.Foreground.RGB, a.Foreground.BackgroundShare)
	}
}

func TestAnalysisJSON(t *testing.T) {
	img := loadImage(t, galleryFiles(t)[0])
	data, err := json.Marshal(Analyze(img, veglens.ActivationMap{}))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Reference struct {
			RGB, RYB veglens.Colour
		}
		Foreground struct {
			RGB, RYB             veglens.Colour
			Neutral              *bool
			RGBShares, RYBShares map[string]float64
		}
	}
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	var raw map[string]map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"rgb", "ryb", "neutral", "rgb_shares", "ryb_shares"} {
		if _, ok := raw["foreground"][k]; !ok {
			t.Errorf("foreground JSON lacks %q: %s", k, data)
		}
	}
	var shares map[string]float64
	if err := json.Unmarshal(raw["foreground"]["rgb_shares"], &shares); err != nil || len(shares) != 12 {
		t.Fatalf("rgb_shares: %v %v", shares, err)
	}
	sum := 0.0
	for _, s := range shares {
		sum += s
	}
	if math.Abs(sum-1) > 0.01 {
		t.Errorf("shares sum to %.4f", sum)
	}
	if _, ok := veglens.RGBWheel.Lookup(v.Reference.RGB.Hex); !ok {
		t.Errorf("reference hex %q is not an RGB entry", v.Reference.RGB.Hex)
	}
}

func TestEmptyImage(t *testing.T) {
	a := Analyze(image.NewRGBA(image.Rect(0, 0, 0, 0)), veglens.ActivationMap{})
	if a.Reference.RGB != (veglens.Colour{}) {
		t.Errorf("empty image: %v", a)
	}
}

func TestUnrolledPalettesMatchWheels(t *testing.T) {
	// The RGB loop is unrolled for the wheel's channel values; check that
	// assumption (the RYB loop reads the wheel itself).
	for _, e := range veglens.RGBWheel.Colours {
		r, g, b := e.RGB()
		for _, c := range []uint8{r, g, b} {
			if c != 0 && c != 0x80 && c != 0xFF {
				t.Errorf("RGB %s has channel %#x, not 0x00/0x80/0xFF", e.Name, c)
			}
		}
	}
}

// A picture above parallelPixels is scanned in concurrent bands; the result
// must still match the plain computation.
func TestReferenceLargePictureMatchesPlain(t *testing.T) {
	src := loadImage(t, galleryFiles(t)[3])
	big := image.NewRGBA(image.Rect(0, 0, AnalysisSide, AnalysisSide*3/4))
	xdraw.CatmullRom.Scale(big, big.Bounds(), src, src.Bounds(), draw.Src, nil)
	if big.Bounds().Dx()*big.Bounds().Dy() <= parallelPixels {
		t.Fatal("test picture too small to exercise the banded scan")
	}
	a := Analyze(big, veglens.ActivationMap{})
	if want := plainReference(big, veglens.RGBWheel); a.Reference.RGB != want {
		t.Errorf("RGB: banded scan says %v, plain computation %v", a.Reference.RGB, want)
	}
	if want := plainReference(big, veglens.RYBWheel); a.Reference.RYB != want {
		t.Errorf("RYB: banded scan says %v, plain computation %v", a.Reference.RYB, want)
	}
	// The working copy of a big picture gives the same foreground answer as
	// the small original it was scaled from.
	if small := Analyze(src, veglens.ActivationMap{}); small.Foreground.RGB != a.Foreground.RGB {
		t.Errorf("foreground: %v for the 224 px original, %v for the %d px upscale", small.Foreground.RGB, a.Foreground.RGB, AnalysisSide)
	}
}

// Degenerate shapes must not panic and still name a solid colour.
func TestTinyAndThinPictures(t *testing.T) {
	for _, r := range []image.Rectangle{
		image.Rect(0, 0, 1, 1), image.Rect(0, 0, 1, 1000), image.Rect(0, 0, 997, 3), image.Rect(-5, -7, 60, 2),
	} {
		img := image.NewRGBA(r)
		draw.Draw(img, r, image.NewUniform(color.RGBA{0, 0, 255, 255}), image.Point{}, draw.Src)
		a := Analyze(img, veglens.ActivationMap{})
		if a.Reference.RGB.Name != "blue" || a.Foreground.RGB.Name != "blue" {
			t.Errorf("%v solid blue: reference %v, foreground %v", r, a.Reference.RGB, a.Foreground.RGB)
		}
	}
}

// A picture whose long side is above AnalysisSide is measured on its box
// average by the smallest whole factor: the reference rule is then the
// plain computation on that copy, and the copy is the plain mean of each
// block (exact for RGB pictures; within rounding and clamping for Y'CbCr,
// which is averaged before it is converted).
func TestLargePictureIsMeasuredOnItsBoxAverage(t *testing.T) {
	rgba, ycc := upscaled(t, loadImage(t, galleryFiles(t)[5]), 2*AnalysisSide+10, 1500)
	for _, tc := range []struct {
		name    string
		img     image.Image
		maxDiff int
	}{{"RGBA", rgba, 0}, {"YCbCr 4:2:0", ycc, 2}} {
		t.Run(tc.name, func(t *testing.T) {
			f := (2*AnalysisSide + 10 + AnalysisSide - 1) / AnalysisSide // 3
			s := shrink(tc.img, f)
			if s.w != (2*AnalysisSide+10+f-1)/f || s.h != (1500+f-1)/f {
				t.Fatalf("copy is %dx%d", s.w, s.h)
			}
			b := tc.img.Bounds()
			row := rowReader(tc.img)
			px := make([]byte, 3*b.Dx())
			worst := 0
			for oy := 0; oy < s.h; oy += 37 { // every 37th row of blocks, all columns
				sums := make([]int, 3*s.w)
				for y := oy * f; y < min((oy+1)*f, b.Dy()); y++ {
					row(y, px)
					for x := range b.Dx() {
						for c := range 3 {
							sums[3*(x/f)+c] += int(px[3*x+c])
						}
					}
				}
				for ox := range s.w {
					n := (min((oy+1)*f, b.Dy()) - oy*f) * (min((ox+1)*f, b.Dx()) - ox*f)
					for c := range 3 {
						want := (sums[3*ox+c] + n/2) / n
						worst = max(worst, abs(int(s.pix[3*(oy*s.w+ox)+c])-want))
					}
				}
			}
			if worst > tc.maxDiff {
				t.Errorf("copy differs from the block means by up to %d levels, want at most %d", worst, tc.maxDiff)
			}
			copyImg := image.NewRGBA(image.Rect(0, 0, s.w, s.h))
			for i := range s.w * s.h {
				copy(copyImg.Pix[4*i:4*i+3], s.pix[3*i:3*i+3])
				copyImg.Pix[4*i+3] = 255
			}
			a := Analyze(tc.img, veglens.ActivationMap{})
			for _, p := range veglens.Wheels() {
				got := a.Reference.RGB
				if p.ID == veglens.PaletteRYB {
					got = a.Reference.RYB
				}
				if want := plainReference(copyImg, p); got != want {
					t.Errorf("%s reference = %v, plain computation on the copy says %v", p.ID, got, want)
				}
			}
		})
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// withKind is the centre activation map of a photo the model named kind.
func withKind(kind veglens.Kind) veglens.ActivationMap {
	m := centreMap()
	m.Kind = kind
	return m
}

// People name a familiar vegetable by the colour they know it has when the
// photo's hue cannot be trusted (doc.go, step 8): a dark aubergine in warm
// light is purple, not brown; a pale cauliflower is white; a mostly grey
// pumpkin with green patches is green; a carrot on the red/orange border is
// orange. Where the measurement is clear, or the photo was refused (no
// kind), the measured colour stands.
func TestMemoryColour(t *testing.T) {
	// Grey skin (C 0.004) with green stripes on a quarter of it.
	striped := image.NewRGBA(image.Rect(0, 0, 120, 120))
	draw.Draw(striped, striped.Bounds(), image.NewUniform(color.RGBA{100, 102, 100, 255}), image.Point{}, draw.Src)
	for x := 0; x < 120; x += 16 {
		draw.Draw(striped, image.Rect(x, 0, x+4, 120), image.NewUniform(color.RGBA{60, 110, 50, 255}), image.Point{}, draw.Src)
	}
	warmAubergine := uniformImage(color.RGBA{75, 45, 40, 255}) // OKLCh L 0.33, C 0.046, hue 30: dark, muted red
	paleCurd := uniformImage(color.RGBA{240, 225, 190, 255})   // L 0.91, C 0.049, hue 88: cream
	borderCarrot := uniformImage(color.RGBA{225, 80, 40, 255}) // L 0.62, C 0.19, hue 36: 5 degrees short of orange
	vividGreen := uniformImage(color.RGBA{60, 150, 50, 255})
	for _, tc := range []struct {
		name          string
		img           image.Image
		kind          veglens.Kind
		rgb, common   string
		neutral, memo bool
	}{
		{"dark aubergine in warm light", warmAubergine, "Brinjal", "magenta", "purple", false, true},
		{"the same pixels, refused photo", warmAubergine, "", "orange", "brown", false, false},
		{"the same pixels, a potato", warmAubergine, "Potato", "orange", "brown", false, false},
		{"cream cauliflower curd", paleCurd, "Cauliflower", "", "white", true, true},
		{"the same cream, a pepper (never white or beige)", paleCurd, "Capsicum", "yellow", "yellow", false, true},
		{"the same cream, no kind", paleCurd, "", "yellow", "beige", false, false},
		{"grey pumpkin with green patches", striped, "Pumpkin", "green", "green", false, true},
		{"the same pixels, refused photo", striped, "", "", "grey", true, false},
		{"carrot on the red/orange border", borderCarrot, "Carrot", "orange", "orange", false, true},
		{"the same pixels, a tomato", borderCarrot, "Tomato", "red", "red", false, false},
		{"a clearly green aubergine stays green", vividGreen, "Brinjal", "green", "green", false, false},
		{"a clearly green tomato stays green", vividGreen, "Tomato", "green", "green", false, false},
	} {
		f := Analyze(tc.img, withKind(tc.kind)).Foreground
		if f.RGB.Name != tc.rgb || f.Common.Name != tc.common || f.Neutral != tc.neutral || f.MemoryColour != tc.memo {
			t.Errorf("%s (%q): rgb %q common %q neutral=%v memory=%v; want rgb %q common %q neutral=%v memory=%v",
				tc.name, tc.kind, f.RGB.Name, f.Common.Name, f.Neutral, f.MemoryColour, tc.rgb, tc.common, tc.neutral, tc.memo)
		}
		if !tc.neutral && f.RYB == (veglens.Colour{}) {
			t.Errorf("%s: a chromatic answer needs an RYB colour too", tc.name)
		}
		// What the service stores and serves says so too.
		c := Measure(tc.img, withKind(tc.kind))
		if c.Foreground.Common.MemoryColour != tc.memo || c.Foreground.RGB.MemoryColour != tc.memo || c.Reference.RGB.MemoryColour {
			t.Errorf("%s: stored memory_colour common %v rgb %v reference %v, want %v, %v, false",
				tc.name, c.Foreground.Common.MemoryColour, c.Foreground.RGB.MemoryColour, c.Reference.RGB.MemoryColour, tc.memo, tc.memo)
		}
	}
}

// uniformImage is a 120x90 picture of one colour.
func uniformImage(c color.RGBA) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 120, 90))
	draw.Draw(img, img.Bounds(), image.NewUniform(c), image.Point{}, draw.Src)
	return img
}

// solid is a picture of one colour filling r.
func solid(r image.Rectangle, c color.RGBA) image.Image {
	img := image.NewRGBA(r)
	draw.Draw(img, img.Bounds(), image.NewUniform(c), image.Point{}, draw.Src)
	return img
}

// noiseImage is a w x h picture of uniformly random opaque colours.
func noiseImage(w, h int, seed uint32) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		seed = seed*1664525 + 1013904223
		img.Pix[i] = uint8(seed >> 24)
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	return img
}

func TestCbrtMatchesMath(t *testing.T) {
	// Over the range OKLab's LMS values take (0..1), and beyond.
	worst := 0.0
	for i := 1; i <= 1_000_000; i++ {
		for _, x := range []float64{float64(i) / 1e6, float64(i) * 1e-12, float64(i)} {
			want := math.Cbrt(x)
			worst = max(worst, math.Abs(cbrt(x)-want)/want)
		}
	}
	if worst > 1e-14 {
		t.Errorf("cbrt is %.3g away from math.Cbrt (relative), want within 1e-14", worst)
	}
	if cbrt(0) != 0 || cbrt(-1) != 0 {
		t.Errorf("cbrt(0), cbrt(-1) = %v, %v, want 0, 0", cbrt(0), cbrt(-1))
	}
}
