package colour

import (
	"math"
	"slices"
	"sort"

	"github.com/veglens/veglens/shared/veglens"
)

// Parameters of the foreground method; doc.go explains each rule.
const (
	workSide      = 48   // the working copy's long side, at most
	borderFrac    = 0.08 // width of the border band, as a fraction of each side
	modeBinL      = 0.10 // OKLab bin sizes used to find background colours
	modeBinAB     = 0.05
	modeMinShare  = 0.15 // a background colour covers at least this much of the border
	maxModes      = 4
	bgRadius      = 0.07  // OKLab distance within which a pixel matches a background colour
	centreBox     = 0.25  // the centre region is |u|, |v| < centreBox (u, v in -0.5..0.5)
	subjectRatio  = 0.75  // a border colour as common in the centre (relative to the border) is the subject
	centreSigma   = 0.3   // Gaussian centre weighting, in units of the image side
	darkL         = 0.25  // pixels darker than this are shadow and ignored
	neutralChroma = 0.03  // pixels with less OKLab chroma than this are neutral
	tintChroma    = 0.005 // a neutral pixel with at least this chroma votes for its tint
	neutralShare  = 0.5   // the subject is neutral when neutral pixels weigh this much
	vividFrac     = 0.7   // a non-basic entry needs this fraction of its own chroma
	yellowMinL    = 0.75  // "yellow" needs at least this lightness; darker is olive
	dullRedFrac   = 0.5   // a red-hued pixel below this fraction of red's chroma is brown
)

// paletteHues holds, per palette entry, its OKLab hue direction, chroma,
// and naming constraints.
type paletteHues struct {
	ua, ub  [12]float64 // unit hue vector
	chroma  [12]float64
	basic   [12]bool
	minL    [12]float64
	red     int // index of the entry named "red"
	orange  int // index of the entry named "orange" (brown's name on the wheels)
	entries []veglens.Colour
}

func newPaletteHues(p veglens.Palette) *paletteHues {
	h := &paletteHues{entries: p.Colours}
	for i, e := range p.Colours {
		c := oklab(e.RGB())
		ch := c.chroma()
		h.ua[i], h.ub[i], h.chroma[i] = c.A/ch, c.B/ch, ch
		h.basic[i] = basicNames[e.Name]
		switch e.Name {
		case "yellow":
			h.minL[i] = yellowMinL
		case "red":
			h.red = i
		case "orange":
			h.orange = i
		}
	}
	return h
}

var wheelHues = [2]*paletteHues{newPaletteHues(veglens.RGBWheel), newPaletteHues(veglens.RYBWheel)}

// name returns the entry a pixel of colour c (chroma ch) is given: the
// entry with the nearest OKLab hue among those allowed for it.
func (h *paletteHues) name(c lab, ch float64, allowVivid bool) int {
	best, bestCos := -1, -2.0
	ua, ub := c.A/ch, c.B/ch
	for k := range 12 {
		if !h.basic[k] && (!allowVivid || ch < vividFrac*h.chroma[k]) {
			continue
		}
		if c.L < h.minL[k] {
			continue
		}
		if cos := ua*h.ua[k] + ub*h.ub[k]; cos > bestCos {
			best, bestCos = k, cos
		}
	}
	if best == h.red && ch < dullRedFrac*h.chroma[h.red] {
		best = h.orange // a dull red is brown, which the wheels call orange
	}
	return best
}

// cell is one pixel of the working copy.
type cell struct {
	c      lab
	ch     float64
	w      float64 // centre weight
	border bool
	centre bool
}

// foregroundPalette is the foreground method's answer for one palette.
type foregroundPalette struct {
	winner int // -1 when the image has no hue at all
	shares [12]float64
}

type foregroundResult struct {
	pal          [2]foregroundPalette
	neutral      bool
	neutralShare float64
	background   float64 // share of the centre-weighted mass dropped as background
}

