package colour

import (
	"math"
	"sync"

	"github.com/veglens/veglens/shared/veglens"
)

// maxSquared is the largest squared Euclidean distance between two 8-bit
// RGB colours: 3 * 255^2.
const maxSquared = 3 * 255 * 255

// sqrtTable[d] = math.Sqrt(d) for every possible squared distance, so the
// exact sums add exactly the float64 values a per-pixel math.Sqrt would
// and, summed in image order, reach the same sums. It is
// padded to a power of two so that indexing with d&tableMask needs no bounds
// check (d is never above maxSquared, so the mask never changes it). The
// 2 MB table is built on first use: with the vector kernel most processes
// never need it.
var sqrtTable = sync.OnceValue(func() *[tableSize]float64 {
	t := new([tableSize]float64)
	for i := range t {
		t[i] = math.Sqrt(float64(i))
	}
	return t
})

const (
	tableSize = 1 << 18 // > maxSquared
	tableMask = tableSize - 1
)

// refSums accumulates, for each of the 24 palette colours (RGB wheel 0..11,
// RYB wheel 12..23), the sum over the pixels seen so far of the Euclidean
// RGB distance to that colour.
//
// Where the CPU has AVX and FMA (useVectorSums), rows are first summed as
// estimates: float32 distances, eight palette colours per vector
// instruction (rowSumsVector). settle then proves from the estimates'
// error bound that the winner on each wheel is the one the exact float64
// sums give, and sums that wheel again exactly, pixel by pixel, only when
// it cannot (two entries within the bound of each other, as for a grey
// picture, where several entries tie). Exact sums made in bands (large
// pictures, several cores) are added in another order than one running
// sum, so settle checks those the same way, with their rounding as the
// bound.
type refSums struct {
	sum [24]float64
	n   int64
	// estimated marks sums that are float32 estimates, each within
	// estimateBound(width, rows) of its exact value (relative).
	estimated bool
	// banded marks sums merged from several bands of rows.
	banded bool
	width  int   // the longest row added, in pixels
	rows   int64 // rows added
}

// addRow adds one row of R, G, B triples.
func (s *refSums) addRow(px []byte) {
	if useVectorSums {
		s.addRowVector(px)
	} else {
		s.addRowRGB(px)
		s.addRowRYB(px)
	}
	s.n += int64(len(px) / 3)
	s.width = max(s.width, len(px)/3)
	s.rows++
}

// merge adds the sums of another band of rows.
func (s *refSums) merge(o *refSums) {
	s.banded = s.banded || o.banded || (s.rows > 0 && o.rows > 0)
	for k := range s.sum {
		s.sum[k] += o.sum[k]
	}
	s.n += o.n
	s.width = max(s.width, o.width)
	s.rows += o.rows
	s.estimated = s.estimated || o.estimated
}

// exactWheel replaces palette p's sums (0 = RGB, 1 = RYB) by exact ones
// in image order, reading the h rows of the picture again (row takes
// 0-based row numbers).
func (s *refSums) exactWheel(p int, row rowFunc, w, h int) {
	var e refSums
	buf := make([]byte, 3*w)
	for y := range h {
		row(y, buf)
		if p == 0 {
			e.addRowRGB(buf)
		} else {
			e.addRowRYB(buf)
		}
	}
	copy(s.sum[12*p:12*p+12], e.sum[12*p:12*p+12])
}

// settle makes the winners exact: for each wheel whose winner cannot be
// proven (certain) from estimated or banded sums, it sums the wheel again
// exactly, in image order; row reads the w x h picture's rows, numbered
// from 0. It reports, per wheel, whether the sums are still estimates.
func (s *refSums) settle(row rowFunc, w, h int) (estimated [2]bool) {
	var bound float64
	switch {
	case s.estimated:
		bound = estimateBound(s.width, s.rows)
	case s.banded:
		bound = gamma(s.n+1, 0x1p-53) // each sum's rounding, in any order
	default:
		return // one running sum, exactly as a plain loop forms it
	}
	for p := range 2 {
		if s.certain(p, bound) {
			estimated[p] = s.estimated
			continue
		}
		s.exactWheel(p, row, w, h)
	}
	s.estimated, s.banded = false, false
	return estimated
}

