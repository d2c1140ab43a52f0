// Package picturetest makes the pictures tests of the labelling path need:
// enlarged photos and headers that claim more pixels than they hold.
package picturetest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/jpeg"
	"testing"

	"golang.org/x/image/draw"
)

// Enlarge decodes a JPEG and returns it scaled (bilinear) to side x side*3/4
// pixels, re-encoded as a JPEG of quality 85.
func Enlarge(t testing.TB, photo []byte, side int) []byte {
	t.Helper()
	src, err := jpeg.Decode(bytes.NewReader(photo))
	if err != nil {
		t.Fatal(err)
	}
	dst := image.NewRGBA(image.Rect(0, 0, side, side*3/4))
	draw.BiLinear.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// PNGHeader is a valid PNG signature and IHDR chunk claiming w x h pixels
// (8-bit RGB), with no pixel data: a decompression bomb's calling card, or,
// small, a picture too small to label.
func PNGHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.Write([]byte("\x89PNG\r\n\x1a\n"))
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2
	chunk := append([]byte("IHDR"), ihdr...)
	_ = binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	b.Write(chunk)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}
