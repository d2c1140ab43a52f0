package classify

import (
	"image"
	"slices"

	"github.com/veglens/veglens/shared/catalog"
	"github.com/veglens/veglens/shared/colour"
)

// Analyze is the default ColourFunc: the shared colour package's analysis
// in the catalog's terms. The foreground method reports each wheel colour's
// share of the subject (those present, largest first) and whether the
// subject is neutral; the reference method reports only its dominant colour.
func Analyze(img image.Image) catalog.Colours {
	return FromAnalysis(colour.Analyze(img))
}

// FromAnalysis converts a colour.Analysis to the stored form.
func FromAnalysis(a colour.Analysis) catalog.Colours {
	ref := func(e colour.Entry) catalog.PaletteResult {
		return catalog.PaletteResult{Dominant: catalog.ColourRef{Name: e.Name, Hex: e.Hex}, Shares: []catalog.ColourShare{}}
	}
	fg := func(e colour.Entry, shares colour.Shares) catalog.PaletteResult {
		r := catalog.PaletteResult{
			Dominant: catalog.ColourRef{Name: e.Name, Hex: e.Hex},
			Neutral:  a.Foreground.Neutral,
			Shares:   []catalog.ColourShare{},
		}
		for _, s := range shares {
			if s.Share > 0 {
				r.Shares = append(r.Shares, catalog.ColourShare{Name: s.Name, Hex: s.Hex, Share: min(s.Share, 1)})
			}
		}
		slices.SortStableFunc(r.Shares, func(x, y catalog.ColourShare) int {
			switch {
			case x.Share > y.Share:
				return -1
			case x.Share < y.Share:
				return 1
			}
			return 0
		})
		return r
	}
	return catalog.Colours{
		Foreground: catalog.MethodColours{
			RGB: fg(a.Foreground.RGB, a.Foreground.RGBShares),
			RYB: fg(a.Foreground.RYB, a.Foreground.RYBShares),
		},
		Reference: catalog.MethodColours{RGB: ref(a.Reference.RGB), RYB: ref(a.Reference.RYB)},
	}
}
