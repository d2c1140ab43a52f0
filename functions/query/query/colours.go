package query

import (
	"github.com/veglens/veglens/shared/catalog"
	"github.com/veglens/veglens/shared/colour"
)

// DefaultPalettes returns the shared colour package's wheels (RGB, RYB) in
// the API's terms.
func DefaultPalettes() []Palette {
	var out []Palette
	for _, p := range colour.Palettes() {
		pal := Palette{ID: catalog.Palette(p.ID), Name: p.Name}
		for _, e := range p.Entries {
			pal.Colours = append(pal.Colours, catalog.ColourRef{Name: e.Name, Hex: e.Hex})
		}
		out = append(out, pal)
	}
	return out
}
