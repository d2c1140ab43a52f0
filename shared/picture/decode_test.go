package picture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veglens/veglens/shared/picture/picturetest"
)

var (
	red   = color.RGBA{255, 0, 0, 255}
	green = color.RGBA{0, 255, 0, 255}
	blue  = color.RGBA{0, 0, 255, 255}
	white = color.RGBA{255, 255, 255, 255}
)

// quadrants returns a w x h picture whose four quarters are red, green
// (top) and blue, white (bottom), so that any rotation or mirror is visible.
func quadrants(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := red
			switch {
			case x >= w/2 && y < h/2:
				c = green
			case x < w/2 && y >= h/2:
				c = blue
			case x >= w/2 && y >= h/2:
				c = white
			}
			m.SetRGBA(x, y, c)
		}
	}
	return m
}

func encodeJPEG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeGIF(t *testing.T, frames ...*image.Paletted) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, &gif.GIF{Image: frames, Delay: make([]int, len(frames))}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withExif inserts an Exif APP1 segment carrying orientation o right after
// a JPEG's SOI marker, in big- ("MM") or little-endian ("II") TIFF order.
func withExif(jpg []byte, o uint16, order string) []byte {
	var bo binary.AppendByteOrder = binary.BigEndian
	if order == "II" {
		bo = binary.LittleEndian
	}
	tiff := []byte(order)
	tiff = bo.AppendUint16(tiff, 42)
	tiff = bo.AppendUint32(tiff, 8)      // IFD0 offset
	tiff = bo.AppendUint16(tiff, 2)      // two entries
	tiff = bo.AppendUint16(tiff, 0x010f) // Make, ASCII, 4 bytes "Veg"
	tiff = bo.AppendUint16(tiff, 2)
	tiff = bo.AppendUint32(tiff, 4)
	tiff = append(tiff, 'V', 'e', 'g', 0)
	tiff = bo.AppendUint16(tiff, 0x0112) // Orientation, SHORT, 1
	tiff = bo.AppendUint16(tiff, 3)
	tiff = bo.AppendUint32(tiff, 1)
	tiff = bo.AppendUint16(tiff, o)
	tiff = bo.AppendUint16(tiff, 0)
	tiff = bo.AppendUint32(tiff, 0) // no next IFD
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xff, 0xe1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(payload)+2))
	seg = append(seg, payload...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// pngHeaderOnly is a PNG signature and IHDR chunk claiming w x h pixels,
// with no pixel data at all.
func pngHeaderOnly(w, h uint32) []byte {
	ihdr := []byte("IHDR")
	ihdr = binary.BigEndian.AppendUint32(ihdr, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // 8-bit RGB
	b := []byte("\x89PNG\r\n\x1a\n")
	b = binary.BigEndian.AppendUint32(b, 13)
	b = append(b, ihdr...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(ihdr))
}

// near reports whether two colours differ by at most tol in every channel.
func near(a color.Color, b color.RGBA, tol int) bool {
	c := color.RGBAModel.Convert(a).(color.RGBA)
	d := func(x, y uint8) bool { return int(x)-int(y) <= tol && int(y)-int(x) <= tol }
	return d(c.R, b.R) && d(c.G, b.G) && d(c.B, b.B) && c.A == 255
}

// quarterColours samples the centre of each quarter: TL, TR, BL, BR.
func quarterColours(img image.Image) [4]color.Color {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	at := func(x, y int) color.Color { return img.At(b.Min.X+x, b.Min.Y+y) }
	return [4]color.Color{at(w/4, h/4), at(3*w/4, h/4), at(w/4, 3*h/4), at(3*w/4, 3*h/4)}
}

func TestDecodeFormats(t *testing.T) {
	gray := image.NewGray(image.Rect(0, 0, 40, 50))
	for i := range gray.Pix {
		gray.Pix[i] = 90
	}
	// NRGBA: left half opaque red, right half half-transparent blue.
	alpha := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := range 64 {
			c := color.NRGBA{255, 0, 0, 255}
			if x >= 32 {
				c = color.NRGBA{0, 0, 255, 128}
			}
			alpha.SetNRGBA(x, y, c)
		}
	}
	// Paletted with a transparent entry: top half transparent, bottom green.
	pal := image.NewPaletted(image.Rect(0, 0, 48, 48), color.Palette{color.NRGBA{0, 0, 0, 0}, green})
	for i := len(pal.Pix) / 2; i < len(pal.Pix); i++ {
		pal.Pix[i] = 1
	}
	deep := image.NewRGBA64(image.Rect(0, 0, 33, 33))
	for y := range 33 {
		for x := range 33 {
			deep.SetRGBA64(x, y, color.RGBA64{0xffff, 0x8080, 0, 0xffff})
		}
	}
	frame1 := image.NewPaletted(image.Rect(0, 0, 40, 40), color.Palette{red, blue})
	frame2 := image.NewPaletted(image.Rect(0, 0, 40, 40), color.Palette{red, blue})
	for i := range frame2.Pix {
		frame2.Pix[i] = 1
	}

	tests := []struct {
		name   string
		data   []byte
		format string
		w, h   int
		want   [4]color.RGBA // expected colours of the quarters TL, TR, BL, BR
		tol    int
	}{
		{"jpeg", encodeJPEG(t, quadrants(64, 32)), "jpeg", 64, 32, [4]color.RGBA{red, green, blue, white}, 12},
		{"png", encodePNG(t, quadrants(64, 32)), "png", 64, 32, [4]color.RGBA{red, green, blue, white}, 0},
		{"png greyscale", encodePNG(t, gray), "png", 40, 50, [4]color.RGBA{{90, 90, 90, 255}, {90, 90, 90, 255}, {90, 90, 90, 255}, {90, 90, 90, 255}}, 0},
		{"jpeg greyscale", encodeJPEG(t, gray), "jpeg", 40, 50, [4]color.RGBA{{90, 90, 90, 255}, {90, 90, 90, 255}, {90, 90, 90, 255}, {90, 90, 90, 255}}, 2},
		{"png alpha over white", encodePNG(t, alpha), "png", 64, 64, [4]color.RGBA{red, {127, 127, 255, 255}, red, {127, 127, 255, 255}}, 1},
		{"png palette with transparency", encodePNG(t, pal), "png", 48, 48, [4]color.RGBA{white, white, green, green}, 0},
		{"png 16-bit", encodePNG(t, deep), "png", 33, 33, [4]color.RGBA{{255, 128, 0, 255}, {255, 128, 0, 255}, {255, 128, 0, 255}, {255, 128, 0, 255}}, 0},
		{"gif first frame", encodeGIF(t, frame1, frame2), "gif", 40, 40, [4]color.RGBA{red, red, red, red}, 0},
		{"jpeg cmyk (Adobe)", readTestdata(t, "cmyk_adobe.jpg"), "jpeg", 64, 32, [4]color.RGBA{red, blue, red, blue}, 12},
		{"webp lossless with exif orientation 6", readTestdata(t, "rotated6_lossless.webp"), "webp", 32, 48, [4]color.RGBA{red, red, blue, blue}, 0},
		{"webp lossy with alpha", readTestdata(t, "alpha_lossy.webp"), "webp", 64, 64, [4]color.RGBA{{0, 200, 0, 255}, white, {0, 200, 0, 255}, white}, 8},
	}
	// JPEGs that Go's image/jpeg refuses but libjpeg-turbo (and so every
	// browser) decodes: uncommon chroma sampling, arithmetic coding.
	for _, tc := range []struct {
		name string
		opts picturetest.JPEGOptions
	}{
		{"jpeg sampling 2x2,1x1,1x2", picturetest.JPEGOptions{Sampling: [3][2]int{{2, 2}, {1, 1}, {1, 2}}}},
		{"jpeg sampling 3x1,1x1,1x1", picturetest.JPEGOptions{Sampling: [3][2]int{{3, 1}, {1, 1}, {1, 1}}}},
		{"jpeg sampling 1x4,1x1,1x1", picturetest.JPEGOptions{Sampling: [3][2]int{{1, 4}, {1, 1}, {1, 1}}}},
		{"jpeg sampling 2x1,1x1,2x1", picturetest.JPEGOptions{Sampling: [3][2]int{{2, 1}, {1, 1}, {2, 1}}}},
		{"jpeg sampling 1x1,2x2,2x2", picturetest.JPEGOptions{Sampling: [3][2]int{{1, 1}, {2, 2}, {2, 2}}}},
		{"jpeg sampling 4x1,1x1,1x1 (4:1:1)", picturetest.JPEGOptions{Sampling: [3][2]int{{4, 1}, {1, 1}, {1, 1}}}},
		{"jpeg arithmetic-coded", picturetest.JPEGOptions{Arithmetic: true}},
		{"jpeg arithmetic-coded progressive", picturetest.JPEGOptions{Arithmetic: true, Progressive: true}},
		{"jpeg progressive", picturetest.JPEGOptions{Progressive: true}},
	} {
		tests = append(tests, struct {
			name   string
			data   []byte
			format string
			w, h   int
			want   [4]color.RGBA
			tol    int
		}{tc.name, picturetest.EncodeJPEG(t, quadrants(96, 64), tc.opts), "jpeg", 96, 64, [4]color.RGBA{red, green, blue, white}, 12})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pic, err := Decode(bytes.NewReader(tt.data), DefaultLimits)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if pic.Format != tt.format || pic.Width != tt.w || pic.Height != tt.h {
				t.Fatalf("got %s %dx%d, want %s %dx%d", pic.Format, pic.Width, pic.Height, tt.format, tt.w, tt.h)
			}
			if b := pic.Image.Bounds(); b.Dx() != tt.w || b.Dy() != tt.h {
				t.Fatalf("image bounds %v do not match %dx%d", b, tt.w, tt.h)
			}
			switch pic.Image.(type) {
			case *image.YCbCr, *image.Gray, *image.RGBA:
			default:
				t.Errorf("image type %T is not one of the documented opaque types", pic.Image)
			}
			for i, c := range quarterColours(pic.Image) {
				if !near(c, tt.want[i], tt.tol) {
					t.Errorf("quarter %d: got %v, want %v (±%d)", i, c, tt.want[i], tt.tol)
				}
			}
		})
	}
}

