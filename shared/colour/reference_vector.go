package colour

import "github.com/veglens/veglens/shared/veglens"

// paletteVectors holds the 24 palette colours (RGB wheel, then RYB wheel)
// as the vector kernel reads them: for each group of eight colours, eight
// R values, eight G values and eight B values, as float32.
var paletteVectors = func() (v [9][8]float32) {
	for k, c := range append(append([]veglens.Colour{}, veglens.RGBWheel.Colours...), veglens.RYBWheel.Colours...) {
		r, g, b := c.RGB()
		v[3*(k/8)][k%8] = float32(r)
		v[3*(k/8)+1][k%8] = float32(g)
		v[3*(k/8)+2][k%8] = float32(b)
	}
	return v
}()

// levels[v] = float32(v): the kernel broadcasts a channel byte to all eight
// lanes by loading it from here.
var levels = func() (t [256]float32) {
	for i := range t {
		t[i] = float32(i)
	}
	return t
}()

// addRowVector adds one row's estimated distances (see refSums): the
// kernel sums the row in float32 per palette colour, and the row sums are
// added to the float64 totals.
func (s *refSums) addRowVector(px []byte) {
	n := len(px) / 3
	if n == 0 {
		return
	}
	var acc [3][8]float32
	rowSumsVector(&px[0], n, &paletteVectors, &acc, &levels)
	for k := range s.sum {
		s.sum[k] += float64(acc[k/8][k%8])
	}
	s.estimated = true
}
