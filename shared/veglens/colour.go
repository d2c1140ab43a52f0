package veglens

import (
	"fmt"
	"strings"
)

// Colour is one colour of a wheel: a lower-case name such as "spring green"
// and its upper-case sRGB hex code such as "#00FF80".
type Colour struct {
	Name string `json:"name"`
	Hex  string `json:"hex"`
}

// RGB returns the colour's 8-bit sRGB components (0,0,0 for a malformed hex).
func (c Colour) RGB() (r, g, b uint8) {
	v, err := parseHex(c.Hex)
	if err != nil {
		return 0, 0, 0
	}
	return v[0], v[1], v[2]
}

// PaletteID names a wheel in URLs, JSON and the database: "rgb" or "ryb".
type PaletteID string

// The wheels' IDs.
const (
	PaletteRGB PaletteID = "rgb"
	PaletteRYB PaletteID = "ryb"
)

// Palette is a fixed, ordered 12-colour wheel. Order matters: neighbours on
// the wheel are neighbours in the list, and when two colours score exactly
// the same, the earlier one wins.
type Palette struct {
	ID      PaletteID `json:"id"`
	Name    string    `json:"name"` // for people: "RGB wheel"
	Colours []Colour  `json:"colours"`
}

// The two 12-colour wheels. Never modify them (Palettes and PaletteByID hand
// out copies): every stored result refers to them by palette ID and hex
// code. RGB: the additive wheel in 30° hue
// steps of HSV; RYB: the painters' wheel (Itten's 12 hues as commonly
// rendered in sRGB).
var (
	RGBWheel = newPalette(PaletteRGB, "RGB wheel",
		"red #FF0000", "orange #FF8000", "yellow #FFFF00", "chartreuse #80FF00",
		"green #00FF00", "spring green #00FF80", "cyan #00FFFF", "azure #0080FF",
		"blue #0000FF", "violet #8000FF", "magenta #FF00FF", "rose #FF0080")

	RYBWheel = newPalette(PaletteRYB, "RYB wheel",
		"red #FE2712", "red-orange #FC600A", "orange #FB9902", "yellow-orange #FCCC1A",
		"yellow #FEFE33", "yellow-green #B2D732", "green #66B032", "blue-green #347C98",
		"blue #0247FE", "blue-violet #4424D6", "violet #8601AF", "red-violet #C21460")
)

// Palettes lists both wheels, RGB first (copies: changing them changes
// nothing else).
func Palettes() []Palette { return []Palette{RGBWheel.clone(), RYBWheel.clone()} }

func (p Palette) clone() Palette {
	p.Colours = append([]Colour(nil), p.Colours...)
	return p
}

// PaletteByID returns the wheel with the given ID ("rgb" or "ryb", any case,
// surrounding spaces ignored).
func PaletteByID(id string) (Palette, bool) {
	for _, p := range []Palette{RGBWheel, RYBWheel} {
		if strings.EqualFold(string(p.ID), strings.TrimSpace(id)) {
			return p.clone(), true
		}
	}
	return Palette{}, false
}

// Lookup finds a colour of p by name ("Spring Green", "spring  green") or by
// hex code with or without the leading # ("#00ff80", "00FF80"), any case.
func (p Palette) Lookup(nameOrHex string) (Colour, bool) {
	q := strings.Join(strings.Fields(nameOrHex), " ")
	if q == "" {
		return Colour{}, false
	}
	for _, c := range p.Colours {
		if strings.EqualFold(c.Name, q) {
			return c, true
		}
	}
	hex := strings.TrimPrefix(q, "#")
	for _, c := range p.Colours {
		if strings.EqualFold(c.Hex[1:], hex) {
			return c, true
		}
	}
	return Colour{}, false
}

// Index returns the position of c on the wheel, or -1.
func (p Palette) Index(c Colour) int {
	for i, x := range p.Colours {
		if x == c {
			return i
		}
	}
	return -1
}

// Method is how a dominant colour was measured.
type Method string

// Colour methods.
const (
	MethodForeground Method = "foreground" // the vegetable, background removed
	MethodReference  Method = "reference"  // the whole picture
)

// Methods lists both methods, the default (foreground) first.
func Methods() []Method { return []Method{MethodForeground, MethodReference} }

// ColourShare is a wheel colour and the fraction (0..1) of the counted
// pixels nearest it.
type ColourShare struct {
	Name  string  `json:"name"`
	Hex   string  `json:"hex"`
	Share float64 `json:"share"`
}

// PaletteResult is one method's result on one wheel.
type PaletteResult struct {
	Dominant Colour `json:"dominant"`
	// Neutral marks a mostly white, grey or colourless subject; Dominant
	// then names its tint.
	Neutral bool `json:"neutral"`
	// Shares lists the colours present, largest first (the foreground
	// method only; empty for the reference method).
	Shares []ColourShare `json:"shares"`
}

// MethodColours is one method's result on both wheels.
type MethodColours struct {
	RGB PaletteResult `json:"rgb"`
	RYB PaletteResult `json:"ryb"`
}

// Colours is the colour analysis of an image: both methods on both wheels.
type Colours struct {
	Foreground MethodColours `json:"foreground"`
	Reference  MethodColours `json:"reference"`
}

// Dominant returns the dominant colour for a method and wheel.
func (c Colours) Dominant(m Method, p PaletteID) Colour {
	mc := c.Foreground
	if m == MethodReference {
		mc = c.Reference
	}
	if p == PaletteRYB {
		return mc.RYB.Dominant
	}
	return mc.RGB.Dominant
}

func newPalette(id PaletteID, name string, specs ...string) Palette {
	p := Palette{ID: id, Name: name}
	for _, s := range specs {
		j := strings.LastIndexByte(s, ' ')
		c := Colour{Name: s[:j], Hex: s[j+1:]}
		if _, err := parseHex(c.Hex); err != nil {
			panic(fmt.Sprintf("veglens: palette %s: %v", id, err))
		}
		p.Colours = append(p.Colours, c)
	}
	return p
}

func parseHex(s string) ([3]uint8, error) {
	var c [3]uint8
	if len(s) != 7 || s[0] != '#' {
		return c, fmt.Errorf("bad hex colour %q", s)
	}
	for i := range 3 {
		var v uint8
		for _, ch := range s[1+2*i : 3+2*i] {
			var d uint8
			switch {
			case ch >= '0' && ch <= '9':
				d = uint8(ch - '0')
			case ch >= 'A' && ch <= 'F':
				d = uint8(ch-'A') + 10
			default:
				return c, fmt.Errorf("bad hex colour %q (want upper-case #RRGGBB)", s)
			}
			v = v<<4 | d
		}
		c[i] = v
	}
	return c, nil
}