func TestDecodeExifOrientation(t *testing.T) {
	src := encodeJPEG(t, quadrants(64, 32))
	r, g, b, w := red, green, blue, white
	// Expected quarters after orientation, checked against PIL's
	// ImageOps.exif_transpose on the same picture.
	tests := []struct {
		o     uint16
		order string
		w, h  int
		want  [4]color.RGBA
	}{
		{1, "MM", 64, 32, [4]color.RGBA{r, g, b, w}},
		{2, "MM", 64, 32, [4]color.RGBA{g, r, w, b}},
		{3, "II", 64, 32, [4]color.RGBA{w, b, g, r}},
		{4, "MM", 64, 32, [4]color.RGBA{b, w, r, g}},
		{5, "II", 32, 64, [4]color.RGBA{r, b, g, w}},
		{6, "MM", 32, 64, [4]color.RGBA{b, r, w, g}},
		{6, "II", 32, 64, [4]color.RGBA{b, r, w, g}},
		{7, "MM", 32, 64, [4]color.RGBA{w, g, b, r}},
		{8, "II", 32, 64, [4]color.RGBA{g, w, r, b}},
		{9, "MM", 64, 32, [4]color.RGBA{r, g, b, w}}, // invalid value: ignored
	}
	for _, tt := range tests {
		t.Run(tt.order+string(rune('0'+tt.o)), func(t *testing.T) {
			pic, err := Decode(bytes.NewReader(withExif(src, tt.o, tt.order)), DefaultLimits)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if pic.Width != tt.w || pic.Height != tt.h {
				t.Fatalf("orientation %d: got %dx%d, want %dx%d", tt.o, pic.Width, pic.Height, tt.w, tt.h)
			}
			for i, c := range quarterColours(pic.Image) {
				if !near(c, tt.want[i], 12) {
					t.Errorf("orientation %d quarter %d: got %v, want %v", tt.o, i, c, tt.want[i])
				}
			}
		})
	}
}

