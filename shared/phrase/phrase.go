// Package phrase reads a search written in plain English ("3 red
// tomatoes", "show me five aubergines in purple", "a dozen white
// cauliflowers") into the structured search it means: how many photos,
// which kind and which colour.
//
// The grammar is a closed vocabulary, read left to right, longest phrase
// first:
//
//   - a count: digits, or English number words up to a hundred ("twenty
//     one", "twenty-one", "a hundred", "a dozen", "half a dozen", "a couple
//     of");
//   - a kind: the model's label in any spelling veglens.NormaliseKind
//     accepts, its plural, or a synonym people use for it (eggplant and
//     aubergine for Brinjal, bell pepper for Capsicum; kindWords);
//   - a colour: an everyday name (veglens.CommonNames, "gray" for grey), or
//     failing that a name from the RGB wheel and then the RYB wheel
//     ("chartreuse", "blue-green");
//   - filler words that carry no meaning for the search ("show me", "photos
//     of", "in", "please").
//
// Anything else is not guessed at: Parse names the words it did not
// understand, so that a person can rephrase.
package phrase

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/veglens/veglens/shared/veglens"
)

// MaxLength is the longest text Parse reads, in characters.
const MaxLength = 200

// Query is what a phrase asks for. Zero fields were not mentioned.
type Query struct {
	// Count is the number of photos asked for, 1..veglens.MaxCount; 0 when
	// the phrase gives none.
	Count int
	// Kind is the model's label ("Bitter_Gourd"); "" when none is named.
	Kind veglens.Kind
	// Colour is the colour named and Palette the palette it comes from:
	// PaletteCommon for everyday words, else the wheel that has the name.
	Colour  veglens.Colour
	Palette veglens.PaletteID
}

// Error explains why a phrase could not be read. Its message is written for
// the person who typed the phrase.
type Error struct {
	// Unknown lists the words that are not in the vocabulary, in order.
	Unknown []string
	msg     string
}

func (e *Error) Error() string { return e.msg }

// ErrEmpty is returned for a phrase with no words at all.
var ErrEmpty = errors.New("Type what to look for, for example \"3 red tomatoes\".")

// kindWords are the words people use for each kind besides its label,
// singular and plural. The vocabulary is closed (the model's 15 kinds), so
// every form is listed rather than derived by an inflection library: the
// table is what the tests check, and "peppers" must mean Capsicum.
var kindWords = map[veglens.Kind][]string{
	"Bean":         {"bean", "beans", "french bean", "french beans", "string bean", "string beans", "runner bean", "runner beans", "haricot", "haricots"},
	"Bitter_Gourd": {"bitter gourds", "bitter melon", "bitter melons", "karela", "karelas"},
	"Bottle_Gourd": {"bottle gourds", "calabash", "calabashes", "lauki", "opo squash"},
	"Brinjal":      {"brinjals", "eggplant", "eggplants", "aubergine", "aubergines"},
	"Broccoli":     {"broccolis", "calabrese"},
	"Cabbage":      {"cabbages"},
	"Capsicum":     {"capsicums", "bell pepper", "bell peppers", "sweet pepper", "sweet peppers", "pepper", "peppers"},
	"Carrot":       {"carrots"},
	"Cauliflower":  {"cauliflowers"},
	"Cucumber":     {"cucumbers"},
	"Papaya":       {"papayas", "pawpaw", "pawpaws", "papaw", "papaws"},
	"Potato":       {"potatoes", "spud", "spuds"},
	"Pumpkin":      {"pumpkins"},
	"Radish":       {"radishes", "daikon", "daikons", "mooli"},
	"Tomato":       {"tomatoes"},
}

// colourWords are spellings of everyday colour names that CommonNames does
// not list itself.
var colourWords = map[string]string{"gray": "grey"}

// fillers carry no meaning for the search.
var fillers = wordSet(`a an the some any all of in with and or that which are is be
	show me find get give display list search for look looking see i want need would like
	please can you could let lets us photo photos picture pictures pic pics image images
	shot shots ones coloured colored colour color colours colors ones kind kinds`)

