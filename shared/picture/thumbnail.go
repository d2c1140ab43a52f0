package picture

import (
	"image"

	xdraw "golang.org/x/image/draw"
)

// Thumbnail returns img scaled down so that its longer side is at most
// maxSide pixels, keeping the aspect ratio (Catmull-Rom filter). An image
// that already fits is returned unchanged. Transparent areas become white.
func Thumbnail(img image.Image, maxSide int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if maxSide <= 0 || (w <= maxSide && h <= maxSide) {
		return img
	}
	tw, th := maxSide, maxSide
	if w >= h {
		th = max(1, int(float64(h)*float64(maxSide)/float64(w)+0.5))
	} else {
		tw = max(1, int(float64(w)*float64(maxSide)/float64(h)+0.5))
	}
	dst := image.NewRGBA(image.Rect(0, 0, tw, th))
	op := xdraw.Src
	if !IsOpaque(img) {
		FillWhite(dst)
		op = xdraw.Over
	}
	xdraw.CatmullRom.Scale(dst, dst.Rect, img, b, op, nil)
	return dst
}

// IsOpaque reports whether img has no transparent pixel, cheaply for the
// types Decode produces.
func IsOpaque(img image.Image) bool {
	switch m := img.(type) {
	case *image.YCbCr, *image.Gray, *image.CMYK:
		return true
	case interface{ Opaque() bool }:
		return m.Opaque()
	}
	return false
}

// FillWhite paints every pixel of m opaque white.
func FillWhite(m *image.RGBA) {
	for i := range m.Pix {
		m.Pix[i] = 0xff
	}
}
