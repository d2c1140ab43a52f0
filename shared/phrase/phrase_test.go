package phrase

import (
	"errors"
	"strings"
	"testing"

	"github.com/veglens/veglens/shared/veglens"
)

// labels are the committed model's kinds (models/model.json).
var labels = []string{"Bean", "Bitter_Gourd", "Bottle_Gourd", "Brinjal", "Broccoli", "Cabbage",
	"Capsicum", "Carrot", "Cauliflower", "Cucumber", "Papaya", "Potato", "Pumpkin", "Radish", "Tomato"}

var vocab = NewVocabulary(veglens.NewKinds(labels))

func TestParseUnderstands(t *testing.T) {
	for _, tc := range []struct {
		text    string
		count   int
		kind    string
		colour  string
		palette veglens.PaletteID
	}{
		// digits and number words
		{"3 red tomatoes", 3, "Tomato", "red", veglens.PaletteCommon},
		{"three red tomatoes", 3, "Tomato", "red", veglens.PaletteCommon},
		{"Three Red Tomatoes", 3, "Tomato", "red", veglens.PaletteCommon},
		{"12 carrots", 12, "Carrot", "", ""},
		{"twenty-one potatoes", 21, "Potato", "", ""},
		{"twenty one potatoes", 21, "Potato", "", ""},
		{"forty five green beans", 45, "Bean", "green", veglens.PaletteCommon},
		{"ninety-nine cabbages", 99, "Cabbage", "", ""},
		{"a hundred tomatoes", 100, "Tomato", "", ""},
		{"one hundred radishes", 100, "Radish", "", ""},
		{"100 pumpkins", 100, "Pumpkin", "", ""},
		{"a dozen white cauliflowers", 12, "Cauliflower", "white", veglens.PaletteCommon},
		{"half a dozen cucumbers", 6, "Cucumber", "", ""},
		{"a couple of papayas", 2, "Papaya", "", ""},
		{"one red tomato", 1, "Tomato", "red", veglens.PaletteCommon},
		{"eleven yellow peppers", 11, "Capsicum", "yellow", veglens.PaletteCommon},
		{"seventeen broccoli", 17, "Broccoli", "", ""},
		// synonyms and plurals
		{"eggplants", 0, "Brinjal", "", ""},
		{"5 purple aubergines", 5, "Brinjal", "purple", veglens.PaletteCommon},
		{"brinjal", 0, "Brinjal", "", ""},
		{"2 red bell peppers", 2, "Capsicum", "red", veglens.PaletteCommon},
		{"sweet pepper", 0, "Capsicum", "", ""},
		{"capsicums in green", 0, "Capsicum", "green", veglens.PaletteCommon},
		{"bitter melon", 0, "Bitter_Gourd", "", ""},
		{"4 bitter gourds", 4, "Bitter_Gourd", "", ""},
		{"bitter-gourd", 0, "Bitter_Gourd", "", ""},
		{"bottle gourds", 0, "Bottle_Gourd", "", ""},
		{"calabashes", 0, "Bottle_Gourd", "", ""},
		{"white daikon", 0, "Radish", "white", veglens.PaletteCommon},
		{"radishes", 0, "Radish", "", ""},
		{"spuds", 0, "Potato", "", ""},
		{"pawpaw", 0, "Papaya", "", ""},
		// colours: everyday words, spellings, wheel names
		{"grey cauliflower", 0, "Cauliflower", "grey", veglens.PaletteCommon},
		{"gray cauliflower", 0, "Cauliflower", "grey", veglens.PaletteCommon},
		{"brown potatoes", 0, "Potato", "brown", veglens.PaletteCommon},
		{"beige potatoes", 0, "Potato", "beige", veglens.PaletteCommon},
		{"pink radish", 0, "Radish", "pink", veglens.PaletteCommon},
		{"black", 0, "", "black", veglens.PaletteCommon},
		{"chartreuse cabbage", 0, "Cabbage", "chartreuse", veglens.PaletteRGB},
		{"spring green cucumbers", 0, "Cucumber", "spring green", veglens.PaletteRGB},
		{"blue-green cabbage", 0, "Cabbage", "blue-green", veglens.PaletteRYB},
		{"red-violet brinjals", 0, "Brinjal", "red-violet", veglens.PaletteRYB},
		{"yellow orange pumpkins", 0, "Pumpkin", "yellow-orange", veglens.PaletteRYB},
		// filler words, order and punctuation
		{"show me 3 photos of red tomatoes please", 3, "Tomato", "red", veglens.PaletteCommon},
		{"tomatoes in red", 0, "Tomato", "red", veglens.PaletteCommon},
		{"tomatoes, red, 7", 7, "Tomato", "red", veglens.PaletteCommon},
		{"I want ten pictures of orange carrots!", 10, "Carrot", "orange", veglens.PaletteCommon},
		{"find images of green coloured cucumbers", 0, "Cucumber", "green", veglens.PaletteCommon},
		{"let's see some purple eggplants", 0, "Brinjal", "purple", veglens.PaletteCommon},
		{"Carrot", 0, "Carrot", "", ""},
		{"8", 8, "", "", ""},
		{"00003 carrots", 3, "Carrot", "", ""},
		{"red-orange tomatoes", 0, "Tomato", "red-orange", veglens.PaletteRYB},
		{"red red tomatoes", 0, "Tomato", "red", veglens.PaletteCommon},
		{"tomatoes, a red one", 0, "Tomato", "red", veglens.PaletteCommon},
		{"the green one, a cucumber", 0, "Cucumber", "green", veglens.PaletteCommon},
		{"one", 1, "", "", ""},
	} {
		t.Run(tc.text, func(t *testing.T) {
			q, err := vocab.Parse(tc.text)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.text, err)
			}
			if q.Count != tc.count || q.Kind != tc.kind || q.Colour.Name != tc.colour || q.Palette != tc.palette {
				t.Errorf("Parse(%q) = count %d, kind %q, colour %q (%s); want %d, %q, %q (%s)",
					tc.text, q.Count, q.Kind, q.Colour.Name, q.Palette, tc.count, tc.kind, tc.colour, tc.palette)
			}
		})
	}
}