// numbers are the number words; tens combine with a following unit.
var (
	units = map[string]int{"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
		"six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
		"thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
		"eighteen": 18, "nineteen": 19}
	tens = map[string]int{"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
		"seventy": 70, "eighty": 80, "ninety": 90}
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// item is what a phrase of one or more words means.
type item struct {
	kind    veglens.Kind
	colour  veglens.Colour
	palette veglens.PaletteID
}

// Vocabulary is the phrases Parse knows for one list of kinds. Build it
// once with NewVocabulary; it is safe for concurrent use.
type Vocabulary struct {
	phrases map[string]item // space-joined words -> meaning
	longest int             // most words in one phrase
}

// NewVocabulary returns the vocabulary for kinds (the model's labels):
// each label in words and with an "s", the synonyms of kindWords for the
// kinds present, and every colour name of the three palettes.
func NewVocabulary(kinds veglens.Kinds) *Vocabulary {
	v := &Vocabulary{phrases: map[string]item{}}
	add := func(words string, it item) {
		words = strings.Join(strings.Fields(strings.ReplaceAll(strings.ToLower(words), "-", " ")), " ")
		if _, ok := v.phrases[words]; ok {
			return // the first meaning wins: common names before the wheels'
		}
		v.phrases[words] = it
		v.longest = max(v.longest, len(strings.Fields(words)))
	}
	for _, p := range []veglens.Palette{veglens.CommonNames, veglens.RGBWheel, veglens.RYBWheel} {
		for _, c := range p.Colours {
			add(c.Name, item{colour: c, palette: p.ID})
		}
	}
	for alias, name := range colourWords {
		c, _ := veglens.CommonNames.Lookup(name)
		add(alias, item{colour: c, palette: veglens.PaletteCommon})
	}
	for _, k := range kinds.List() {
		words := strings.ReplaceAll(k, "_", " ")
		add(words, item{kind: k})
		add(words+"s", item{kind: k})
		for _, w := range kindWords[k] {
			add(w, item{kind: k})
		}
	}
	return v
}

// Parse reads text. Errors are ErrEmpty or an *Error whose message names
// what was not understood (unknown words, two kinds or colours, a count
// outside 1..veglens.MaxCount, a text over MaxLength characters).
func (v *Vocabulary) Parse(text string) (Query, error) {
	var q Query
	if n := utf8.RuneCountInString(text); n > MaxLength {
		return q, &Error{msg: fmt.Sprintf("That is too long to read (%d characters; at most %d). Name a number, a colour and a kind, for example \"3 red tomatoes\".", n, MaxLength)}
	}
	if m := signedOrDecimal.FindString(text); m != "" {
		return q, &Error{msg: fmt.Sprintf("%q is not a number of photos we can show: ask for a whole number from 1 to %d.", strings.TrimSpace(m), veglens.MaxCount)}
	}
	words := split(text)
	if len(words) == 0 {
		if strings.TrimSpace(text) != "" {
			return q, &Error{Unknown: []string{strings.TrimSpace(text)}, msg: fmt.Sprintf("We did not understand %q. Name a number, a colour and a kind in words, for example \"3 red tomatoes\".", strings.TrimSpace(text))}
		}
		return q, ErrEmpty
	}
	var unknown, said []string // said: the words that gave each part, for messages
	var countWords, kindSaid, colourSaid string
	countSet := false
	for i := 0; i < len(words); {
		if words[i] == "one" && i > 0 && (articles[words[i-1]] || v.known(words[i-1])) {
			i++ // "a red one", "the green one": a pronoun, not a count
			continue
		}
		if n, used := number(words[i:]); used > 0 {
			phrase := strings.Join(words[i:i+used], " ")
			if countSet && n != q.Count {
				return q, &Error{msg: fmt.Sprintf("%q and %q are two different numbers; give one.", countWords, phrase)}
			}
			if n < 1 || n > veglens.MaxCount {
				return q, &Error{msg: fmt.Sprintf("%q is not a number of photos we can show: ask for 1 to %d.", phrase, veglens.MaxCount)}
			}
			q.Count, countWords, countSet = n, phrase, true
			i += used
			continue
		}
		it, used := v.longestAt(words[i:])
		if used == 0 {
			if !fillers[words[i]] {
				unknown = append(unknown, words[i])
			}
			i++
			continue
		}
		phrase := strings.Join(words[i:i+used], " ")
		said = append(said, phrase)
		switch {
		case it.kind != "":
			if q.Kind != "" && q.Kind != it.kind {
				return q, &Error{msg: fmt.Sprintf("%q and %q are two different kinds; search for one at a time.", kindSaid, phrase)}
			}
			q.Kind, kindSaid = it.kind, phrase
		default:
			if q.Colour.Hex != "" && q.Colour != it.colour {
				return q, &Error{msg: fmt.Sprintf("%q and %q are two different colours; search for one at a time.", colourSaid, phrase)}
			}
			q.Colour, q.Palette, colourSaid = it.colour, it.palette, phrase
		}
		i += used
	}
	if len(unknown) > 0 {
		return q, &Error{Unknown: unknown, msg: fmt.Sprintf("We did not understand %s. Name a number, a colour and a kind, for example \"3 red tomatoes\" or \"five orange carrots\".", quoteList(unknown))}
	}
	if len(said) == 0 && !countSet {
		return q, &Error{msg: "That names no kind, colour or number. Try for example \"3 red tomatoes\"."}
	}
	return q, nil
}

// signedOrDecimal finds a count with a sign or a fraction ("-3", "+2",
// "3.5", "2,5"), which the word splitting would otherwise read as plain
// digits.
var signedOrDecimal = regexp.MustCompile(`(^|[^\p{L}\p{N}])[-+]\d+|\d+[.,]\d+`)

// articles are the words after which "one" stands for a thing, not a count.
var articles = wordSet("a an the this that any some")

// known reports whether word alone is a colour or a kind.
func (v *Vocabulary) known(word string) bool {
	_, ok := v.phrases[word]
	return ok
}

// longestAt returns the meaning of the longest known phrase that words
// starts with, and how many words it takes (0: none).
func (v *Vocabulary) longestAt(words []string) (item, int) {
	for n := min(v.longest, len(words)); n >= 1; n-- {
		if it, ok := v.phrases[strings.Join(words[:n], " ")]; ok {
			return it, n
		}
	}
	return item{}, 0
}

// split lowercases text and cuts it into words: letters and digits; hyphens
// and other punctuation separate words ("twenty-one", "red-violet"), an
// apostrophe is dropped ("let's").
func split(text string) []string {
	text = strings.ReplaceAll(strings.ToLower(text), "'", "")
	text = strings.ReplaceAll(text, "’", "")
	return strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// number reads a count at the start of words: digits, or number words up to
// a hundred. It returns the value and how many words it took (0: none).
func number(words []string) (int, int) {
	w := words[0]
	if w[0] >= '0' && w[0] <= '9' {
		digits := strings.TrimLeft(w, "0")
		n, err := strconv.Atoi(w)
		if err != nil || len(digits) > 4 {
			return 1 << 20, 1 // digits, but not a count we serve: out of range
		}
		return n, 1
	}
	at := func(i int) string {
		if i < len(words) {
			return words[i]
		}
		return ""
	}
	switch {
	case slices.Equal(words[:min(3, len(words))], []string{"half", "a", "dozen"}):
		return 6, 3
	case w == "dozen":
		return 12, 1
	case (w == "a" || w == "one") && at(1) == "dozen":
		return 12, 2
	case w == "hundred":
		return 100, 1
	case (w == "a" || w == "one") && at(1) == "hundred":
		return 100, 2
	case w == "a" && at(1) == "couple":
		if at(2) == "of" {
			return 2, 3
		}
		return 2, 2
	case w == "couple":
		return 2, 1
	}
	if n, ok := units[w]; ok {
		if at(1) == "hundred" {
			return n * 100, 2
		}
		return n, 1
	}
	if n, ok := tens[w]; ok {
		if u, ok := units[at(1)]; ok && u >= 1 && u <= 9 {
			return n + u, 2
		}
		return n, 1
	}
	return 0, 0
}

// quoteList writes words as "a", "b" and "c".
func quoteList(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = strconv.Quote(w)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}