// gamma is Higham's gamma(m) = m*u / (1 - m*u) for unit roundoff u: the
// relative error bound of a recursive sum of m+1 nonnegative terms (Higham,
// "Accuracy and Stability of Numerical Algorithms", 2nd ed., section 4.2).
// It is +Inf where m*u >= 1, where no bound holds.
func gamma(m int64, u float64) float64 {
	mu := float64(m) * u
	if mu >= 1 {
		return math.Inf(1)
	}
	return mu / (1 - mu)
}

// estimateBound is the largest relative error of an estimated sum over
// rows of at most width pixels, and rows rows. Each distance is d exact in
// float32 (integers below 2^24), then one correctly rounded VSQRTPS: error
// at most u = 2^-24 relative. A row's width distances per colour are added
// in one float32 lane, at most gamma(width-1) more; the two together stay
// within gamma(width). Rows are added in float64: at most gamma64(rows)
// more. At 224 px rows the bound is 1.3e-5, at 768 px 4.6e-5.
func estimateBound(width int, rows int64) float64 {
	return (1+gamma(int64(width), 0x1p-24))*(1+gamma(rows, 0x1p-53)) - 1
}

// certain reports whether the winner of palette p by the present sums is
// surely the winner of the exact float64 sums a plain per-pixel loop
// forms, given that each present sum is within relative error bound of
// the true sum: whether every other entry's sum is further away than both
// sums' errors allow. The plain loop's own error is at most gamma64(n).
func (s *refSums) certain(p int, bound float64) bool {
	e := gamma(s.n+1, 0x1p-53)
	// A true sum S and the present sum E: E/(1+d) <= S <= E/(1-d); the
	// plain float64 sum F: S(1-e) <= F <= S(1+e). Both bounds are doubled
	// for the rounding of this comparison itself.
	d := bound
	if !(2*d < 0.5 && 2*e < 0.5) { // no useful bound (or NaN): prove nothing
		return false
	}
	hi := (1 + 2*e) / (1 - 2*d)
	lo := (1 - 2*e) / (1 + 2*d)
	b := s.winner(p)
	for k := range 12 {
		if k != b && !(s.sum[12*p+b]*hi < s.sum[12*p+k]*lo) {
			return false
		}
	}
	return true
}

// addRowRGB handles the RGB wheel, whose channels are all 0x00, 0x80 or
// 0xFF, so three squares per channel give every distance.
func (s *refSums) addRowRGB(px []byte) {
	tab := sqrtTable()
	a0, a1, a2, a3, a4, a5 := s.sum[0], s.sum[1], s.sum[2], s.sum[3], s.sum[4], s.sum[5]
	a6, a7, a8, a9, a10, a11 := s.sum[6], s.sum[7], s.sum[8], s.sum[9], s.sum[10], s.sum[11]
	for ; len(px) >= 3; px = px[3:] {
		r, g, b := int32(px[0]), int32(px[1]), int32(px[2])
		r0, r1, r2 := r*r, (r-0x80)*(r-0x80), (r-0xFF)*(r-0xFF)
		g0, g1, g2 := g*g, (g-0x80)*(g-0x80), (g-0xFF)*(g-0xFF)
		b0, b1, b2 := b*b, (b-0x80)*(b-0x80), (b-0xFF)*(b-0xFF)
		a0 += tab[(r2+g0+b0)&tableMask]  // red #FF0000
		a1 += tab[(r2+g1+b0)&tableMask]  // orange #FF8000
		a2 += tab[(r2+g2+b0)&tableMask]  // yellow #FFFF00
		a3 += tab[(r1+g2+b0)&tableMask]  // chartreuse #80FF00
		a4 += tab[(r0+g2+b0)&tableMask]  // green #00FF00
		a5 += tab[(r0+g2+b1)&tableMask]  // spring green #00FF80
		a6 += tab[(r0+g2+b2)&tableMask]  // cyan #00FFFF
		a7 += tab[(r0+g1+b2)&tableMask]  // azure #0080FF
		a8 += tab[(r0+g0+b2)&tableMask]  // blue #0000FF
		a9 += tab[(r1+g0+b2)&tableMask]  // violet #8000FF
		a10 += tab[(r2+g0+b2)&tableMask] // magenta #FF00FF
		a11 += tab[(r2+g0+b1)&tableMask] // rose #FF0080
	}
	s.sum[0], s.sum[1], s.sum[2], s.sum[3], s.sum[4], s.sum[5] = a0, a1, a2, a3, a4, a5
	s.sum[6], s.sum[7], s.sum[8], s.sum[9], s.sum[10], s.sum[11] = a6, a7, a8, a9, a10, a11
}

