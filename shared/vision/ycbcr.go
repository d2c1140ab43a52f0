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

// fillYCbCr writes m (already at the model's size) into dst as NHWC RGB.
func fillYCbCr(dst []float32, m *image.YCbCr) {
	r := m.Rect
	if m.SubsampleRatio == image.YCbCrSubsampleRatio420 && r.Min.X%2 == 0 && r.Min.Y%2 == 0 {
		fancy420(dst, m)
		return
	}
	o := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			ci := m.COffset(x, y)
			putRGB(dst, o, m.Y[m.YOffset(x, y)], int32(m.Cb[ci]), int32(m.Cr[ci]))
			o += 3
		}
	}
}

// fancy420 upsamples 4:2:0 chroma like libjpeg's h2v2_fancy_upsample: each
// output chroma sample weighs the nearest input sample 9/16, its horizontal
// and vertical neighbours 3/16 each and the diagonal one 1/16, replicating
// samples at the picture's edges.
func fancy420(dst []float32, m *image.YCbCr) {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	cw, ch := (w+1)/2, (h+1)/2
	var buf [2][256]int32
	cbSum, crSum := buf[0][:], buf[1][:]
	if cw > len(cbSum) {
		cbSum, crSum = make([]int32, cw), make([]int32, cw)
	}
	y0 := m.YOffset(m.Rect.Min.X, m.Rect.Min.Y)
	c0 := m.COffset(m.Rect.Min.X, m.Rect.Min.Y)
	o := 0
	for y := range h {
		cy := y / 2
		ny := cy + 1 // the chroma row on the same side as this output row
		if y%2 == 0 {
			ny = cy - 1
		}
		ny = min(max(ny, 0), ch-1)
		near, far := m.Cb[c0+cy*m.CStride:], m.Cb[c0+ny*m.CStride:]
		nearR, farR := m.Cr[c0+cy*m.CStride:], m.Cr[c0+ny*m.CStride:]
		for cx := range cw {
			cbSum[cx] = 3*int32(near[cx]) + int32(far[cx])
			crSum[cx] = 3*int32(nearR[cx]) + int32(farR[cx])
		}
		yRow := m.Y[y0+y*m.YStride : y0+y*m.YStride+w]
		for cx := range cw {
			// Clamping the neighbour at the edges reproduces libjpeg's
			// edge cases: 3*s + s = 4*s.
			l, r := max(cx-1, 0), min(cx+1, cw-1)
			s3b, s3r := 3*cbSum[cx], 3*crSum[cx]
			x := 2 * cx
			putRGB(dst, o, yRow[x], (s3b+cbSum[l]+8)>>4, (s3r+crSum[l]+8)>>4)
			o += 3
			if x+1 < w {
				putRGB(dst, o, yRow[x+1], (s3b+cbSum[r]+7)>>4, (s3r+crSum[r]+7)>>4)
				o += 3
			}
		}
	}
}