func TestDecodeRefusals(t *testing.T) {
	good := encodeJPEG(t, quadrants(64, 64))
	goodPNG := encodePNG(t, quadrants(64, 64))
	arith := picturetest.EncodeJPEG(t, quadrants(64, 64), picturetest.JPEGOptions{Arithmetic: true})
	progressive := picturetest.EncodeJPEG(t, quadrants(256, 256), picturetest.JPEGOptions{Progressive: true})
	hugeGIF := []byte("GIF89a")
	hugeGIF = binary.LittleEndian.AppendUint16(hugeGIF, 10000)
	hugeGIF = binary.LittleEndian.AppendUint16(hugeGIF, 5000)
	hugeGIF = append(hugeGIF, 0, 0, 0) // no global colour table

	tests := []struct {
		name string
		data []byte
		lim  Limits
		kind ErrorKind
		msg  string // a word the message must contain
	}{
		{"zero bytes", nil, DefaultLimits, Empty, "empty"},
		{"text file", []byte("Carrots are orange.\nThis is not a picture.\n"), DefaultLimits, Unsupported, "JPEG, PNG, WebP, GIF, HEIC or AVIF"},
		{"bmp", append([]byte("BM"), make([]byte, 60)...), DefaultLimits, Unsupported, "JPEG, PNG, WebP, GIF, HEIC or AVIF"},
		{"png header claims 8000x8000", pngHeaderOnly(8000, 8000), DefaultLimits, TooLarge, "64.0 megapixels"},
		{"gif header claims 10000x5000", hugeGIF, DefaultLimits, TooLarge, "megapixels"},
		{"png too small", encodePNG(t, quadrants(31, 100)), DefaultLimits, TooSmall, "at least 32"},
		{"jpeg too small", encodeJPEG(t, quadrants(100, 20)), DefaultLimits, TooSmall, "at least 32"},
		{"png header claims 0x0", pngHeaderOnly(0, 0), DefaultLimits, Corrupt, "PNG"},
		{"truncated jpeg", good[:len(good)/2], DefaultLimits, Corrupt, "JPEG"},
		{"jpeg cut inside its image data", good[:len(good)-20], DefaultLimits, Corrupt, "JPEG"},
		{"truncated png", goodPNG[:len(goodPNG)-40], DefaultLimits, Corrupt, "PNG"},
		{"jpeg marker then garbage", append([]byte{0xff, 0xd8}, bytes.Repeat([]byte{0x42}, 300)...), DefaultLimits, Corrupt, "JPEG"},
		{"webp riff without data", []byte("RIFF\x04\x00\x00\x00WEBP"), DefaultLimits, Corrupt, "WebP"},
		{"more bytes than allowed", good, Limits{MaxPixels: 40e6, MinSide: 32, MaxBytes: 100}, TooLarge, "larger than"},
		{"arithmetic-coded jpeg cut inside its image data", arith[:len(arith)-20], DefaultLimits, Corrupt, "JPEG"},
		{"progressive jpeg cut inside a scan", progressive[:len(progressive)*2/3], DefaultLimits, Corrupt, "JPEG"},
		{"12-bit jpeg", patchSOF(t, good, 0xC0, 12), DefaultLimits, Unsupported, "precision 12"},
		{"lossless jpeg", patchSOF(t, good, 0xC3, 8), DefaultLimits, Unsupported, "cannot read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pic, err := Decode(bytes.NewReader(tt.data), tt.lim)
			if err == nil {
				t.Fatalf("Decode accepted it: %s %dx%d", pic.Format, pic.Width, pic.Height)
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v (%T) is not an *InputError", err, err)
			}
			if ie.Kind != tt.kind {
				t.Errorf("kind %q, want %q (message %q)", ie.Kind, tt.kind, ie.Error())
			}
			if !strings.Contains(ie.Error(), tt.msg) {
				t.Errorf("message %q does not mention %q", ie.Error(), tt.msg)
			}
		})
	}
}

