package colour

import (
	"fmt"
	"strings"
)

// Entry is one colour of a palette: a lower-case name such as "spring green"
// and its upper-case hex code such as "#00FF80".
type Entry struct {
	Name string `json:"name"`
	Hex  string `json:"hex"`
}

// RGB returns the entry's 8-bit sRGB components.
func (e Entry) RGB() (r, g, b uint8) {
	c, err := parseHex(e.Hex)
	if err != nil {
		return 0, 0, 0
	}
	return c[0], c[1], c[2]
}

// Palette is a fixed, ordered list of colours. Order matters: when two
// entries score exactly the same, the earlier one wins.
type Palette struct {
	// ID is the stable identifier used in URLs, JSON and the database:
	// "rgb" or "ryb".
	ID string `json:"id"`
	// Name is a human label such as "RGB wheel".
	Name    string  `json:"name"`
	Entries []Entry `json:"entries"`

	// basic marks the entries that plain colour words name (see doc.go):
	// the foreground method gives a dull pixel only to a basic entry.
	basic []bool
}

// The two 12-colour wheels. Do not modify them: every stored result refers
// to them by palette ID and entry name.
var (
	RGBWheel = newPalette("rgb", "RGB wheel", []string{
		"red #FF0000", "orange #FF8000", "yellow #FFFF00", "chartreuse #80FF00",
		"green #00FF00", "spring green #00FF80", "cyan #00FFFF", "azure #0080FF",
		"blue #0000FF", "violet #8000FF", "magenta #FF00FF", "rose #FF0080",
	}, "red", "orange", "yellow", "green", "cyan", "blue", "violet", "magenta")

	RYBWheel = newPalette("ryb", "RYB wheel", []string{
		"red #FE2712", "red-orange #FC600A", "orange #FB9902", "yellow-orange #FCCC1A",
		"yellow #FEFE33", "yellow-green #B2D732", "green #66B032", "blue-green #347C98",
		"blue #0247FE", "blue-violet #4424D6", "violet #8601AF", "red-violet #C21460",
	}, "red", "orange", "yellow", "green", "blue", "violet")
)

// Palettes lists every palette in a stable order.
func Palettes() []Palette { return []Palette{RGBWheel, RYBWheel} }

// PaletteByID returns the palette with the given ID ("rgb" or "ryb",
// case-insensitive).
func PaletteByID(id string) (Palette, bool) {
	for _, p := range Palettes() {
		if strings.EqualFold(p.ID, strings.TrimSpace(id)) {
			return p, true
		}
	}
	return Palette{}, false
}

// Lookup finds an entry of p by name ("Spring Green", "spring green") or by
// hex code with or without the leading # ("#00ff80", "00FF80"),
// case-insensitively.
func Lookup(p Palette, nameOrHex string) (Entry, bool) {
	q := strings.TrimSpace(nameOrHex)
	if q == "" {
		return Entry{}, false
	}
	for _, e := range p.Entries {
		if strings.EqualFold(e.Name, q) {
			return e, true
		}
	}
	hex := strings.TrimPrefix(q, "#")
	for _, e := range p.Entries {
		if strings.EqualFold(e.Hex[1:], hex) {
			return e, true
		}
	}
	return Entry{}, false
}

// Index returns the position of e in p, or -1.
func (p Palette) Index(e Entry) int {
	for i, x := range p.Entries {
		if x == e {
			return i
		}
	}
	return -1
}

func newPalette(id, name string, specs []string, basic ...string) Palette {
	p := Palette{ID: id, Name: name, basic: make([]bool, len(specs))}
	for i, s := range specs {
		j := strings.LastIndexByte(s, ' ')
		e := Entry{Name: s[:j], Hex: s[j+1:]}
		if _, err := parseHex(e.Hex); err != nil {
			panic(fmt.Sprintf("colour: palette %s: %v", id, err))
		}
		p.Entries = append(p.Entries, e)
		for _, b := range basic {
			if b == e.Name {
				p.basic[i] = true
			}
		}
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
