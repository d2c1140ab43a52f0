package veglens

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Search selects public, labelled images. Empty Kind or Colour means any.
// Results come most confident first, ties by id, highest first.
type Search struct {
	Kind    Kind   // as the model names it
	Colour  string // upper-case hex of a wheel colour
	Method  Method
	Palette PaletteID
	Count   int // page size, 1..MaxCount
	// After, when set, asks for the page that follows the image it names
	// (keyset pagination: Page.Next of the previous page).
	After *Cursor
}

// MaxCount is the largest page a search returns.
const MaxCount = 100

// TotalCap is where searches stop counting: a larger number of matches is
// reported as TotalCap with Page.TotalCapped set ("1,000+"), so that a
// search costs the same however many rows match.
const TotalCap = 1_000

// Page is one page of search results and the number of matches in all.
type Page struct {
	// Total is the number of matches, counted up to TotalCap.
	Total int
	// TotalCapped reports that there are more than TotalCap matches.
	TotalCapped bool
	Images      []Image
	// Next names the last image of this page when more follow (Search.After
	// of the next page); nil on the last page.
	Next *Cursor
}

// Cursor is a position in search results: the confidence and id of the
// image a page ended with, and which search it belongs to. Its text form
// (String, ParseCursor) is opaque to API clients.
type Cursor struct {
	Confidence float32 // as stored (PostgreSQL real)
	ID         string  // a UUID
	// Of is the Fingerprint of the search the cursor was made for: the
	// API refuses it with another search rather than page through that one
	// from an unrelated position. Stores ignore it.
	Of string
}

// Fingerprint identifies a search's filters (kind, colour, method,
// palette; not the page size): 8 hex digits of their SHA-256.
func (s Search) Fingerprint() string {
	sum := sha256.Sum256([]byte(strings.Join([]string{s.Kind, s.Colour, string(s.Method), string(s.Palette)}, "\x00")))
	return hex.EncodeToString(sum[:4])
}

// ErrBadCursor is returned by ParseCursor for text it did not make.
var ErrBadCursor = errors.New("not a cursor this service gave out")

// String encodes the cursor as unpadded URL-safe base64 of
// "<confidence bits in hex>:<id>:<search fingerprint>".
func (c Cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatUint(uint64(math.Float32bits(c.Confidence)), 16) + ":" + c.ID + ":" + c.Of))
}

// ParseCursor reads a cursor written by String; anything else wraps
// ErrBadCursor.
func ParseCursor(s string) (Cursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, fmt.Errorf("cursor %q: %w", s, ErrBadCursor)
	}
	parts := strings.Split(string(raw), ":")
	if len(parts) != 3 {
		return Cursor{}, fmt.Errorf("cursor %q: %w", s, ErrBadCursor)
	}
	b, err := strconv.ParseUint(parts[0], 16, 32)
	if err != nil || !IsUUID(parts[1]) {
		return Cursor{}, fmt.Errorf("cursor %q: %w", s, ErrBadCursor)
	}
	c := Cursor{Confidence: math.Float32frombits(uint32(b)), ID: strings.ToLower(parts[1]), Of: parts[2]}
	if f := float64(c.Confidence); math.IsNaN(f) || f < 0 || f > 1 {
		return Cursor{}, fmt.Errorf("cursor %q: %w", s, ErrBadCursor)
	}
	return c, nil
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
	// Agreement compares predictions with user labels over the last
	// AgreementWindow.
	Agreement LabelAgreement
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