// rybSquares packs, for each channel and each group of three RYB colours,
// the three squared channel differences into one uint64, 21 bits each. A
// squared distance is at most maxSquared < 2^18, so adding the three
// channels' words never carries from one field into the next, and one word
// sum holds three exact squared distances.
var rybSquares = func() (t [3][4][256]uint64) {
	for c := range 3 {
		for j := range 4 {
			for v := range 256 {
				var w uint64
				for e := range 3 {
					d := int64(v) - int64(rybCodes[3*j+e]>>(16-8*c)&0xFF)
					w |= uint64(d*d) << (21 * e)
				}
				t[c][j][v] = w
			}
		}
	}
	return t
}()

// addRowRYB handles the RYB wheel: three table reads (one per channel) and
// two additions give the squared distances to three palette colours.
func (s *refSums) addRowRYB(px []byte) {
	tab := sqrtTable()
	tr, tg, tb := &rybSquares[0], &rybSquares[1], &rybSquares[2]
	a0, a1, a2, a3, a4, a5 := s.sum[12], s.sum[13], s.sum[14], s.sum[15], s.sum[16], s.sum[17]
	a6, a7, a8, a9, a10, a11 := s.sum[18], s.sum[19], s.sum[20], s.sum[21], s.sum[22], s.sum[23]
	for ; len(px) >= 3; px = px[3:] {
		r, g, b := px[0], px[1], px[2]
		w0 := tr[0][r] + tg[0][g] + tb[0][b]
		w1 := tr[1][r] + tg[1][g] + tb[1][b]
		w2 := tr[2][r] + tg[2][g] + tb[2][b]
		w3 := tr[3][r] + tg[3][g] + tb[3][b]
		a0 += tab[w0&tableMask]
		a1 += tab[w0>>21&tableMask]
		a2 += tab[w0>>42&tableMask]
		a3 += tab[w1&tableMask]
		a4 += tab[w1>>21&tableMask]
		a5 += tab[w1>>42&tableMask]
		a6 += tab[w2&tableMask]
		a7 += tab[w2>>21&tableMask]
		a8 += tab[w2>>42&tableMask]
		a9 += tab[w3&tableMask]
		a10 += tab[w3>>21&tableMask]
		a11 += tab[w3>>42&tableMask]
	}
	s.sum[12], s.sum[13], s.sum[14], s.sum[15], s.sum[16], s.sum[17] = a0, a1, a2, a3, a4, a5
	s.sum[18], s.sum[19], s.sum[20], s.sum[21], s.sum[22], s.sum[23] = a6, a7, a8, a9, a10, a11
}

// rybCodes are the RYB wheel's colours as 0xRRGGBB, in wheel order.
var rybCodes = func() (codes [12]int32) {
	for k, c := range veglens.RYBWheel.Colours {
		r, g, b := c.RGB()
		codes[k] = int32(r)<<16 | int32(g)<<8 | int32(b)
	}
	return codes
}()

// winner returns the index (0..11) of the palette colour with the smallest
// sum for palette p (0 = RGB, 1 = RYB); ties go to the earlier entry.
func (s *refSums) winner(p int) int {
	best := 0
	for k := 1; k < 12; k++ {
		if s.sum[12*p+k] < s.sum[12*p+best] {
			best = k
		}
	}
	return best
}

// mean returns the mean distance to entry k of palette p.
func (s *refSums) mean(p, k int) float64 {
	if s.n == 0 {
		return 0
	}
	return s.sum[12*p+k] / float64(s.n)
}