// Phrases that cannot be read are refused with a message that names what
// was not understood, never guessed at.
func TestParseRefuses(t *testing.T) {
	for _, tc := range []struct {
		text    string
		unknown []string
		says    string // part of the message
	}{
		{"3 red apples", []string{"apples"}, `"apples"`},
		{"oranges", []string{"oranges"}, `"oranges"`},
		{"dark green cabbage", []string{"dark"}, `"dark"`},
		{"tomatos und karotten", []string{"und", "karotten"}, `"und" and "karotten"`},
		{"tomatoes and carrots", nil, "two different kinds"},
		{"red and green peppers", nil, "two different colours"},
		{"3 or 4 potatoes", nil, "two different numbers"},
		{"0 tomatoes", nil, "ask for 1 to 100"},
		{"zero tomatoes", nil, "ask for 1 to 100"},
		{"101 tomatoes", nil, "ask for 1 to 100"},
		{"two hundred tomatoes", nil, "ask for 1 to 100"},
		{"99999999999999999999 tomatoes", nil, "ask for 1 to 100"},
		{"-3 carrots", nil, `"-3" is not a number of photos`},
		{"3.5 carrots", nil, `"3.5" is not a number of photos`},
		{"🍅", []string{"🍅"}, `"🍅"`},
		{"show me some photos", nil, "names no kind, colour or number"},
		{strings.Repeat("tomato ", 40), nil, "too long"},
	} {
		t.Run(tc.text, func(t *testing.T) {
			_, err := vocab.Parse(tc.text)
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) error = %v, want a *phrase.Error", tc.text, err)
			}
			if !strings.Contains(pe.Error(), tc.says) {
				t.Errorf("Parse(%q) says %q; want it to mention %s", tc.text, pe.Error(), tc.says)
			}
			if strings.Join(pe.Unknown, " ") != strings.Join(tc.unknown, " ") {
				t.Errorf("Parse(%q) unknown = %q, want %q", tc.text, pe.Unknown, tc.unknown)
			}
		})
	}
}

func TestParseEmpty(t *testing.T) {
	for _, text := range []string{"", "   ", "\t\n"} {
		if _, err := vocab.Parse(text); !errors.Is(err, ErrEmpty) {
			t.Errorf("Parse(%q) error = %v, want ErrEmpty", text, err)
		}
	}
}

// Every kind the model knows is understood by its own label, in words and
// in the plural, so a model with new kinds needs no code change.
func TestEveryLabelIsAWord(t *testing.T) {
	v := NewVocabulary(veglens.NewKinds(append(labels, "Sweet_Potato")))
	for _, l := range append(labels, "Sweet_Potato") {
		for _, text := range []string{l, strings.ReplaceAll(l, "_", " ") + "s"} {
			q, err := v.Parse(text)
			if err != nil || q.Kind != l {
				t.Errorf("Parse(%q) = %q, %v; want kind %s", text, q.Kind, err, l)
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"3 red tomatoes", "twenty-one", "a couple of", "half a dozen x", "1e5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		q, err := vocab.Parse(text)
		if err != nil {
			if err.Error() == "" {
				t.Errorf("Parse(%q): empty error message", text)
			}
			return
		}
		if q.Count < 0 || q.Count > veglens.MaxCount {
			t.Errorf("Parse(%q) count %d out of range", text, q.Count)
		}
		if (q.Colour.Hex == "") != (q.Palette == "") {
			t.Errorf("Parse(%q): colour %v with palette %q", text, q.Colour, q.Palette)
		}
	})
}
