package colour

import (
	"image"
	"runtime"
	"sync"
)

// AnalysisSide is the longest side, in pixels, that the colour rules read
// at full resolution. A larger picture (a phone's 4032x3024 photo) is first
// box-averaged by the smallest whole factor that brings its long side to
// at most AnalysisSide (6 for 4032 px: 672x504), and both methods measure
// that copy: a 12 MP photo then costs one pass over its pixels for the
// averages, and the reference rule's per-pixel distances run on a third of
// a megapixel. Dataset photos (224 px) are measured pixel for pixel.
const AnalysisSide = 768

// shrunk is a picture box-averaged to w x h pixels, packed R, G, B bytes.
type shrunk struct {
	w, h int
	pix  []byte
}

// rows reads the copy's rows (0-based).
func (s *shrunk) rows() rowFunc {
	return func(y int, dst []byte) { copy(dst, s.pix[3*s.w*y:3*s.w*(y+1)]) }
}

// shrink box-averages img by factor f (each output pixel is the mean of an
// f x f block; the last row and column of blocks may be smaller). Y'CbCr
// pictures are averaged as Y', Cb and Cr (each luma pixel with its own
// chroma sample) and the means converted once, as color.YCbCrToRGB does:
// the conversion is affine, so this is the average of the converted pixels
// up to rounding, except where converting clamps saturated pixels to
// 0..255 (a block mixing such pixels comes out a little more saturated), at
// a third of the cost. Other
// pictures are averaged in 8-bit sRGB over white, like every rule here.
// Bands of rows are averaged on several cores.
func shrink(img image.Image, f int) *shrunk {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	s := &shrunk{w: (w + f - 1) / f, h: (h + f - 1) / f}
	s.pix = make([]byte, 3*s.w*s.h)
	var band func(oy0, oy1 int)
	if m, ok := img.(*image.YCbCr); ok {
		band = func(oy0, oy1 int) { shrinkYCbCr(m, f, s, oy0, oy1) }
	} else {
		row := rowReader(img)
		band = func(oy0, oy1 int) {
			buf := make([]byte, 3*w)
			sums := make([]uint32, 3*s.w)
			for oy := oy0; oy < oy1; oy++ {
				clear(sums)
				y1 := min((oy+1)*f, h)
				for y := oy * f; y < y1; y++ {
					row(b.Min.Y+y, buf)
					for x := range w {
						o := 3 * (x / f)
						sums[o] += uint32(buf[3*x])
						sums[o+1] += uint32(buf[3*x+1])
						sums[o+2] += uint32(buf[3*x+2])
					}
				}
				rows := uint32(y1 - oy*f)
				for ox := range s.w {
					n := rows * uint32(min((ox+1)*f, w)-ox*f)
					d := s.pix[3*(oy*s.w+ox):]
					for c := range 3 {
						d[c] = uint8((sums[3*ox+c] + n/2) / n)
					}
				}
			}
		}
	}
	parallelRows(s.h, band)
	return s
}

// shrinkYCbCr averages output rows oy0..oy1 of a Y'CbCr picture. For each
// row of blocks it first adds the f luma rows, and the chroma row of each
// (a chroma row shared by two luma rows, as in 4:2:0, is added twice), into
// column sums: plain loops over whole rows. Then each block adds its f
// columns, each luma column with its own chroma column.
func shrinkYCbCr(m *image.YCbCr, f int, s *shrunk, oy0, oy1 int) {
	b := m.Rect
	w, h := b.Dx(), b.Dy()
	hd, vd := chromaDivisors(m.SubsampleRatio)
	cw := (b.Max.X-1)/hd - b.Min.X/hd + 1 // chroma columns the picture spans
	cx := make([]int32, w)                // chroma column of each luma column
	for x := range w {
		cx[x] = int32((b.Min.X+x)/hd - b.Min.X/hd)
	}
	ycol := make([]uint32, w)
	cbcol, crcol := make([]uint32, cw), make([]uint32, cw)
	for oy := oy0; oy < oy1; oy++ {
		clear(ycol)
		clear(cbcol)
		clear(crcol)
		y1 := min((oy+1)*f, h)
		for y := oy * f; y < y1; y++ {
			yrow := m.Y[y*m.YStride : y*m.YStride+w]
			for x, v := range yrow {
				ycol[x] += uint32(v)
			}
			ci := ((b.Min.Y+y)/vd - b.Min.Y/vd) * m.CStride
			for x, v := range m.Cb[ci : ci+cw] {
				cbcol[x] += uint32(v)
			}
			for x, v := range m.Cr[ci : ci+cw] {
				crcol[x] += uint32(v)
			}
		}
		rows := uint32(y1 - oy*f)
		for ox := range s.w {
			x0, x1 := ox*f, min((ox+1)*f, w)
			var sy, sb, sr uint32
			for x := x0; x < x1; x++ {
				c := cx[x]
				sy += ycol[x]
				sb += cbcol[c]
				sr += crcol[c]
			}
			n := rows * uint32(x1-x0)
			d := s.pix[3*(oy*s.w+ox):]
			d[0], d[1], d[2] = ycbcrToRGB(uint8((sy+n/2)/n), uint8((sb+n/2)/n), uint8((sr+n/2)/n))
		}
	}
}

// ycbcrToRGB converts one Y'CbCr triple exactly as color.YCbCrToRGB does.
func ycbcrToRGB(y, cb, cr uint8) (uint8, uint8, uint8) {
	yy1 := int32(y) * 0x10101
	cb1 := int32(cb) - 128
	cr1 := int32(cr) - 128
	return clampShift(yy1 + 91881*cr1), clampShift(yy1 - 22554*cb1 - 46802*cr1), clampShift(yy1 + 116130*cb1)
}

// clampShift turns a 16.16 fixed-point channel into 8 bits, clamped to
// 0..255 (the bit trick of color.YCbCrToRGB).
func clampShift(v int32) uint8 {
	if uint32(v)&0xff000000 == 0 {
		return uint8(v >> 16)
	}
	return uint8(^(v >> 31))
}

// chromaDivisors are the horizontal and vertical chroma subsampling
// factors of a Y'CbCr ratio, as in (*image.YCbCr).COffset.
func chromaDivisors(r image.YCbCrSubsampleRatio) (hd, vd int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return 2, 1
	case image.YCbCrSubsampleRatio420:
		return 2, 2
	case image.YCbCrSubsampleRatio440:
		return 1, 2
	case image.YCbCrSubsampleRatio411:
		return 4, 1
	case image.YCbCrSubsampleRatio410:
		return 4, 2
	}
	return 1, 1
}

// parallelRows runs band over [0, n) split into contiguous parts, one per
// core (each part's output is its own, so the result does not depend on
// scheduling).
func parallelRows(n int, band func(y0, y1 int)) {
	parts := min(runtime.GOMAXPROCS(0), max(1, n/16))
	if parts <= 1 {
		band(0, n)
		return
	}
	var wg sync.WaitGroup
	for i := range parts {
		y0, y1 := i*n/parts, (i+1)*n/parts
		wg.Go(func() { band(y0, y1) })
	}
	wg.Wait()
}
