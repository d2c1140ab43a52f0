package veglens

import (
	"strings"
)

// Kind is a vegetable the model knows, spelt as its label in model.json
// ("Bitter_Gourd"). The list of kinds is the model's: ModelMeta.Labels.
type Kind = string

// KindLabel turns a kind into words for people: "Bitter_Gourd" ->
// "Bitter gourd".
func KindLabel(kind Kind) string {
	s := strings.ToLower(strings.ReplaceAll(kind, "_", " "))
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// NormaliseKind folds case and treats spaces and hyphens as underscores, so
// "bitter gourd", "Bitter-Gourd" and "BITTER_GOURD" compare equal.
func NormaliseKind(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.NewReplacer(" ", "_", "-", "_").Replace(s)
}

// Kinds is an ordered list of kinds (the model's label order) with lookup by
// any spelling NormaliseKind accepts.
type Kinds struct {
	list  []Kind
	index map[string]Kind
}

// NewKinds returns the kinds in the given order.
func NewKinds(labels []string) Kinds {
	k := Kinds{list: append([]Kind(nil), labels...), index: make(map[string]Kind, len(labels))}
	for _, l := range labels {
		k.index[NormaliseKind(l)] = l
	}
	return k
}

// List returns the kinds in order (a copy).
func (k Kinds) List() []Kind { return append([]Kind(nil), k.list...) }

// Lookup finds a kind by any spelling NormaliseKind accepts.
func (k Kinds) Lookup(s string) (Kind, bool) {
	kind, ok := k.index[NormaliseKind(s)]
	return kind, ok
}

// KindColours lists, for each kind the product knows, the everyday colours
// (CommonNames) that its common varieties come in, as grocers and seed
// catalogues describe them: aubergines are purple, white or green; potatoes
// brown, beige, yellow, red or purple. The colour package uses it as a
// memory-colour prior (people name a familiar object by the colour they
// know it has; Hansen et al. 2006, "Memory modulates color appearance",
// Nature Neuroscience 9) only where a photo's measured hue cannot be trusted.
// A kind missing from it gets no prior.
var KindColours = map[Kind][]string{
	"Bean":         {"green", "yellow", "purple"},
	"Bitter_Gourd": {"green", "white"},
	"Bottle_Gourd": {"green"},
	"Brinjal":      {"purple", "white", "green"},
	"Broccoli":     {"green", "purple"},
	"Cabbage":      {"green", "purple", "white"},
	"Capsicum":     {"red", "orange", "yellow", "green", "purple"},
	"Carrot":       {"orange", "purple", "yellow", "white"},
	"Cauliflower":  {"white", "orange", "purple", "green"},
	"Cucumber":     {"green"},
	"Papaya":       {"green", "yellow", "orange"},
	"Potato":       {"brown", "beige", "yellow", "red", "purple", "orange"},
	"Pumpkin":      {"orange", "green", "yellow", "white"},
	"Radish":       {"red", "white", "pink", "purple", "black"},
	"Tomato":       {"red", "orange", "yellow", "green", "pink"},
}
