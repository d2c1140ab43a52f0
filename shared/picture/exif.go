package picture

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/draw"
	"iter"
)

// exifOrientation returns the EXIF orientation tag (1-8) stored in a JPEG
// (APP1 "Exif"), PNG (eXIf chunk) or WebP (EXIF chunk) file, or 1 when there
// is none or it cannot be read. A damaged EXIF block never refuses a picture:
// the pixels are still good.
func exifOrientation(format string, data []byte) int {
	var tiff []byte
	switch format {
	case "jpeg":
		tiff = jpegExif(data)
	case "png":
		tiff = pngExif(data)
	case "webp":
		tiff = webpExif(data)
	}
	if o := tiffOrientation(tiff); o >= 1 && o <= 8 {
		return o
	}
	return 1
}

var exifHeader = []byte("Exif\x00\x00")

// jpegExif returns the TIFF block of the first Exif APP1 segment.
func jpegExif(b []byte) []byte {
	for marker, seg := range jpegSegments(b) {
		if marker == 0xe1 && bytes.HasPrefix(seg, exifHeader) {
			return seg[len(exifHeader):]
		}
	}
	return nil
}

// jpegSegments yields the marker and payload (after the length) of each
// header segment of a JPEG file, up to the start of scan; standalone
// markers and fill bytes are stepped over.
func jpegSegments(b []byte) iter.Seq2[byte, []byte] {
	return func(yield func(byte, []byte) bool) {
		i := 2 // after SOI
		for i+4 <= len(b) {
			if b[i] != 0xff {
				return
			}
			marker := b[i+1]
			switch {
			case marker == 0xff: // fill byte
				i++
				continue
			case marker == 0xd8 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7): // no length
				i += 2
				continue
			case marker == 0xda || marker == 0xd9: // start of scan, end of image: no more metadata
				return
			}
			n := int(binary.BigEndian.Uint16(b[i+2:])) // includes the two length bytes
			if n < 2 || i+2+n > len(b) || !yield(marker, b[i+4:i+2+n]) {
				return
			}
			i += 2 + n
		}
	}
}

// pngExif returns the contents of the eXIf chunk.
func pngExif(b []byte) []byte { return pngChunk(b, "eXIf") }

// pngChunk returns the data of the first chunk of type typ of a PNG file,
// or nil.
func pngChunk(b []byte, typ string) []byte {
	i := 8 // after the signature
	for i+8 <= len(b) {
		n := int(binary.BigEndian.Uint32(b[i:]))
		t := string(b[i+4 : i+8])
		if n < 0 || i+12+n > len(b) {
			return nil
		}
		if t == typ {
			return b[i+8 : i+8+n]
		}
		if t == "IEND" {
			return nil
		}
		i += 12 + n // length, type, data, CRC
	}
	return nil
}

// webpExif returns the contents of the EXIF chunk of a RIFF WebP file.
func webpExif(b []byte) []byte {
	return bytes.TrimPrefix(webpChunk(b, "EXIF"), exifHeader) // some writers keep the JPEG prefix
}

// webpChunk returns the data of the first chunk fourCC of a RIFF WebP
// file, or nil.
func webpChunk(b []byte, fourCC string) []byte {
	i := 12 // after "RIFF" size "WEBP"
	for i+8 <= len(b) {
		n := int(binary.LittleEndian.Uint32(b[i+4:]))
		if n < 0 || i+8+n > len(b) {
			return nil
		}
		if string(b[i:i+4]) == fourCC {
			return b[i+8 : i+8+n]
		}
		i += 8 + n + n&1 // chunks are padded to an even size
	}
	return nil
}

// tiffOrientation reads tag 0x0112 (Orientation) from IFD0 of a TIFF block,
// returning 0 if it is absent or unreadable.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0
	}
	if bo.Uint16(t[2:]) != 42 {
		return 0
	}
	ifd := int64(bo.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > int64(len(t)) {
		return 0
	}
	count := int64(bo.Uint16(t[ifd:]))
	for e := ifd + 2; e+12 <= int64(len(t)) && count > 0; e, count = e+12, count-1 {
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		if bo.Uint16(t[e+2:]) != 3 { // must be SHORT
			return 0
		}
		return int(bo.Uint16(t[e+8:]))
	}
	return 0
}

// orient turns img so that it displays upright according to an EXIF
// orientation value (1 = already upright). The result is an *image.RGBA
// whenever a transform is needed.
func orient(img image.Image, orientation int) image.Image {
	if orientation <= 1 || orientation > 8 {
		return img
	}
	src, ok := img.(*image.RGBA)
	if !ok {
		b := img.Bounds()
		src = image.NewRGBA(b)
		draw.Draw(src, b, img, b.Min, draw.Src)
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if orientation >= 5 { // 5-8 swap width and height
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for dy := 0; dy < dh; dy++ {
		for dx := 0; dx < dw; dx++ {
			var sx, sy int
			switch orientation {
			case 2: // mirrored horizontally
				sx, sy = w-1-dx, dy
			case 3: // rotated 180°
				sx, sy = w-1-dx, h-1-dy
			case 4: // mirrored vertically
				sx, sy = dx, h-1-dy
			case 5: // transposed
				sx, sy = dy, dx
			case 6: // needs 90° clockwise
				sx, sy = dy, h-1-dx
			case 7: // transversed
				sx, sy = w-1-dy, h-1-dx
			case 8: // needs 90° counter-clockwise
				sx, sy = w-1-dy, dx
			}
			si := src.PixOffset(b.Min.X+sx, b.Min.Y+sy)
			di := dy*dst.Stride + dx*4
			copy(dst.Pix[di:di+4], src.Pix[si:si+4])
		}
	}
	return dst
}
