package veglens

import (
	"encoding/json"
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

// PaletteID names a palette in URLs, JSON and the database: "rgb" or "ryb"
// for the two wheels, "common" for the everyday colour names.
type PaletteID string

// The palettes' IDs.
const (
	PaletteRGB    PaletteID = "rgb"
	PaletteRYB    PaletteID = "ryb"
	PaletteCommon PaletteID = "common"
)

// Palette is a fixed, ordered list of 12 named colours: one of the two
// wheels, or the common names. Order matters: on a wheel, neighbours on the
// wheel are neighbours in the list, and when two colours score exactly the
// same, the earlier one wins.
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

	// CommonNames are the everyday colour words people use for a
	// vegetable, each with a swatch for showing it (not a measured colour):
	// the neutral names white, grey and black, then brown (dark orange) and
	// beige (low-chroma orange or pale yellow), then the hues. The colour package
	// documents the OKLCh boundaries of each name.
	CommonNames = newPalette(PaletteCommon, "Common names",
		"white #FFFFFF", "grey #7A7A7A", "black #1A1A1A", "brown #7B4A2A",
		"beige #E2CFA6", "red #D7261E", "orange #F28C1E", "yellow #F5D324",
		"green #3F9B2F", "blue #2A62C9", "purple #7B3F9E", "pink #F49AC1")
)

// IsNeutralName reports whether a common name is one that only a neutral
// subject gets: white, grey or black (a vegetable with a tint is named by
// its hue, brown or beige included).
func IsNeutralName(name string) bool { return name == "white" || name == "grey" || name == "black" }

// Palettes lists every palette: the RGB wheel, the RYB wheel, then the
// common names (copies: changing them changes nothing else).
func Palettes() []Palette { return []Palette{RGBWheel.clone(), RYBWheel.clone(), CommonNames.clone()} }

// Wheels lists the two 12-colour wheels, RGB first (copies).
func Wheels() []Palette { return []Palette{RGBWheel.clone(), RYBWheel.clone()} }

func (p Palette) clone() Palette {
	p.Colours = append([]Colour(nil), p.Colours...)
	return p
}

// PaletteByID returns the palette with the given ID ("rgb", "ryb" or
// "common", any case, surrounding spaces ignored).
func PaletteByID(id string) (Palette, bool) {
	for _, p := range []Palette{RGBWheel, RYBWheel, CommonNames} {
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

// PaletteResult is one method's result on one palette.
type PaletteResult struct {
	// Dominant is the colour named; on a wheel it is the zero Colour (empty
	// name and hex) when the subject has no measurable hue (see Neutral).
	Dominant Colour `json:"dominant"`
	// Neutral marks a subject without a measurable tint: mostly white,
	// grey or black, or too dark to tell. On the wheels Dominant is then
	// empty, and a foreground search never returns it for a wheel colour;
	// it is found by its common name.
	Neutral bool `json:"neutral"`
	// Shares lists the colours present, largest first (the foreground
	// method only; empty for the reference method).
	Shares []ColourShare `json:"shares"`
	// MemoryColour marks a foreground answer named from the colours the
	// vegetable's kind comes in (KindColours), because the photo's own hue
	// could not be trusted: too dark and dull, or on the border of two
	// names. Shares stay as measured, so they may favour another colour.
	MemoryColour bool `json:"memory_colour,omitempty"`
}

// MarshalJSON writes Dominant as null when it is the zero Colour (a
// subject without a measurable hue); reading null back gives the zero
// Colour again.
func (r PaletteResult) MarshalJSON() ([]byte, error) {
	type plain PaletteResult
	out := struct {
		plain
		Dominant *Colour `json:"dominant"`
	}{plain: plain(r)}
	if r.Dominant != (Colour{}) {
		out.Dominant = &r.Dominant
	}
	return json.Marshal(out)
}

// MethodColours is one method's result on both wheels and, for the
// foreground method, in common words.
type MethodColours struct {
	RGB PaletteResult `json:"rgb"`
	RYB PaletteResult `json:"ryb"`
	// Common is the everyday name (CommonNames); nil for the reference
	// method, which names wheel colours only.
	Common *PaletteResult `json:"common,omitempty"`
}

// Colours is the colour analysis of an image: both methods on both wheels.
type Colours struct {
	Foreground MethodColours `json:"foreground"`
	Reference  MethodColours `json:"reference"`
}

// Dominant returns the dominant colour for a method and palette (the zero
// Colour when there is none).
func (c Colours) Dominant(m Method, p PaletteID) Colour {
	mc := c.Foreground
	if m == MethodReference {
		mc = c.Reference
	}
	switch p {
	case PaletteRYB:
		return mc.RYB.Dominant
	case PaletteCommon:
		if mc.Common == nil {
			return Colour{}
		}
		return mc.Common.Dominant
	}
	return mc.RGB.Dominant
}

// Searchable returns the colour a search for method m and palette p finds
// the image under, or the zero Colour: with the foreground method a neutral
// subject is found by its common name only, never by a wheel colour.
func (c Colours) Searchable(m Method, p PaletteID) Colour {
	if m == MethodForeground && p != PaletteCommon && c.Foreground.RGB.Neutral {
		return Colour{}
	}
	return c.Dominant(m, p)
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
