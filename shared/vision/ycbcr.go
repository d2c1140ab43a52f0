package vision

import "image"

// The model was trained on photos decoded by PIL, i.e. by libjpeg-turbo. Go's
// image/jpeg returns the same Y, Cb and Cr samples but leaves chroma at half
// resolution, and image/color rounds the YCbCr to RGB conversion a little
// differently. fillYCbCr reproduces libjpeg's defaults, "fancy" (triangular)
// chroma upsampling for 4:2:0 and its fixed-point colour conversion, so that
// the model sees the pixels it was trained on rather than values a level or
// two off (up to ~25 levels along coloured edges).

// libjpeg's YCbCr -> RGB tables (jdcolor.c, build_ycc_rgb_table).
var yccTables = func() (t struct{ crR, cbB, crG, cbG [256]int32 }) {
	const half = 1 << 15
	fix := func(x float64) int32 { return int32(x*65536 + 0.5) }
	for i := range 256 {
		x := int32(i - 128)
		t.crR[i] = (fix(1.40200)*x + half) >> 16
		t.cbB[i] = (fix(1.77200)*x + half) >> 16
		t.crG[i] = -fix(0.71414) * x
		t.cbG[i] = -fix(0.34414)*x + half
	}
	return t
}()

func clampInt(v int32) float32 {
	switch {
	case v < 0:
		return 0
	case v > 255:
		return 255
	}
	return float32(v)
}

// putRGB converts one sample the way libjpeg does and stores it at dst[o:o+3].
func putRGB(dst []float32, o int, y uint8, cb, cr int32) {
	yy := int32(y)
	dst[o] = clampInt(yy + yccTables.crR[cr])
	dst[o+1] = clampInt(yy + (yccTables.cbG[cb]+yccTables.crG[cr])>>16)
	dst[o+2] = clampInt(yy + yccTables.cbB[cb])
}

// ycbcrRows returns a row function for m: libjpeg's fancy upsampling for
// 4:2:0 (the usual JPEG layout), nearest chroma for the other layouts.
func ycbcrRows(m *image.YCbCr) func(y int, dst []float32) {
	r := m.Rect
	if m.SubsampleRatio == image.YCbCrSubsampleRatio420 && r.Min.X%2 == 0 && r.Min.Y%2 == 0 {
		return newFancy420(m).row
	}
	return func(y int, dst []float32) {
		y += r.Min.Y
		for x := r.Min.X; x < r.Max.X; x++ {
			ci := m.COffset(x, y)
			putRGB(dst, 3*(x-r.Min.X), m.Y[m.YOffset(x, y)], int32(m.Cb[ci]), int32(m.Cr[ci]))
		}
	}
}

// fancy420 upsamples 4:2:0 chroma like libjpeg's h2v2_fancy_upsample: each
// output chroma sample weighs the nearest input sample 9/16, its horizontal
// and vertical neighbours 3/16 each and the diagonal one 1/16, replicating
// samples at the picture's edges.
type fancy420 struct {
	m            *image.YCbCr
	w, cw, ch    int
	y0, c0       int     // offsets of the top-left sample
	cbSum, crSum []int32 // 3*near + far chroma row sums
}

func newFancy420(m *image.YCbCr) *fancy420 {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	cw := (w + 1) / 2
	return &fancy420{
		m: m, w: w, cw: cw, ch: (h + 1) / 2,
		y0:    m.YOffset(m.Rect.Min.X, m.Rect.Min.Y),
		c0:    m.COffset(m.Rect.Min.X, m.Rect.Min.Y),
		cbSum: make([]int32, cw), crSum: make([]int32, cw),
	}
}

// row writes output row y (0-based) into dst.
func (f *fancy420) row(y int, dst []float32) {
	m, cw := f.m, f.cw
	cy := y / 2
	ny := cy + 1 // the chroma row on the same side as this output row
	if y%2 == 0 {
		ny = cy - 1
	}
	ny = min(max(ny, 0), f.ch-1)
	near, far := m.Cb[f.c0+cy*m.CStride:], m.Cb[f.c0+ny*m.CStride:]
	nearR, farR := m.Cr[f.c0+cy*m.CStride:], m.Cr[f.c0+ny*m.CStride:]
	cbSum, crSum := f.cbSum, f.crSum
	for cx := range cw {
		cbSum[cx] = 3*int32(near[cx]) + int32(far[cx])
		crSum[cx] = 3*int32(nearR[cx]) + int32(farR[cx])
	}
	yRow := m.Y[f.y0+y*m.YStride : f.y0+y*m.YStride+f.w]
	o := 0
	for cx := range cw {
		// Clamping the neighbour at the edges reproduces libjpeg's edge
		// cases: 3*s + s = 4*s.
		l, r := max(cx-1, 0), min(cx+1, cw-1)
		s3b, s3r := 3*cbSum[cx], 3*crSum[cx]
		x := 2 * cx
		putRGB(dst, o, yRow[x], (s3b+cbSum[l]+8)>>4, (s3r+crSum[l]+8)>>4)
		o += 3
		if x+1 < f.w {
			putRGB(dst, o, yRow[x+1], (s3b+cbSum[r]+7)>>4, (s3r+crSum[r]+7)>>4)
			o += 3
		}
	}
}
