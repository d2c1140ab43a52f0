package vision

import (
	"image"

	"github.com/veglens/veglens/shared/picture"
	xdraw "golang.org/x/image/draw"
)

// fillTensor writes img, resized to size x size, into dst as NHWC float32 RGB
// values in 0..255. Transparent pixels are composited over white.
//
// Resizing stretches the whole picture to the square input, as the training
// code does (PIL's Image.resize((size, size), BILINEAR)); a picture that
// already has the input's size is copied as is.
func fillTensor(dst []float32, img image.Image, size int) {
	b := img.Bounds()
	rows := rgbRows(img)
	if b.Dx() == size && b.Dy() == size {
		for y := range size {
			rows(y, dst[y*size*3:(y+1)*size*3])
		}
		return
	}
	resample(dst, rows, b.Dx(), b.Dy(), size, size)
}

// rgbRows returns a function that writes row y (counted from the top of the
// image's bounds) as RGB float32 triples, composited over white. The types
// decoders produce are read straight from their pixel slices.
func rgbRows(img image.Image) func(y int, dst []float32) {
	b := img.Bounds()
	w := b.Dx()
	switch m := img.(type) {
	case *image.YCbCr:
		return ycbcrRows(m)
	case *image.RGBA: // premultiplied: over white is c + (255 - a)
		return func(y int, dst []float32) {
			i := m.PixOffset(b.Min.X, b.Min.Y+y)
			row := m.Pix[i : i+4*w]
			for x := range w {
				p := row[4*x : 4*x+4]
				white := float32(255 - p[3])
				dst[3*x], dst[3*x+1], dst[3*x+2] = float32(p[0])+white, float32(p[1])+white, float32(p[2])+white
			}
		}
	case *image.NRGBA:
		return func(y int, dst []float32) {
			i := m.PixOffset(b.Min.X, b.Min.Y+y)
			row := m.Pix[i : i+4*w]
			for x := range w {
				p := row[4*x : 4*x+4]
				a := float32(p[3]) / 255
				white := 255 * (1 - a)
				dst[3*x] = float32(p[0])*a + white
				dst[3*x+1] = float32(p[1])*a + white
				dst[3*x+2] = float32(p[2])*a + white
			}
		}
	case *image.Gray:
		return func(y int, dst []float32) {
			i := m.PixOffset(b.Min.X, b.Min.Y+y)
			for x, v := range m.Pix[i : i+w] {
				f := float32(v)
				dst[3*x], dst[3*x+1], dst[3*x+2] = f, f, f
			}
		}
	}
	// Anything else (CMYK, palette, 16-bit...): convert once over white.
	rgba := image.NewRGBA(b)
	picture.FillWhite(rgba)
	xdraw.Draw(rgba, b, img, b.Min, xdraw.Over)
	return rgbRows(rgba)
}
