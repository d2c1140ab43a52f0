package colour

import (
	"encoding/json"
	"image"
	"image/color"
	"image/draw"
	"math"
	"path/filepath"
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

func TestReferenceMatchesPlainFloat64OnGallery(t *testing.T) {
	files := galleryFiles(t)
	if testing.Short() { // every tenth photo: the plain computation is slow
		var some []string
		for i := 0; i < len(files); i += 10 {
			some = append(some, files[i])
		}
		files = some
	}
	for _, f := range files {
		img := loadImage(t, f)
		a := Analyze(img)
		for _, c := range []struct {
			got veglens.Colour
			p   veglens.Palette
		}{{a.Reference.RGB, veglens.RGBWheel}, {a.Reference.RYB, veglens.RYBWheel}} {
			if want := plainReference(img, c.p); c.got != want {
				t.Errorf("%s: %s reference = %v, plain float64 computation says %v", f, c.p.ID, c.got, want)
			}
		}
	}
	t.Logf("reference method agrees with the plain float64 computation on all %d gallery photos (both wheels)", len(files))
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
	a := Analyze(img)
	d := a.Reference.RGBDistances
	if d[1] != d[3] || d[1] != d[5] || d[1] != d[7] || d[1] != d[9] || d[1] != d[11] {
		t.Fatalf("expected equal distances for the six tertiary entries, got %v", d)
	}
	if a.Reference.RGB.Name != "orange" {
		t.Errorf("tie went to %q, want the earlier entry orange", a.Reference.RGB.Name)
	}
}

func TestReferenceSolidColours(t *testing.T) {
	for _, p := range veglens.Palettes() {
		for _, e := range p.Colours {
			r, g, b := e.RGB()
			img := image.NewRGBA(image.Rect(0, 0, 40, 30))
			draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{r, g, b, 255}), image.Point{}, draw.Src)
			a := Analyze(img)
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
		a := Analyze(img)
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

// A white subject with a cream tint on a dark background is neutral and
// named by its tint.
func TestForegroundNeutralSubject(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 200, 200))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{30, 60, 25, 255}), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(40, 40, 160, 160), image.NewUniform(color.RGBA{238, 232, 220, 255}), image.Point{}, draw.Src)
	a := Analyze(img)
	if !a.Foreground.Neutral {
		t.Fatalf("cream subject: neutral=false (share %.2f)", a.Foreground.NeutralShare)
	}
	if n := a.Foreground.RGB.Name; n != "orange" && n != "yellow" {
		t.Errorf("cream subject: tint %q, want orange or yellow", n)
	}
	// An exactly grey subject has no tint: it is named by the colour it has
	// (a blue label on it), still neutral.
	grey := image.NewRGBA(image.Rect(0, 0, 200, 200))
	draw.Draw(grey, grey.Bounds(), image.NewUniform(color.RGBA{20, 20, 20, 255}), image.Point{}, draw.Src)
	draw.Draw(grey, image.Rect(40, 40, 160, 160), image.NewUniform(color.RGBA{150, 150, 150, 255}), image.Point{}, draw.Src)
	draw.Draw(grey, image.Rect(90, 90, 110, 110), image.NewUniform(color.RGBA{30, 60, 220, 255}), image.Point{}, draw.Src)
	a = Analyze(grey)
	if !a.Foreground.Neutral || a.Foreground.RGB.Name != "blue" {
		t.Errorf("grey subject with a blue label: foreground %v neutral=%v, want blue, neutral", a.Foreground.RGB, a.Foreground.Neutral)
	}
}

func TestForegroundFullFrameSubject(t *testing.T) {
	// The whole frame is the vegetable: the border colour is not dropped.
	img := image.NewRGBA(image.Rect(0, 0, 224, 224))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{230, 110, 40, 255}), image.Point{}, draw.Src)
	if a := Analyze(img); a.Foreground.RGB.Name != "orange" || a.Foreground.BackgroundShare != 0 {
		t.Errorf("carrot-orange frame: foreground %v, background share %.2f", a.Foreground.RGB, a.Foreground.BackgroundShare)
	}
	// A greyscale picture has no hue: the foreground falls back to the
	// reference entry and says neutral.
	g := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range g.Pix {
		g.Pix[i] = uint8(i)
	}
	a := Analyze(g)
	if !a.Foreground.Neutral || a.Foreground.RGB != a.Reference.RGB {
		t.Errorf("greyscale: foreground %v neutral=%v, reference %v", a.Foreground.RGB, a.Foreground.Neutral, a.Reference.RGB)
	}
}

func TestAnalysisJSON(t *testing.T) {
	img := loadImage(t, galleryFiles(t)[0])
	data, err := json.Marshal(Analyze(img))
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
	a := Analyze(image.NewRGBA(image.Rect(0, 0, 0, 0)))
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
	big := image.NewRGBA(image.Rect(0, 0, 1400, 1050))
	xdraw.CatmullRom.Scale(big, big.Bounds(), src, src.Bounds(), draw.Src, nil)
	if big.Bounds().Dx()*big.Bounds().Dy() <= parallelPixels {
		t.Fatal("test picture too small to exercise the banded scan")
	}
	a := Analyze(big)
	if want := plainReference(big, veglens.RGBWheel); a.Reference.RGB != want {
		t.Errorf("RGB: banded scan says %v, plain computation %v", a.Reference.RGB, want)
	}
	if want := plainReference(big, veglens.RYBWheel); a.Reference.RYB != want {
		t.Errorf("RYB: banded scan says %v, plain computation %v", a.Reference.RYB, want)
	}
	// The working copy of a big picture gives the same foreground answer as
	// the small original it was scaled from.
	if small := Analyze(src); small.Foreground.RGB != a.Foreground.RGB {
		t.Errorf("foreground: %v for the 224 px original, %v for the 1400 px upscale", small.Foreground.RGB, a.Foreground.RGB)
	}
}

// Degenerate shapes must not panic and still name a solid colour.
func TestTinyAndThinPictures(t *testing.T) {
	for _, r := range []image.Rectangle{
		image.Rect(0, 0, 1, 1), image.Rect(0, 0, 1, 1000), image.Rect(0, 0, 997, 3), image.Rect(-5, -7, 60, 2),
	} {
		img := image.NewRGBA(r)
		draw.Draw(img, r, image.NewUniform(color.RGBA{0, 0, 255, 255}), image.Point{}, draw.Src)
		a := Analyze(img)
		if a.Reference.RGB.Name != "blue" || a.Foreground.RGB.Name != "blue" {
			t.Errorf("%v solid blue: reference %v, foreground %v", r, a.Reference.RGB, a.Foreground.RGB)
		}
	}
}
