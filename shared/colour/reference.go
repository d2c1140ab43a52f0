package colour

import "math"

// maxSquared is the largest squared Euclidean distance between two 8-bit
// RGB colours: 3 * 255^2.
const maxSquared = 3 * 255 * 255

// sqrtTable[d] = math.Sqrt(d) for every possible squared distance, so the
// reference method adds exactly the float64 values a per-pixel math.Sqrt
// would, in the same order, and therefore reaches the same sums.
var sqrtTable = func() []float64 {
	t := make([]float64, maxSquared+1)
	for i := range t {
		t[i] = math.Sqrt(float64(i))
	}
	return t
}()

// refSums accumulates, for each of the 24 palette colours, the sum over the
// pixels seen so far of the Euclidean RGB distance to that colour.
type refSums struct {
	sum [24]float64
	n   int64
}

// addRow adds one row of R, G, B triples. The 24 sums live in registers
// while a row is processed; the sums for each palette colour are still
// built pixel by pixel in image order, exactly as a plain loop would.
func (s *refSums) addRow(px []byte) {
	s.addRowRGB(px)
	s.addRowRYB(px)
	s.n += int64(len(px) / 3)
}

// addRowRGB handles the RGB wheel, whose channels are all 0x00, 0x80 or
// 0xFF, so three squares per channel give every distance.
func (s *refSums) addRowRGB(px []byte) {
	tab := (*[maxSquared + 1]float64)(sqrtTable)
	a0, a1, a2, a3, a4, a5 := s.sum[0], s.sum[1], s.sum[2], s.sum[3], s.sum[4], s.sum[5]
	a6, a7, a8, a9, a10, a11 := s.sum[6], s.sum[7], s.sum[8], s.sum[9], s.sum[10], s.sum[11]
	for i := 0; i+2 < len(px); i += 3 {
		r, g, b := int32(px[i]), int32(px[i+1]), int32(px[i+2])
		r0, r1, r2 := r*r, (r-0x80)*(r-0x80), (r-0xFF)*(r-0xFF)
		g0, g1, g2 := g*g, (g-0x80)*(g-0x80), (g-0xFF)*(g-0xFF)
		b0, b1, b2 := b*b, (b-0x80)*(b-0x80), (b-0xFF)*(b-0xFF)
		a0 += tab[r2+g0+b0]  // red #FF0000
		a1 += tab[r2+g1+b0]  // orange #FF8000
		a2 += tab[r2+g2+b0]  // yellow #FFFF00
		a3 += tab[r1+g2+b0]  // chartreuse #80FF00
		a4 += tab[r0+g2+b0]  // green #00FF00
		a5 += tab[r0+g2+b1]  // spring green #00FF80
		a6 += tab[r0+g2+b2]  // cyan #00FFFF
		a7 += tab[r0+g1+b2]  // azure #0080FF
		a8 += tab[r0+g0+b2]  // blue #0000FF
		a9 += tab[r1+g0+b2]  // violet #8000FF
		a10 += tab[r2+g0+b2] // magenta #FF00FF
		a11 += tab[r2+g0+b1] // rose #FF0080
	}
	s.sum[0], s.sum[1], s.sum[2], s.sum[3], s.sum[4], s.sum[5] = a0, a1, a2, a3, a4, a5
	s.sum[6], s.sum[7], s.sum[8], s.sum[9], s.sum[10], s.sum[11] = a6, a7, a8, a9, a10, a11
}

// d2 is the squared distance between (r, g, b) and the colour 0xRRGGBB.
func d2(r, g, b, c int32) int32 {
	dr, dg, db := r-c>>16, g-c>>8&0xFF, b-c&0xFF
	return dr*dr + dg*dg + db*db
}

// addRowRYB handles the RYB wheel (its colours spelled out; a test checks
// them against RYBWheel).
func (s *refSums) addRowRYB(px []byte) {
	tab := (*[maxSquared + 1]float64)(sqrtTable)
	a0, a1, a2, a3, a4, a5 := s.sum[12], s.sum[13], s.sum[14], s.sum[15], s.sum[16], s.sum[17]
	a6, a7, a8, a9, a10, a11 := s.sum[18], s.sum[19], s.sum[20], s.sum[21], s.sum[22], s.sum[23]
	for i := 0; i+2 < len(px); i += 3 {
		r, g, b := int32(px[i]), int32(px[i+1]), int32(px[i+2])
		a0 += tab[d2(r, g, b, 0xFE2712)]
		a1 += tab[d2(r, g, b, 0xFC600A)]
		a2 += tab[d2(r, g, b, 0xFB9902)]
		a3 += tab[d2(r, g, b, 0xFCCC1A)]
		a4 += tab[d2(r, g, b, 0xFEFE33)]
		a5 += tab[d2(r, g, b, 0xB2D732)]
		a6 += tab[d2(r, g, b, 0x66B032)]
		a7 += tab[d2(r, g, b, 0x347C98)]
		a8 += tab[d2(r, g, b, 0x0247FE)]
		a9 += tab[d2(r, g, b, 0x4424D6)]
		a10 += tab[d2(r, g, b, 0x8601AF)]
		a11 += tab[d2(r, g, b, 0xC21460)]
	}
	s.sum[12], s.sum[13], s.sum[14], s.sum[15], s.sum[16], s.sum[17] = a0, a1, a2, a3, a4, a5
	s.sum[18], s.sum[19], s.sum[20], s.sum[21], s.sum[22], s.sum[23] = a6, a7, a8, a9, a10, a11
}

// rybCodes are the RYB colours addRowRYB spells out, for the test.
var rybCodes = [12]int32{0xFE2712, 0xFC600A, 0xFB9902, 0xFCCC1A, 0xFEFE33, 0xB2D732,
	0x66B032, 0x347C98, 0x0247FE, 0x4424D6, 0x8601AF, 0xC21460}

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
