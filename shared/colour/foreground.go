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
	neutralChroma = 0.03  // pixels with less OKLab chroma than this are neutral (at L >= neutralRefL)
	neutralRefL   = 0.7   // below this lightness the neutral chroma limit shrinks in proportion
	tintChroma    = 0.005 // a neutral pixel with at least this chroma votes for its tint
	neutralShare  = 0.5   // the subject is neutral when neutral pixels weigh this much
	vividFrac     = 0.7   // a non-basic entry needs this fraction of its own chroma
	yellowMinL    = 0.45  // a yellow band pixel needs at least this lightness; darker is olive
	dullRedFrac   = 0.5   // a red-hued pixel below this fraction of red's chroma ...
	dullRedL      = 0.6   // ... and darker than this is brown (lighter, it is pink)
	lemonHue      = 115.0 // green-band hues below this are yellow when at least ...
	lemonL        = 0.78  // ... this light and ...
	lemonChroma   = 0.12  // ... this saturated
	darkShare     = 0.6   // the subject is dark (black, neutral) when dark cells weigh this much
	focusFloor    = 0.2   // activation below this fraction of the map's peak counts as elsewhere
	wheelsApart   = 60.0  // the two wheels' answers are at most this many degrees of hue apart
)

// paletteHues holds, per palette entry, its OKLab hue direction, chroma,
// and which entry each basic hue band names on this wheel.
type paletteHues struct {
	ua, ub  [12]float64 // unit hue vector
	chroma  [12]float64
	band    [len(hueBands)]int // the entry each basic band names
	basic   [12]bool           // named by some band
	red     int                // index of the entry named "red"
	orange  int                // index of the entry named "orange" (brown's name on the wheels)
	entries []veglens.Colour
}

// hueBand is a range of OKLCh hue that plain colour words name; the basic
// bands cover the circle, each from its lo (degrees) up to the next one's.
// rgb and ryb are the names the band gets on each wheel.
type hueBand struct {
	lo       float64
	rgb, ryb string
}

// hueBands are the basic colour words as hue ranges, set where people's
// names for object colours change on the golden photos' vegetables rather
// than at the midpoints between the wheels' entries: a warm-lit yellow
// pepper sits at 80-90 degrees, nearer the wheel's orange than its yellow,
// and a pale cabbage at 95-110, nearer yellow than green.
var hueBands = [...]hueBand{ // bandRed, bandYellow and bandGreen index it
	{345, "red", "red"},
	{41, "orange", "orange"},
	{68, "yellow", "yellow"},
	{92, "green", "green"},
	{180, "cyan", "blue-green"},
	{215, "blue", "blue"},
	{285, "violet", "violet"},
	{315, "magenta", "red-violet"},
}

// Indexes of hueBands that the naming adjustments refer to.
const (
	bandRed    = 0
	bandYellow = 2
	bandGreen  = 3
)

// bandOf returns the index of the basic band holding hue h (degrees).
func bandOf(h float64) int {
	for i := len(hueBands) - 1; i >= 1; i-- {
		if h >= hueBands[i].lo && h < hueBands[0].lo {
			return i
		}
	}
	return 0
}

func newPaletteHues(p veglens.Palette) *paletteHues {
	h := &paletteHues{entries: p.Colours}
	for i, e := range p.Colours {
		c := oklab(e.RGB())
		ch := c.chroma()
		h.ua[i], h.ub[i], h.chroma[i] = c.A/ch, c.B/ch, ch
		switch e.Name {
		case "red":
			h.red = i
		case "orange":
			h.orange = i
		}
	}
	for b, band := range hueBands {
		name := band.rgb
		if p.ID == veglens.PaletteRYB {
			name = band.ryb
		}
		c, ok := p.Lookup(name)
		if !ok {
			panic("colour: wheel " + string(p.ID) + " has no " + name)
		}
		h.band[b] = p.Index(c)
		h.basic[h.band[b]] = true
	}
	return h
}

var wheelHues = [2]*paletteHues{newPaletteHues(veglens.RGBWheel), newPaletteHues(veglens.RYBWheel)}

