package colour

import "math"

// linearTable maps an 8-bit sRGB value to linear light (IEC 61966-2-1).
var linearTable = func() [256]float64 {
	var t [256]float64
	for i := range t {
		c := float64(i) / 255
		if c <= 0.04045 {
			t[i] = c / 12.92
		} else {
			t[i] = math.Pow((c+0.055)/1.055, 2.4)
		}
	}
	return t
}()

// lab is a colour in OKLab (Björn Ottosson, 2020): L is lightness 0..1, a
// and b are the green-red and blue-yellow axes; chroma is hypot(a, b).
type lab struct{ L, A, B float64 }

// oklab converts 8-bit sRGB to OKLab.
func oklab(r, g, b uint8) lab {
	lr, lg, lb := linearTable[r], linearTable[g], linearTable[b]
	l := cbrt(0.4122214708*lr + 0.5363325363*lg + 0.0514459929*lb)
	m := cbrt(0.2119034982*lr + 0.6806995451*lg + 0.1073969566*lb)
	s := cbrt(0.0883024619*lr + 0.2817188376*lg + 0.6299787005*lb)
	return lab{
		L: 0.2104542553*l + 0.7936177850*m - 0.0040720468*s,
		A: 1.9779984951*l - 2.4285922050*m + 0.4505937099*s,
		B: 0.0259040371*l + 0.7827717662*m - 0.8086757660*s,
	}
}

func (c lab) chroma() float64 { return math.Hypot(c.A, c.B) }

func (c lab) dist2(o lab) float64 {
	dl, da, db := c.L-o.L, c.A-o.A, c.B-o.B
	return dl*dl + da*da + db*db
}

// cbrt is the cube root of x for the normal float64 values x > 0 (0 for
// x <= 0; not for subnormals, far below the smallest nonzero value the
// LMS mix of 8-bit sRGB takes, 1.6e-5), within 1e-14 relative of math.Cbrt and about
// twice as fast: an estimate from the
// float64 bit pattern (dividing the exponent by three; W. Kahan, "Computing
// a Real Cube Root", 1991), good to a few per cent, then two steps of
// Halley's method, y <- y (y^3 + 2x) / (2y^3 + x), each of which triples
// the number of correct digits.
func cbrt(x float64) float64 {
	if x <= 0 {
		return 0
	}
	y := math.Float64frombits(math.Float64bits(x)/3 + 0x2A9F7893782DA1CE)
	for range 2 {
		y3 := y * y * y
		y *= (y3 + 2*x) / (2*y3 + x)
	}
	return y
}
