package veglens

import "time"

// Search selects public, labelled images. Empty Kind or Colour means any.
type Search struct {
	Kind    Kind   // as the model names it
	Colour  string // upper-case hex of a wheel colour
	Method  Method
	Palette PaletteID
	Count   int // page size, 1..MaxCount
}

// MaxCount is the largest page a search returns.
const MaxCount = 100

// Page is one page of search results and the number of matches in all.
type Page struct {
	Total  int
	Images []Image
}

// ColourCount is how many public labelled images have a dominant colour.
type ColourCount struct {
	Hex   string
	Count int
}

// KindSummary is a kind's number of public labelled images and, when the
// gallery has one, an example (its most confident correctly labelled image).
type KindSummary struct {
	Count        int
	ExampleKey   string
	ExampleThumb string
}

// Stats is the monitoring summary of every stored image.
type Stats struct {
	Images, Done, Pending, Rejected, Refused int
	Kinds                                    map[Kind]int  // done, not refused, per predicted kind
	ColoursRGB, ColoursRYB                   []ColourCount // done, not refused, per foreground colour
	Speed                                    Speed
	Series                                   []SeriesPoint
}

// Speed holds percentiles of total labelling time (ms) over recent images;
// nil when there are none.
type Speed struct {
	Samples       int
	P50, P90, P99 *float64
}

// SeriesPoint is one minute of labelling.
type SeriesPoint struct {
	Start    time.Time
	Images   int
	P50, P99 *float64 // ms
}
