package colour

import (
	"math"
	"slices"

	"github.com/veglens/veglens/shared/veglens"
)

// Limits of the memory-colour step (doc.go, step 8).
const (
	memoryDullC    = beigeChroma // a subject no more saturated than beige has a muted colour ...
	memoryDarkL    = 0.5         // ... whose hue cannot be trusted when it is darker than this (mean L of its voters)
	memoryLightL   = whiteL      // ... and which may be white in tinted light when it is as light as a white subject
	memoryMaxHue   = 120.0       // a dark, muted subject is renamed at most this far round the hue circle
	memoryBorder   = 8.0         // a brighter subject is renamed only this close to the border of a band its kind comes in
	memoryMinShare = 0.15        // a grey subject's coloured cells need this share of its lit weight to name it
)

// applyMemory renames a chromatic subject whose measured colour cannot be
// trusted to the everyday colour its kind is known to come in
// (veglens.KindColours), and points both wheels at that colour's hue band.
// mean is the mean OKLab colour of the cells that voted for the RGB answer
// and chroma their mean chroma. Nothing changes when the kind has no
// colours listed, when the measured name is one of them, or when no listed
// colour is close enough:
//   - a dark, muted subject (mean L < memoryDarkL, chroma below beige's:
//     under warm shop light a dark purple aubergine measures as dark red or
//     brown, because the light's colour outweighs the surface's) takes the
//     first listed colour (the commonest variety) whose hue band lies within
//     memoryMaxHue degrees;
//   - a light, muted subject (mean L >= memoryLightL) of a kind that comes
//     in white is white, and neutral (a cauliflower's curd in yellowish
//     light);
//   - a subject whose word is a shade the kind is not listed in (brown,
//     beige, pink) takes its hue's plain word when the kind comes in that
//     (a cream pepper is a pale yellow one);
//   - any other subject that is not muted takes a listed colour only when
//     its hue lies within memoryBorder degrees of that colour's band: the
//     borders of hue names are soft (Berlin and Kay 1969), so a carrot at
//     the red/orange border is orange.
//
// The shares are left as measured; res.memory records that the names came
// from the kind.
func (res *foregroundResult) applyMemory(kind veglens.Kind, mean lab, chroma float64) {
	allowed := veglens.KindColours[kind]
	if len(allowed) == 0 || slices.Contains(allowed, commonColour(res.common).Name) {
		return
	}
	h := hueDeg(mean)
	entry := func(b int) string { return wheelHues[0].entries[wheelHues[0].band[b]].Name }
	word := func(b int) int { return commonFor(entry(b), mean.L, chroma) }
	plain := func(b int) int { return commonFor(entry(b), brownMaxL, beigeChroma) } // the band's hue word: never brown, beige or pink
	allows := func(k int) bool { return slices.Contains(allowed, commonColour(k).Name) }
	muted := chroma < memoryDullC
	best, name := -1, 0
	switch {
	case muted && mean.L >= memoryLightL && slices.Contains(allowed, "white"):
		res.neutral, res.common, res.memory = true, cWhite, true
		res.commonShares = [12]float64{cWhite: 1}
		res.pal[0].winner, res.pal[1].winner = -1, -1
		return
	case muted && mean.L < memoryDarkL:
		for _, want := range allowed {
			bestDist := math.Inf(1)
			for b := range hueBands {
				if d := bandDistance(b, h); commonColour(word(b)).Name == want && d <= memoryMaxHue && d < bestDist {
					best, name, bestDist = b, word(b), d
				}
			}
			if best >= 0 {
				break
			}
		}
	case allows(plain(bandOf(h))):
		best, name = bandOf(h), plain(bandOf(h))
	case !muted:
		bestDist := math.Inf(1)
		for b := range hueBands {
			if d := bandDistance(b, h); allows(word(b)) && d <= memoryBorder && d < bestDist {
				best, name, bestDist = b, word(b), d
			}
		}
	}
	if best < 0 {
		return
	}
	res.pal[0].winner = wheelHues[0].band[best]
	res.pal[1].winner = wheelHues[1].band[best]
	res.common = name
	res.memory = true
}

// rememberHue names a subject measured grey by its coloured cells instead,
// when its kind never comes in grey and those cells name a colour it does
// come in (a dark green pumpkin whose skin is mostly below the neutral
// chroma limit). A kind without listed colours, or one listed as grey,
// stays grey.
func (res *foregroundResult) rememberHue(kind veglens.Kind, v *hueVotes) {
	allowed := veglens.KindColours[kind]
	if len(allowed) == 0 || slices.Contains(allowed, "grey") {
		return
	}
	try := *res
	try.neutral = false
	try.name(v)
	if !slices.Contains(allowed, commonColour(try.common).Name) {
		return
	}
	try.memory = true
	*res = try
}

// bandDistance is how many degrees hue h lies outside basic band b: 0
// inside it, else the way round the circle to its nearer border.
func bandDistance(b int, h float64) float64 {
	lo, hi := hueBands[b].lo, hueBands[(b+1)%len(hueBands)].lo
	if bandOf(h) == b {
		return 0
	}
	return min(circularDistance(h, lo), circularDistance(h, hi))
}

// circularDistance is the angle between two hues in degrees, 0..180.
func circularDistance(a, b float64) float64 {
	d := math.Mod(math.Abs(a-b), 360)
	return min(d, 360-d)
}
