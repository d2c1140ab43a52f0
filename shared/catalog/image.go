// Package catalog is veglens's PostgreSQL store: one row per image, the
// single record of its status, prediction, colours, timings and model
// version. Writes are idempotent on the object's key. The schema is managed
// by migrations embedded in the package (Migrate).
package catalog

import (
	"errors"
	"fmt"
	"time"
)

// Status is where an image is in its life.
type Status string

// Image statuses.
const (
	StatusPending  Status = "pending"  // uploaded (or about to be), not labelled yet
	StatusDone     Status = "done"     // labelled
	StatusRejected Status = "rejected" // not a usable image; Reason says why
)

// Source says where an image came from.
type Source string

// Image sources.
const (
	SourceUpload  Source = "upload"  // sent by a user (uploads/ keys)
	SourceDataset Source = "dataset" // the public gallery (dataset/ keys)
)

// Method is how a dominant colour was computed.
type Method string

// Colour methods.
const (
	MethodForeground Method = "foreground" // the vegetable, background removed
	MethodReference  Method = "reference"  // the whole picture
)

// Palette is a 12-colour wheel.
type Palette string

// Palettes.
const (
	PaletteRGB Palette = "rgb"
	PaletteRYB Palette = "ryb"
)

// Guess is one of the top kinds with its probability.
type Guess struct {
	Kind        string  `json:"kind"`
	Probability float64 `json:"probability"`
}

// ColourRef names a wheel colour.
type ColourRef struct {
	Name string `json:"name"`
	Hex  string `json:"hex"`
}

// ColourShare is a wheel colour and the fraction of counted pixels nearest it.
type ColourShare struct {
	Name  string  `json:"name"`
	Hex   string  `json:"hex"`
	Share float64 `json:"share"`
}

// PaletteResult is one method's result on one wheel.
type PaletteResult struct {
	Dominant ColourRef     `json:"dominant"`
	Neutral  bool          `json:"neutral"`
	Shares   []ColourShare `json:"shares"`
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

// Dominant returns the dominant colour's hex for a method and palette.
func (c Colours) Dominant(m Method, p Palette) string {
	mc := c.Foreground
	if m == MethodReference {
		mc = c.Reference
	}
	if p == PaletteRYB {
		return mc.RYB.Dominant.Hex
	}
	return mc.RGB.Dominant.Hex
}

// Timings are the milliseconds spent per labelling step.
type Timings struct {
	FetchMs     float64 `json:"fetch_ms"`
	DecodeMs    float64 `json:"decode_ms"`
	InferenceMs float64 `json:"inference_ms"`
	ColourMs    float64 `json:"colour_ms"`
	TotalMs     float64 `json:"total_ms"`
}

// Image is one row: everything known about one stored object.
type Image struct {
	ID           string
	Bucket       string
	Key          string
	Source       Source
	Listed       bool
	Status       Status
	Reason       string // when rejected
	ETag         string // of the labelled object
	TrueKind     string // dataset images
	Kind         string // predicted
	Confidence   float64
	Refused      bool
	Score        float64
	Top          []Guess
	Colours      *Colours // nil unless done
	Width        int
	Height       int
	ThumbnailKey string
	Timings      *Timings // nil unless labelled
	ModelVersion string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Labelled reports whether the row holds a final result (done or rejected)
// for the object version etag by the model version.
func (im Image) Labelled(etag, modelVersion string) bool {
	return im.Status != StatusPending && etag != "" && im.ETag == etag && im.ModelVersion == modelVersion
}

// ErrNotFound is returned when no row matches.
var ErrNotFound = errors.New("image not found")

// ErrUnavailable marks failures to reach the database (down, restarting,
// refusing connections): the operation may succeed if retried later.
var ErrUnavailable = errors.New("database unavailable")

// colourColumn returns the column holding the dominant colour for a method
// and palette. Only these four fixed names ever reach SQL.
func colourColumn(m Method, p Palette) (string, error) {
	switch {
	case m == MethodForeground && p == PaletteRGB:
		return "fg_rgb", nil
	case m == MethodForeground && p == PaletteRYB:
		return "fg_ryb", nil
	case m == MethodReference && p == PaletteRGB:
		return "ref_rgb", nil
	case m == MethodReference && p == PaletteRYB:
		return "ref_ryb", nil
	}
	return "", fmt.Errorf("unknown colour method %q or palette %q", m, p)
}