// foreground runs the foreground method on the working copy (gw x gh cells
// of 8-bit sRGB, row-major R, G, B).
func foreground(px []uint8, gw, gh int) foregroundResult {
	cells := make([]cell, gw*gh)
	bw := max(1, int(math.Round(borderFrac*float64(gw))))
	bh := max(1, int(math.Round(borderFrac*float64(gh))))
	// The Gaussian centre weight is separable: wx[x] * wy[y].
	wx, wy := make([]float64, gw), make([]float64, gh)
	for x := range wx {
		u := (float64(x)+0.5)/float64(gw) - 0.5
		wx[x] = math.Exp(-u * u / (2 * centreSigma * centreSigma))
	}
	for y := range wy {
		v := (float64(y)+0.5)/float64(gh) - 0.5
		wy[y] = math.Exp(-v * v / (2 * centreSigma * centreSigma))
	}
	for y := range gh {
		v := (float64(y)+0.5)/float64(gh) - 0.5
		for x := range gw {
			u := (float64(x)+0.5)/float64(gw) - 0.5
			i := y*gw + x
			c := oklab(px[3*i], px[3*i+1], px[3*i+2])
			cells[i] = cell{
				c:      c,
				ch:     c.chroma(),
				w:      wx[x] * wy[y],
				border: x < bw || x >= gw-bw || y < bh || y >= gh-bh,
				centre: math.Abs(u) < centreBox && math.Abs(v) < centreBox,
			}
		}
	}
	modes := backgroundModes(cells)

	var res foregroundResult
	var neutralMass, chromaMass, total, dropped float64
	var hue, tint [2][12]float64
	var tintSum lab // w-weighted sum of the neutral pixels' colours
	r2 := bgRadius * bgRadius
	for i := range cells {
		c := &cells[i]
		total += c.w
		if c.c.L < darkL {
			continue
		}
		bg := false
		for _, m := range modes {
			if c.c.dist2(m) < r2 {
				bg = true
				break
			}
		}
		if bg {
			dropped += c.w
			continue
		}
		if c.ch < neutralChroma {
			neutralMass += c.w
			tintSum.L += c.w * c.c.L
			tintSum.A += c.w * c.c.A
			tintSum.B += c.w * c.c.B
			if c.ch >= tintChroma {
				for p, h := range wheelHues {
					if k := h.name(c.c, c.ch, false); k >= 0 {
						tint[p][k] += c.w * c.ch
					}
				}
			}
			continue
		}
		chromaMass += c.w
		for p, h := range wheelHues {
			if k := h.name(c.c, c.ch, true); k >= 0 {
				hue[p][k] += c.w * c.ch
			}
		}
	}
	if total > 0 {
		res.background = dropped / total
	}
	if neutralMass+chromaMass > 0 {
		res.neutralShare = neutralMass / (neutralMass + chromaMass)
	}
	res.neutral = neutralMass+chromaMass > 0 && res.neutralShare >= neutralShare
	mean := lab{}
	if neutralMass > 0 {
		mean = lab{tintSum.L / neutralMass, tintSum.A / neutralMass, tintSum.B / neutralMass}
	}
	for p, h := range wheelHues {
		mass := hue[p]
		if sum12(mass) == 0 {
			mass = tint[p]
		}
		res.pal[p] = sharesOf(mass)
		if res.neutral {
			// A neutral subject is named by its mean tint.
			if ch := mean.chroma(); ch >= tintChroma {
				if k := h.name(mean, ch, false); k >= 0 {
					res.pal[p].winner = k
				}
			}
		}
	}
	return res
}

func sum12(a [12]float64) float64 {
	s := 0.0
	for _, v := range a {
		s += v
	}
	return s
}

// sharesOf normalises masses to shares; the winner is the largest share,
// the earlier entry on a tie, or -1 when every mass is zero.
func sharesOf(mass [12]float64) foregroundPalette {
	fp := foregroundPalette{winner: -1}
	s := sum12(mass)
	if s == 0 {
		return fp
	}
	for k, m := range mass {
		fp.shares[k] = m / s
		if m > 0 && (fp.winner < 0 || m > mass[fp.winner]) {
			fp.winner = k
		}
	}
	return fp
}

// backgroundModes finds the colours that cover much of the border but do
// not dominate the centre.
func backgroundModes(cells []cell) []lab {
	type bin struct {
		key [3]int
		n   int
		sum lab
	}
	var keyed []bin // one per border cell, then merged per key
	for i := range cells {
		c := &cells[i]
		if c.border {
			k := [3]int{int(math.Floor(c.c.L / modeBinL)), int(math.Floor(c.c.A / modeBinAB)), int(math.Floor(c.c.B / modeBinAB))}
			keyed = append(keyed, bin{key: k, n: 1, sum: c.c})
		}
	}
	nBorder := len(keyed)
	less := func(a, b [3]int) int {
		for i := range a {
			if a[i] != b[i] {
				return a[i] - b[i]
			}
		}
		return 0
	}
	slices.SortFunc(keyed, func(a, b bin) int { return less(a.key, b.key) })
	var bins []*bin
	for i := 0; i < len(keyed); {
		b := keyed[i]
		for i++; i < len(keyed) && keyed[i].key == b.key; i++ {
			b.n++
			b.sum.L += keyed[i].sum.L
			b.sum.A += keyed[i].sum.A
			b.sum.B += keyed[i].sum.B
		}
		bins = append(bins, &b)
	}
	var cand []*bin
	for _, b := range bins {
		if float64(b.n) >= modeMinShare*float64(nBorder) {
			cand = append(cand, b)
		}
	}
	sort.Slice(cand, func(i, j int) bool {
		if cand[i].n != cand[j].n {
			return cand[i].n > cand[j].n
		}
		a, b := cand[i].sum, cand[j].sum
		if a.L != b.L {
			return a.L < b.L
		}
		if a.A != b.A {
			return a.A < b.A
		}
		return a.B < b.B
	})
	if len(cand) > maxModes {
		cand = cand[:maxModes]
	}
	var modes []lab
	r2 := bgRadius * bgRadius
	for _, b := range cand {
		n := float64(b.n)
		m := lab{b.sum.L / n, b.sum.A / n, b.sum.B / n}
		inCentre, nCentre, inBorder := 0, 0, 0
		for i := range cells {
			near := cells[i].c.dist2(m) < r2
			if cells[i].centre {
				nCentre++
				if near {
					inCentre++
				}
			}
			if cells[i].border && near {
				inBorder++
			}
		}
		centreShare := float64(inCentre) / float64(max(nCentre, 1))
		borderShare := float64(inBorder) / float64(nBorder)
		if centreShare >= subjectRatio*borderShare {
			continue // as common in the centre as at the border: it is the subject
		}
		modes = append(modes, m)
	}
	return modes
}

// basicNames are the wheel colours that plain colour words name (see
// doc.go): the foreground method gives a dull pixel only to one of these.
var basicNames = map[string]bool{
	"red": true, "orange": true, "yellow": true, "green": true,
	"cyan": true, "blue": true, "violet": true, "magenta": true,
}