// patchSOF returns a copy of a baseline JPEG whose start-of-frame marker
// is changed to marker (0xC3: lossless) and whose sample precision to bits.
func patchSOF(t *testing.T, jpg []byte, marker byte, bits byte) []byte {
	t.Helper()
	out := append([]byte{}, jpg...)
	i := bytes.Index(out, []byte{0xFF, 0xC0})
	if i < 0 {
		t.Fatal("no baseline start-of-frame marker")
	}
	out[i+1], out[i+4] = marker, bits
	return out
}

// JPEGs that viewers show are decoded: without their end-of-image marker,
// or with bytes after it, the pixels are those of the whole file.
func TestDecodeForgivingJPEG(t *testing.T) {
	good := encodeJPEG(t, quadrants(64, 64))
	if !bytes.HasSuffix(good, []byte{0xFF, 0xD9}) {
		t.Fatal("encoder wrote no end-of-image marker")
	}
	want, err := Decode(bytes.NewReader(good), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"no end-of-image marker", good[:len(good)-2]},
		{"trailing data", append(append([]byte{}, good...), "appended by an editor"...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pic, err := Decode(bytes.NewReader(tc.data), DefaultLimits)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if w, _ := compare(pic.Image, want.Image); w != 0 {
				t.Errorf("pixels differ from the complete file's by up to %d levels", w)
			}
		})
	}
}

