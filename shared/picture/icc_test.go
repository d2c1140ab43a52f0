package picture

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// The fixtures (testdata/icc/make_fixtures.py) carry Display P3 and Adobe
// RGB profiles; *-srgb.png is what Little CMS, the reference colour
// management library, makes of them in sRGB.
func TestEmbeddedProfilesAreConvertedToSRGB(t *testing.T) {
	tests := []struct {
		file, want string
		format     string
		maxDiff    int     // levels per channel
		maxMean    float64 // levels per channel
	}{
		{"p3.png", "p3-srgb.png", "png", 1, 0.1},
		{"adobergb.png", "adobergb-srgb.png", "png", 1, 0.1},
		{"p3.webp", "p3-srgb.png", "webp", 1, 0.1},
		// Little CMS on the JPEG's pixels as Pillow's libjpeg decodes them,
		// which differ from Go's decoding by a level or two here and there.
		{"p3.jpg", "p3-jpg-srgb.png", "jpeg", 6, 0.3},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			pic := decodeFixture(t, tc.file)
			if pic.Profile != ProfileConverted || pic.Format != tc.format {
				t.Fatalf("profile %q, format %q; want converted %s", pic.Profile, pic.Format, tc.format)
			}
			want := readPNG(t, tc.want)
			worst, mean := compare(pic.Image, want)
			if worst > tc.maxDiff || mean > tc.maxMean {
				t.Errorf("differs from Little CMS by up to %d levels (mean %.2f), want at most %d (mean %.2f)", worst, mean, tc.maxDiff, tc.maxMean)
			}
			// Unconverted, the picture would be visibly off: the check can fail.
			raw, err := png.Decode(bytes.NewReader(readFile(t, "p3.png")))
			if err != nil {
				t.Fatal(err)
			}
			if w, _ := compare(raw, want); w < 10 {
				t.Fatalf("the fixture's colours barely change in sRGB (%d levels): the test proves nothing", w)
			}
		})
	}
}

func TestSRGBProfileAndNoProfileKeepThePixels(t *testing.T) {
	for _, tc := range []struct {
		file string
		want Profile
	}{{"srgb-profile.png", ProfileSRGB}, {"p3-srgb.png", ProfileSRGB}} {
		pic := decodeFixture(t, tc.file)
		if pic.Profile != tc.want {
			t.Errorf("%s: profile %q, want %q", tc.file, pic.Profile, tc.want)
		}
		raw, err := png.Decode(bytes.NewReader(readFile(t, tc.file)))
		if err != nil {
			t.Fatal(err)
		}
		if w, _ := compare(pic.Image, raw); w != 0 {
			t.Errorf("%s: pixels changed by up to %d levels, want untouched", tc.file, w)
		}
	}
}

func TestDamagedProfilesAreIgnored(t *testing.T) {
	good := readFile(t, "p3.png")
	icc := embeddedICC("png", good)
	if len(icc) == 0 {
		t.Fatal("no profile found in p3.png")
	}
	for _, tc := range []struct {
		name string
		icc  []byte
	}{
		{"truncated", icc[:100]},
		{"tag table past the end", append(append([]byte{}, icc[:128]...), 0, 0, 0, 200)},
		{"not a profile", bytes.Repeat([]byte("x"), 200)},
	} {
		if p, err := parseICC(tc.icc); err == nil && p.toSRGB() != nil {
			t.Errorf("%s: parsed as a profile to convert", tc.name)
		}
	}
}

func decodeFixture(t *testing.T, name string) *Picture {
	t.Helper()
	pic, err := Decode(bytes.NewReader(readFile(t, name)), DefaultLimits)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return pic
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "icc", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readPNG(t *testing.T, name string) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(readFile(t, name)))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// compare returns the largest and the mean absolute difference per channel
// (8-bit levels) of two pictures of the same size.
func compare(a, b image.Image) (int, float64) {
	worst, sum, n := 0, 0, 0
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			for _, d := range []int{int(r1>>8) - int(r2>>8), int(g1>>8) - int(g2>>8), int(b1>>8) - int(b2>>8)} {
				d = max(d, -d)
				worst = max(worst, d)
				sum += d
				n++
			}
		}
	}
	return worst, float64(sum) / float64(n)
}

// A crafted profile whose tone curves are not curves (a negative gamma
// gives infinity for black, and NaN through the matrix) is not used: the
// photo decodes with its pixels as they are.
func TestCraftedProfileIsNotUsed(t *testing.T) {
	icc := embeddedICC("png", readFile(t, "p3.png"))
	evil := append([]byte{}, icc...)
	for i := 0; i+16 <= len(evil); i++ {
		if string(evil[i:i+4]) == "para" {
			binary.BigEndian.PutUint32(evil[i+12:], uint32(0xFFFF0000)) // gamma -1.0
			binary.BigEndian.PutUint16(evil[i+8:], 0)                   // function type 0: Y = X^gamma
		}
	}
	if _, err := parseICC(evil); err == nil {
		t.Fatal("a profile with gamma -1 was accepted")
	}
	img := image.NewRGBA(image.Rect(0, 0, 40, 40))
	for i := range img.Pix {
		img.Pix[i] = 255
		if i%4 == 0 {
			img.Pix[i] = 0 // cyan, with black channels the curve sends to infinity
		}
	}
	pic, err := Decode(bytes.NewReader(pngWithICC(t, img, evil)), DefaultLimits)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if pic.Profile != ProfileUnsupported {
		t.Errorf("profile %q, want unsupported", pic.Profile)
	}
	if w, _ := compare(pic.Image, img); w != 0 {
		t.Errorf("pixels changed by up to %d levels, want untouched", w)
	}
}

// pngWithICC encodes img as PNG with icc in an iCCP chunk after IHDR.
func pngWithICC(t *testing.T, img image.Image, icc []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(icc)
	zw.Close()
	data := append([]byte("profile\x00\x00"), z.Bytes()...)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(chunk, "iCCP"...)
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	b := buf.Bytes()
	const ihdrEnd = 8 + 12 + 13
	return append(append(append([]byte{}, b[:ihdrEnd]...), chunk...), b[ihdrEnd:]...)
}