// name returns the entry a pixel of colour c (chroma ch) is given: the
// entry of its basic hue band, except that a dark yellow (below yellowMinL)
// is olive and a dark, dull red is brown, which both wheels call orange; a
// light, saturated hue just past yellow's band is still yellow. When
// allowVivid is set, an in-between entry (chartreuse, azure, red-orange, ...)
// takes the pixel instead if its OKLab hue is nearer and the pixel has at
// least vividFrac of that entry's own chroma.
func (h *paletteHues) name(c lab, ch float64, allowVivid bool) int {
	hd := hueDeg(c)
	b := bandOf(hd)
	if b == bandGreen && hd < lemonHue && c.L >= lemonL && ch >= lemonChroma {
		b = bandYellow // a light, saturated yellow-green is a lemon's yellow, not a cabbage's green
	}
	best := h.band[b]
	switch {
	case b == bandYellow && c.L < yellowMinL:
		return h.orange
	case b == bandRed && ch < dullRedFrac*h.chroma[h.red] && c.L < dullRedL:
		return h.orange
	case !allowVivid:
		return best
	}
	ua, ub := c.A/ch, c.B/ch
	bestCos := ua*h.ua[best] + ub*h.ub[best]
	for k := range 12 {
		if h.basic[k] || ch < vividFrac*h.chroma[k] {
			continue
		}
		if cos := ua*h.ua[k] + ub*h.ub[k]; cos > bestCos {
			best, bestCos = k, cos
		}
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
	winner int // -1 when the subject has no measurable hue
	shares [12]float64
}

type foregroundResult struct {
	pal          [2]foregroundPalette
	common       int         // index of veglens.CommonNames
	commonShares [12]float64 // of the cells that named the subject
	neutral      bool
	neutralShare float64
	background   float64 // share of the weighted mass dropped as background
	focused      bool    // weights came from the activation map
	empty        bool    // no weight was left to measure (all background or zero)
	memory       bool    // the names came from the kind's memory colours (memory.go)
}

// hueVotes are the chromatic cells' votes: per wheel entry the chroma-
// weighted hue votes, and per RGB entry the weighted sums of its voters'
// OKLab L, a, b and chroma and their weight.
type hueVotes struct {
	hue              [2][12]float64
	l, a, b, c, mass [12]float64
}

// name gives res the wheel answers, shares and common name of the votes,
// and returns the mean colour and chroma of the RGB answer's voters.
func (res *foregroundResult) name(v *hueVotes) (lab, float64) {
	for p := range wheelHues {
		res.pal[p] = sharesOf(v.hue[p])
	}
	res.pal[1].winner = agreeing(res.pal[0].winner, res.pal[1])
	// The common name follows the RGB answer, made brown, beige or
	// pink by the lightness and chroma of the cells that voted for it;
	// its shares are those of the RGB entries, named the same way.
	res.commonShares = [12]float64{}
	for k, m := range v.mass {
		if m > 0 {
			res.commonShares[commonFor(wheelHues[0].entries[k].Name, v.l[k]/m, v.c[k]/m)] += res.pal[0].shares[k]
		}
	}
	w := res.pal[0].winner
	m := v.mass[w]
	mean, chroma := lab{L: v.l[w] / m, A: v.a[w] / m, B: v.b[w] / m}, v.c[w]/m
	res.common = commonFor(wheelHues[0].entries[w].Name, mean.L, chroma)
	return mean, chroma
}

// focusWeights samples the activation map at the centre of every working-copy
// cell (bilinear, the map spanning the whole picture), divided by the map's
// peak; cells below focusFloor of the peak get 0 (Zhou et al. 2016 keep
// the region above 20 % of the peak as the object). It returns nil when the
// map is missing, malformed or flat zero.
func focusWeights(m veglens.ActivationMap, gw, gh int) []float64 {
	n := m.Size
	if n <= 0 || len(m.Values) != n*n {
		return nil
	}
	peak := 0.0
	for _, v := range m.Values {
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
			return nil
		}
		peak = max(peak, f)
	}
	if peak == 0 {
		return nil
	}
	kept := false
	at := func(x, y int) float64 { return float64(m.Values[min(max(y, 0), n-1)*n+min(max(x, 0), n-1)]) }
	w := make([]float64, gw*gh)
	for y := range gh {
		fy := (float64(y)+0.5)/float64(gh)*float64(n) - 0.5
		y0 := int(math.Floor(fy))
		ty := fy - float64(y0)
		for x := range gw {
			fx := (float64(x)+0.5)/float64(gw)*float64(n) - 0.5
			x0 := int(math.Floor(fx))
			tx := fx - float64(x0)
			v := (at(x0, y0)*(1-tx)+at(x0+1, y0)*tx)*(1-ty) + (at(x0, y0+1)*(1-tx)+at(x0+1, y0+1)*tx)*ty
			if v /= peak; v >= focusFloor {
				w[y*gw+x] = v
				kept = true
			}
		}
	}
	if !kept { // no cell's centre reached the floor (a picture a cell or two wide)
		return nil
	}
	return w
}

