package vision

import "math"

// resample resizes an inW x inH picture, read row by row through rows, to
// outW x outH into dst (NHWC RGB float32), the way PIL's
// Image.resize(BILINEAR) does: a separable triangle filter whose support
// widens with the shrink factor (so every source pixel counts), horizontal
// pass first, each pass rounded to 8 bits. Source rows are read once, in
// order, and each is added to the output rows it contributes to, so memory
// stays at a few rows however large the picture.
func resample(dst []float32, rows func(y int, dst []float32), inW, inH, outW, outH int) {
	xs, xw := filterCoeffs(inW, outW)
	ys, yw := filterCoeffs(inH, outH)
	src := make([]float32, 3*inW)
	hrow := make([]float32, 3*outW)
	acc := make([]float32, 3*outW*outH)

	first := 0 // the first output row whose window has not been passed
	for y := range inH {
		for first < outH && ys[first]+len(yw[first]) <= y {
			first++
		}
		if first == outH {
			break
		}
		if ys[first] > y {
			continue // no output row uses this source row
		}
		rows(y, src)
		for xx := range outW {
			var r, g, b float32
			s := src[3*xs[xx]:]
			for k, w := range xw[xx] {
				r += w * s[3*k]
				g += w * s[3*k+1]
				b += w * s[3*k+2]
			}
			hrow[3*xx], hrow[3*xx+1], hrow[3*xx+2] = round8(r), round8(g), round8(b)
		}
		for yy := first; yy < outH && ys[yy] <= y; yy++ {
			k := y - ys[yy]
			if k >= len(yw[yy]) {
				continue
			}
			w := yw[yy][k]
			out := acc[3*outW*yy : 3*outW*(yy+1)]
			for i, v := range hrow {
				out[i] += w * v
			}
		}
	}
	for i, v := range acc {
		dst[i] = round8(v)
	}
}

// filterCoeffs computes, for each output position, the first source index
// and the normalised triangle-filter weights (PIL's precompute_coeffs with
// the bilinear filter).
func filterCoeffs(in, out int) (start []int, weights [][]float32) {
	scale := float64(in) / float64(out)
	filterScale := max(scale, 1)
	support := filterScale // the triangle filter's support is 1
	start = make([]int, out)
	weights = make([][]float32, out)
	for o := range out {
		center := (float64(o) + 0.5) * scale
		lo := max(int(center-support+0.5), 0)
		hi := min(int(center+support+0.5), in)
		w := make([]float64, hi-lo)
		total := 0.0
		for i := range w {
			w[i] = max(0, 1-math.Abs((float64(lo+i)-center+0.5)/filterScale))
			total += w[i]
		}
		ws := make([]float32, len(w))
		for i := range w {
			if total != 0 {
				ws[i] = float32(w[i] / total)
			}
		}
		start[o], weights[o] = lo, ws
	}
	return start, weights
}

// round8 rounds to the nearest 8-bit value, as PIL stores each pass.
func round8(v float32) float32 {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return float32(math.Floor(float64(v) + 0.5))
}
