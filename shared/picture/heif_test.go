package picture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readHEIFFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "heif", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// HEIC (what iPhones save) and AVIF photos decode like any other: the
// right size, the right way up (HEIF's own rotation applied), the right
// colours.
func TestDecodeHEIF(t *testing.T) {
	for _, tc := range []struct {
		file, format string
		w, h         int
	}{
		{"quadrants.heic", "heic", 128, 64},
		{"quadrants.avif", "avif", 128, 64},
		{"rotated.heic", "heic", 256, 128}, // stored sideways with an irot property
	} {
		t.Run(tc.file, func(t *testing.T) {
			pic, err := Decode(bytes.NewReader(readHEIFFixture(t, tc.file)), DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			if pic.Format != tc.format || pic.Width != tc.w || pic.Height != tc.h {
				t.Fatalf("got %s %dx%d, want %s %dx%d", pic.Format, pic.Width, pic.Height, tc.format, tc.w, tc.h)
			}
			for i, c := range quarterColours(pic.Image) {
				if want := [4]color.RGBA{red, green, blue, white}[i]; !near(c, want, 12) {
					t.Errorf("quarter %d: got %v, want %v", i, c, want)
				}
			}
		})
	}
}

// A Display P3 AVIF is converted to sRGB as Little CMS converts it; a
// Display P3 HEIC (an iPhone's) carries the same profile and is converted
// by the same code, which the JPEG, PNG and WebP fixtures check against
// Little CMS (icc_test.go).
func TestHEIFProfilesAreConvertedToSRGB(t *testing.T) {
	t.Run("avif", func(t *testing.T) {
		pic, err := Decode(bytes.NewReader(readHEIFFixture(t, "p3.avif")), DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		if pic.Profile != ProfileConverted {
			t.Fatalf("profile %q, want converted", pic.Profile)
		}
		want, err := png.Decode(bytes.NewReader(readHEIFFixture(t, "p3-avif-srgb.png")))
		if err != nil {
			t.Fatal(err)
		}
		// Little CMS converted the pixels libavif decoded in Python.
		if worst, mean := compare(pic.Image, want); worst > 3 || mean > 0.5 {
			t.Errorf("differs from Little CMS by up to %d levels (mean %.2f), want at most 3 (mean 0.5)", worst, mean)
		}
	})
	t.Run("heic", func(t *testing.T) {
		data := readHEIFFixture(t, "p3.heic")
		p3 := pngICC(readFile(t, "p3.png"))
		if got := heifICC(data); len(p3) == 0 || !bytes.Equal(got, p3) {
			t.Fatalf("the HEIC's profile (%d bytes) is not the Display P3 profile it was written with (%d bytes)", len(got), len(p3))
		}
		pic, err := Decode(bytes.NewReader(data), DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		if pic.Profile != ProfileConverted {
			t.Fatalf("profile %q, want converted", pic.Profile)
		}
		raw, err := heicDecode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if worst, _ := compare(pic.Image, raw); worst < 10 {
			t.Errorf("the converted pixels differ from the file's by %d levels at most: not converted", worst)
		}
	})
}

func TestDecodeHEIFRefusals(t *testing.T) {
	heic := readHEIFFixture(t, "quadrants.heic")
	mp4 := ftyp("isom", "isom", "mp41")
	for _, tc := range []struct {
		name string
		data []byte
		kind ErrorKind
		msg  string
	}{
		{"HEIC cut short", heic[:len(heic)/2], Corrupt, "HEIC"},
		{"HEIC header only", heic[:40], Corrupt, "HEIC"},
		{"MP4 video", append(mp4, make([]byte, 100)...), Unsupported, "HEIC or AVIF"},
		{"HEIC 96 px wide", readHEIFFixture(t, "narrow.heic"), Unsupported, "narrower than 128"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pic, err := Decode(bytes.NewReader(tc.data), DefaultLimits)
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("Decode = %v, %v; want an *InputError", pic, err)
			}
			if ie.Kind != tc.kind || !strings.Contains(ie.Error(), tc.msg) {
				t.Errorf("%s %q; want %s mentioning %q", ie.Kind, ie.Error(), tc.kind, tc.msg)
			}
		})
	}
}

// ftyp returns an ISO base media ftyp box with the given major and
// compatible brands.
func ftyp(major string, compatible ...string) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(16+4*len(compatible)))
	b = append(append(append(b, "ftyp"...), major...), 0, 0, 0, 0)
	for _, c := range compatible {
		b = append(b, c...)
	}
	return b
}

func TestHEIFBrand(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"iPhone HEIC", ftyp("heic", "mif1", "heic"), "heic"},
		{"generic HEIF brand with HEVC", ftyp("mif1", "mif1", "heic"), "heic"},
		{"AVIF", ftyp("avif", "avif", "mif1", "miaf"), "avif"},
		{"generic HEIF brand with AV1", ftyp("mif1", "mif1", "avif"), "avif"},
		{"MP4 video", ftyp("isom", "isom", "avc1"), ""},
		{"ftyp box longer than the file", ftyp("heic", "heic")[:18], ""},
		{"not an ftyp box", []byte("\x00\x00\x00\x18moovheicheicheicheic"), ""},
	} {
		if got := heifBrand(tc.data); got != tc.want {
			t.Errorf("%s: heifBrand = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// Damaged box structures never crash the profile search.
func TestHEIFICCSurvivesDamagedBoxes(t *testing.T) {
	p3 := readHEIFFixture(t, "p3.heic")
	if len(heifICC(p3)) == 0 {
		t.Fatal("no profile found in p3.heic: the test proves nothing")
	}
	for n := range len(p3) {
		heifICC(p3[:n])
	}
	for _, b := range [][]byte{
		{0, 0, 0, 1, 'm', 'e', 't', 'a'},                            // 64-bit size, missing
		{0, 0, 0, 1, 'm', 'e', 't', 'a', 0xff, 0, 0, 0, 0, 0, 0, 0}, // 64-bit size, huge
		{0, 0, 0, 4, 'm', 'e', 't', 'a'},                            // size below the header
		{0, 0, 0, 0, 'm', 'e', 't', 'a', 0, 0, 0, 0},                // to the end, empty
	} {
		if got := heifICC(b); got != nil {
			t.Errorf("heifICC(%x) = %x, want nil", b, got)
		}
	}
}