// foreground runs the foreground method on the working copy (gw x gh cells
// of 8-bit sRGB, row-major R, G, B), weighting cells by the activation map
// when focus is usable and by a centre Gaussian otherwise.
func foreground(px []uint8, gw, gh int, focus veglens.ActivationMap) foregroundResult {
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
	fw := focusWeights(focus, gw, gh)
	for y := range gh {
		v := (float64(y)+0.5)/float64(gh) - 0.5
		for x := range gw {
			u := (float64(x)+0.5)/float64(gw) - 0.5
			i := y*gw + x
			c := oklab(px[3*i], px[3*i+1], px[3*i+2])
			w := wx[x] * wy[y]
			if fw != nil {
				w = fw[i]
			}
			cells[i] = cell{
				c:      c,
				ch:     c.chroma(),
				w:      w,
				border: x < bw || x >= gw-bw || y < bh || y >= gh-bh,
				centre: math.Abs(u) < centreBox && math.Abs(v) < centreBox,
			}
		}
	}
	modes := backgroundModes(cells)

	res := foregroundResult{focused: fw != nil, common: cBlack}
	var neutralMass, chromaMass, darkMass, total, dropped float64
	var tint [2][12]float64
	var votes hueVotes
	var neutralL float64 // w-weighted sum of the neutral cells' lightness
	r2 := bgRadius * bgRadius
	for i := range cells {
		c := &cells[i]
		total += c.w
		if c.w == 0 {
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
		if c.c.L < darkL {
			darkMass += c.w
			continue
		}
		if c.ch < neutralChroma*min(1, c.c.L/neutralRefL) {
			neutralMass += c.w
			neutralL += c.w * c.c.L
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
			k := h.name(c.c, c.ch, true)
			votes.hue[p][k] += c.w * c.ch
			if p == 0 {
				votes.l[k] += c.w * c.c.L
				votes.a[k] += c.w * c.c.A
				votes.b[k] += c.w * c.c.B
				votes.c[k] += c.w * c.ch
				votes.mass[k] += c.w
			}
		}
	}
	if total > 0 {
		res.background = dropped / total
	}
	lit := neutralMass + chromaMass
	if lit > 0 {
		res.neutralShare = neutralMass / lit
	}
	for p := range wheelHues {
		res.pal[p] = foregroundPalette{winner: -1}
	}
	res.empty = lit+darkMass == 0
	switch {
	case lit == 0 || darkMass >= darkShare*(darkMass+lit):
		// Too dark to measure: black, neutral, no wheel colour (never a
		// confident hue from near-black noise).
		res.neutral, res.common = true, cBlack
		res.commonShares[cBlack] = 1
	case neutralMass >= neutralShare*lit:
		// White, grey or colourless: neutral, no wheel colour (the shares
		// still show the faint tints present).
		res.neutral, res.common = true, cGrey
		if neutralL/neutralMass >= whiteL {
			res.common = cWhite
		}
		res.commonShares[res.common] = 1
		for p := range wheelHues {
			res.pal[p] = sharesOf(tint[p])
			res.pal[p].winner = -1
		}
		if res.common == cGrey && chromaMass >= memoryMinShare*lit {
			res.rememberHue(focus.Kind, &votes)
		}
	default:
		mean, chroma := res.name(&votes)
		res.applyMemory(focus.Kind, mean, chroma)
	}
	return res
}

// agreeing returns the RYB answer that names a hue near the RGB answer's:
// the RYB winner when it lies within wheelsApart degrees of OKLab hue of the
// RGB winner, else the largest RYB share within that range, else the RYB
// entry nearest in hue. Two separate votes could otherwise name opposite
// sides of the wheel for a subject of two colours.
func agreeing(rgb int, ryb foregroundPalette) int {
	if rgb < 0 || ryb.winner < 0 {
		return ryb.winner
	}
	g, r := wheelHues[0], wheelHues[1]
	apart := func(k int) float64 {
		cos := g.ua[rgb]*r.ua[k] + g.ub[rgb]*r.ub[k]
		return math.Acos(max(-1, min(1, cos))) * 180 / math.Pi
	}
	if apart(ryb.winner) <= wheelsApart {
		return ryb.winner
	}
	best, nearest := -1, 0
	for k := range 12 {
		if apart(k) < apart(nearest) {
			nearest = k
		}
		if apart(k) <= wheelsApart && ryb.shares[k] > 0 && (best < 0 || ryb.shares[k] > ryb.shares[best]) {
			best = k
		}
	}
	if best < 0 {
		return nearest
	}
	return best
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
		n   int
		sum lab
	}
	// Each border cell's OKLab bin, packed into the high bits of one
	// integer with the cell's index in the low 32 bits, so that sorting
	// plain integers groups the cells of each bin (in bin order, and in
	// cell order within a bin).
	var keyed []uint64
	for i := range cells {
		c := &cells[i]
		if c.border {
			kl := int64(math.Floor(c.c.L / modeBinL))
			ka := int64(math.Floor(c.c.A / modeBinAB))
			kb := int64(math.Floor(c.c.B / modeBinAB))
			// L is 0..1 and a, b within +-0.5, so each bin number fits
			// in 10 bits once offset.
			k := uint64(kl+512)<<52 | uint64(ka+512)<<42 | uint64(kb+512)<<32
			keyed = append(keyed, k|uint64(i))
		}
	}
	nBorder := len(keyed)
	slices.Sort(keyed)
	var bins []*bin
	for i := 0; i < len(keyed); {
		key := keyed[i] >> 32
		b := &bin{}
		for ; i < len(keyed) && keyed[i]>>32 == key; i++ {
			c := cells[uint32(keyed[i])].c
			b.n++
			b.sum.L += c.L
			b.sum.A += c.A
			b.sum.B += c.B
		}
		bins = append(bins, b)
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
