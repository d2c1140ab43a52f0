package vision

import (
	"image"

	xdraw "golang.org/x/image/draw"
)

// resizer scales a whole picture to the model's square input, ignoring the
// aspect ratio, exactly as the training code feeds the model. Bilinear with
// its support widened when shrinking is what PIL's Image.resize(BILINEAR)
// (torchvision's Resize) does, so the model sees the same kind of pixels.
var resizer = xdraw.BiLinear

// fillTensor writes img, resized to size x size, into dst as NHWC float32 RGB
// values in 0..255. scratch is a size x size *image.RGBA reused between
// calls. Transparent pixels are composited over white.
//
// The common types are read straight from their pixel slices; only unusual
// image types pay for a generic conversion.
func fillTensor(dst []float32, img image.Image, size int, scratch *image.RGBA) {
	b := img.Bounds()
	if b.Dx() != size || b.Dy() != size {
		op := xdraw.Src
		if !isOpaque(img) { // start from white so that transparent areas end up white
			fillWhite(scratch)
			op = xdraw.Over
		}
		resizer.Scale(scratch, scratch.Rect, img, b, op, nil)
		img, b = scratch, scratch.Rect
	}
	switch m := img.(type) {
	case *image.YCbCr:
		fillYCbCr(dst, m)
	case *image.RGBA: // premultiplied: over white is c + (255 - a)
		o := 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, y) : m.PixOffset(b.Max.X-1, y)+4]
			for i := 0; i < len(row); i += 4 {
				white := float32(255 - row[i+3])
				dst[o], dst[o+1], dst[o+2] = float32(row[i])+white, float32(row[i+1])+white, float32(row[i+2])+white
				o += 3
			}
		}
	case *image.NRGBA:
		o := 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, y) : m.PixOffset(b.Max.X-1, y)+4]
			for i := 0; i < len(row); i += 4 {
				a := float32(row[i+3]) / 255
				white := 255 * (1 - a)
				dst[o] = float32(row[i])*a + white
				dst[o+1] = float32(row[i+1])*a + white
				dst[o+2] = float32(row[i+2])*a + white
				o += 3
			}
		}
	case *image.Gray:
		o := 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			start := m.PixOffset(b.Min.X, y)
			for _, v := range m.Pix[start : start+b.Dx()] {
				f := float32(v)
				dst[o], dst[o+1], dst[o+2] = f, f, f
				o += 3
			}
		}
	default: // anything else: convert once through the scratch image
		fillWhite(scratch)
		xdraw.Draw(scratch, scratch.Rect, img, b.Min, xdraw.Over)
		fillTensor(dst, scratch, size, scratch)
	}
}

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
	if !isOpaque(img) {
		fillWhite(dst)
		op = xdraw.Over
	}
	xdraw.CatmullRom.Scale(dst, dst.Rect, img, b, op, nil)
	return dst
}

// isOpaque reports whether img has no transparent pixel, cheaply for the
// types Decode produces.
func isOpaque(img image.Image) bool {
	switch m := img.(type) {
	case *image.YCbCr, *image.Gray, *image.CMYK:
		return true
	case interface{ Opaque() bool }:
		return m.Opaque()
	}
	return false
}

func fillWhite(m *image.RGBA) {
	for i := range m.Pix {
		m.Pix[i] = 0xff
	}
}