// A decoder that panics must not take the caller down.
func TestGuardRecoversPanics(t *testing.T) {
	err := guard(func() error { panic("index out of range") })
	if err == nil || !strings.Contains(err.Error(), "panic") {
		t.Fatalf("guard returned %v", err)
	}
}

func TestThumbnail(t *testing.T) {
	tests := []struct {
		name         string
		w, h, max    int
		wantW, wantH int
	}{
		{"landscape", 2000, 1000, 512, 512, 256},
		{"portrait", 300, 1200, 512, 128, 512},
		{"already small", 200, 100, 512, 200, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th := Thumbnail(quadrants(tt.w, tt.h), tt.max)
			if b := th.Bounds(); b.Dx() != tt.wantW || b.Dy() != tt.wantH {
				t.Fatalf("got %v, want %dx%d", b, tt.wantW, tt.wantH)
			}
			want := [4]color.RGBA{red, green, blue, white}
			for i, c := range quarterColours(th) {
				if !near(c, want[i], 2) {
					t.Errorf("quarter %d: got %v, want %v", i, c, want[i])
				}
			}
		})
	}
}

// FuzzDecode: whatever the bytes, Decode returns either an *InputError or a
// picture within the limits whose size matches its image.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"cmyk_adobe.jpg", "rotated6_lossless.webp", "alpha_lossy.webp"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	var png, gifb bytes.Buffer
	_ = pngEncodeForFuzz(&png)
	_ = gif.Encode(&gifb, image.NewPaletted(image.Rect(0, 0, 40, 40), color.Palette{red, blue}), nil)
	f.Add(png.Bytes())
	f.Add(gifb.Bytes())
	f.Add(pngHeaderOnly(100, 100))
	f.Fuzz(func(t *testing.T, data []byte) {
		pic, err := Decode(bytes.NewReader(data), DefaultLimits)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) || ie.Msg == "" {
				t.Fatalf("error %v (%T) is not an *InputError with a message", err, err)
			}
			return
		}
		b := pic.Image.Bounds()
		if b.Dx() != pic.Width || b.Dy() != pic.Height || pic.Width < 32 || pic.Height < 32 ||
			int64(pic.Width)*int64(pic.Height) > DefaultLimits.MaxPixels {
			t.Fatalf("picture %dx%d with bounds %v", pic.Width, pic.Height, b)
		}
	})
}

func pngEncodeForFuzz(w *bytes.Buffer) error {
	return png.Encode(w, quadrants(40, 33))
}

// Shrink-on-load: a large JPEG decodes straight to the smallest DCT scale
// whose long side is still at least ShrinkTo, and the picture still says
// how large the photo is.
func TestDecodeShrinkOnLoad(t *testing.T) {
	big := encodeJPEG(t, quadrants(2000, 1500))
	for _, tc := range []struct {
		name       string
		data       []byte
		shrinkTo   int
		w, h       int // Picture.Width and Height
		imgW, imgH int // the decoded image
	}{
		{"no shrinking asked", big, 0, 2000, 1500, 2000, 1500},
		{"to at least 768: half size", big, 768, 2000, 1500, 1000, 750},
		{"to at least 200: an eighth", big, 200, 2000, 1500, 250, 188},
		{"already small enough", big, 1500, 2000, 1500, 2000, 1500},
		{"rotated by its EXIF orientation", withExif(big, 6, "MM"), 768, 1500, 2000, 750, 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lim := DefaultLimits
			lim.ShrinkTo = tc.shrinkTo
			pic, err := Decode(bytes.NewReader(tc.data), lim)
			if err != nil {
				t.Fatal(err)
			}
			b := pic.Image.Bounds()
			if pic.Width != tc.w || pic.Height != tc.h || b.Dx() != tc.imgW || b.Dy() != tc.imgH {
				t.Fatalf("picture %dx%d decoded at %dx%d; want %dx%d decoded at %dx%d",
					pic.Width, pic.Height, b.Dx(), b.Dy(), tc.w, tc.h, tc.imgW, tc.imgH)
			}
			want := [4]color.RGBA{red, green, blue, white}
			if pic.Orientation == 6 {
				want = [4]color.RGBA{blue, red, white, green}
			}
			for i, c := range quarterColours(pic.Image) {
				if !near(c, want[i], 12) {
					t.Errorf("quarter %d: got %v, want %v", i, c, want[i])
				}
			}
		})
	}
}
