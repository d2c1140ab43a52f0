package veglens

import (
	"errors"
	"time"
)

// NotAVegetable is the user label that says a photo shows none of the
// kinds (UserLabel.Kind is then empty); it is how the API spells it.
const NotAVegetable = "none"

// UserLabel is a person's own answer to "what does this photo show": one
// per image, kept beside the prediction and never overwriting it. It is
// the product's real-world accuracy monitor (LabelAgreement).
type UserLabel struct {
	ImageID string
	// Kind is the kind the person says the photo shows; empty when they
	// say it is not one of the kinds (NotAVegetable).
	Kind      Kind
	CreatedAt time.Time
	// UpdatedAt is when the label last changed (saving the same label
	// again changes nothing).
	UpdatedAt time.Time
}

// Agrees reports whether the label says what the prediction im says: the
// same kind, or "not a vegetable" for a refused photo.
func (l UserLabel) Agrees(im Image) bool {
	if im.Refused || im.Kind == "" {
		return l.Kind == ""
	}
	return l.Kind == im.Kind
}

// LabelAgreement compares predictions with the user labels given within a
// time window.
type LabelAgreement struct {
	Since  time.Time
	Labels int // user labels given (last changed) since Since
	Agree  int // of those, how many say what the current prediction says
}

// AgreementWindow is the window of LabelAgreement in Stats: 30 days.
const AgreementWindow = 30 * 24 * time.Hour

// RateLimit is a token bucket (the classic traffic-shaping algorithm): a
// client may make Burst requests at once, and one more every Every.
type RateLimit struct {
	Burst int
	Every time.Duration
}

// ErrNotLabelled is returned when a user label is given for an image that
// holds no prediction (pending or rejected).
var ErrNotLabelled = errors.New("the image has not been labelled")

// KindOrNone is the label as the API spells it: the kind, or NotAVegetable.
func (l UserLabel) KindOrNone() string {
	if l.Kind == "" {
		return NotAVegetable
	}
	return l.Kind
}
