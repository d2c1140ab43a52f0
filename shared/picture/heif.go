package picture

import (
	"encoding/binary"
	"fmt"
	"image"
	"io"
	"iter"

	"github.com/gen2brain/avif"
	"github.com/gen2brain/heic"
)

// HEIC (the iPhone's default) and AVIF are both HEIF files (ISO/IEC
// 23008-12): ISO base media boxes holding HEVC or AV1 coded images. They are
// decoded by libheif with libde265 (github.com/gen2brain/heic) and by
// libavif with dav1d (github.com/gen2brain/avif), both compiled to
// WebAssembly and run by wazero in the process: nothing to install, and the
// same decoder locally and in Lambda. (Each first tries a shared libheif.so
// or libavif.so through purego; Debian installs those names only with the
// -dev packages, and Lambda has neither.) The WebAssembly module is compiled
// on the first HEIC or AVIF photo, not at start-up.
//
// libheif applies the file's rotation and mirroring (irot, imir), which is
// what HEIF defines: any EXIF orientation inside is not applied again.

// minHEICWidth is the narrowest HEIC that is decoded: the WebAssembly
// decoder (gen2brain/heic v0.4.5) lays out the colour planes of narrower
// ones wrongly (seen below 104 px), which gives wrong colours without an
// error. Phone photos are thousands of pixels wide.
const minHEICWidth = 128

// errSmallHEIC is an Unsupported refusal (see decodeError).
var errSmallHEIC = heicSizeError{}

type heicSizeError struct{}

func (heicSizeError) Error() string {
	return fmt.Sprintf("HEIC pictures narrower than %d pixels cannot be read reliably; send it as JPEG or PNG", minHEICWidth)
}

func heicConfig(r io.Reader) (image.Config, error) {
	cfg, err := heic.DecodeConfig(r)
	if err == nil && cfg.Width > 0 && cfg.Width < minHEICWidth {
		return cfg, errSmallHEIC
	}
	return cfg, err
}

func heicDecode(r io.Reader) (image.Image, error)  { return heic.Decode(r) }
func avifConfig(r io.Reader) (image.Config, error) { return avif.DecodeConfig(r) }
func avifDecode(r io.Reader) (image.Image, error)  { return avif.Decode(r) }

// heifBrands maps the ftyp brands of still HEIF images to their format.
var heifBrands = map[string]string{
	"avif": "avif", "avis": "avif",
	"heic": "heic", "heix": "heic", "heim": "heic", "heis": "heic",
	"hevc": "heic", "hevx": "heic", "hevm": "heic", "hevs": "heic",
}

// heifBrand names the format of an ISO base media file from its ftyp box:
// "heic" for HEVC-coded HEIF, "avif" for AV1-coded, "" for anything else
// (MP4 video, for instance). The generic brands mif1 and msf1 are resolved
// by the compatible brands listed beside them.
func heifBrand(b []byte) string {
	if len(b) < 16 || string(b[4:8]) != "ftyp" {
		return ""
	}
	size := int(binary.BigEndian.Uint32(b))
	if size < 16 || size > len(b) {
		return ""
	}
	brands := [][]byte{b[8:12]} // the major brand, then the compatible ones after the minor version
	for i := 16; i+4 <= size; i += 4 {
		brands = append(brands, b[i:i+4])
	}
	for _, format := range []string{"avif", "heic"} {
		for _, br := range brands {
			if heifBrands[string(br)] == format {
				return format
			}
		}
	}
	return ""
}

// heifICC returns the ICC profile of a HEIF file's colour property (a colr
// box of type prof or rICC in meta/iprp/ipco), or nil. A file whose colour
// is given only as code points (nclx) is taken as sRGB. When a file has
// several, the first is used: phones write one for all the tiles of the
// primary image.
func heifICC(b []byte) []byte {
	for typ, meta := range isoBoxes(b) {
		if typ != "meta" || len(meta) < 4 {
			continue
		}
		for typ, iprp := range isoBoxes(meta[4:]) { // meta is a full box: version and flags first
			if typ != "iprp" {
				continue
			}
			for typ, ipco := range isoBoxes(iprp) {
				if typ != "ipco" {
					continue
				}
				for typ, colr := range isoBoxes(ipco) {
					if typ == "colr" && len(colr) > 4 && (string(colr[:4]) == "prof" || string(colr[:4]) == "rICC") {
						return colr[4:]
					}
				}
			}
		}
	}
	return nil
}

// isoBoxes yields the type and payload of each ISO base media box in b (a
// 32-bit size, a 64-bit one when that is 1, or to the end when it is 0). It
// stops at the first malformed box.
func isoBoxes(b []byte) iter.Seq2[string, []byte] {
	return func(yield func(string, []byte) bool) {
		for len(b) >= 8 {
			size, header := uint64(binary.BigEndian.Uint32(b)), uint64(8)
			typ := string(b[4:8])
			switch size {
			case 0:
				size = uint64(len(b))
			case 1:
				if len(b) < 16 {
					return
				}
				size, header = binary.BigEndian.Uint64(b[8:]), 16
			}
			if size < header || size > uint64(len(b)) {
				return
			}
			if !yield(typ, b[header:size]) {
				return
			}
			b = b[size:]
		}
	}
}
