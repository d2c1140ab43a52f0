package colour

import (
	"math"

	"github.com/veglens/veglens/shared/veglens"
)

// Indexes of veglens.CommonNames, in its order.
const (
	cWhite = iota
	cGrey
	cBlack
	cBrown
	cBeige
	cRed
	cOrange
	cYellow
	cGreen
	cBlue
	cPurple
	cPink
)

// Boundaries of the common names in OKLCh (L lightness 0..1, C chroma;
// Ottosson 2020), applied to the mean lightness and chroma of the cells
// that voted for the subject's RGB-wheel colour; doc.go lists them.
const (
	whiteL      = 0.62  // a neutral subject at least this light (mean L) is white, else grey
	brownMaxL   = 0.48  // an orange subject darker than this is brown (dark orange)
	brownChroma = 0.045 // ... and so is one duller than this (greyish orange: a potato's skin)
	beigeChroma = 0.075 // an orange subject below this chroma is beige (pale, low-chroma orange) ...
	beigeL      = 0.65  // ... and so is a yellow one this light (tan, cream)
	pinkL       = 0.75  // a red or magenta subject at least this light ...
	pinkChroma  = 0.17  // ... and below this chroma is pink
)

// commonFor names a chromatic subject in everyday words from its RGB-wheel
// colour and the mean lightness L and chroma C of the cells that named it:
// an index of veglens.CommonNames.
func commonFor(rgb string, L, C float64) int {
	switch rgb {
	case "red", "rose", "magenta":
		if L >= pinkL && C < pinkChroma {
			return cPink
		}
		if rgb == "magenta" {
			return cPurple
		}
		return cRed
	case "orange":
		switch {
		case L < brownMaxL || C < brownChroma:
			return cBrown
		case C < beigeChroma:
			return cBeige
		}
		return cOrange
	case "yellow":
		if C < beigeChroma && L >= beigeL {
			return cBeige
		}
		return cYellow
	case "chartreuse", "green", "spring green":
		return cGreen
	case "cyan", "azure", "blue":
		return cBlue
	}
	return cPurple // violet
}

// hueDeg is the OKLCh hue angle of c in degrees, 0..360.
func hueDeg(c lab) float64 {
	h := math.Atan2(c.B, c.A) * 180 / math.Pi
	if h < 0 {
		h += 360
	}
	return h
}

// commonColour returns the CommonNames entry at index k.
func commonColour(k int) veglens.Colour { return veglens.CommonNames.Colours[k] }
