package fakes

import (
	"context"
	"errors"
	"image"
	"slices"
	"sync"

	"github.com/veglens/veglens/shared/veglens"
)

// Classifier is a veglens.Classifier that names a picture by a rule the
// test chooses instead of a neural network. By default it answers every
// label, the first with probability 1, the rest 0. Every prediction has a
// similarity key (a one-value one unless Answer gives its own). Safe for
// concurrent use.
type Classifier struct {
	// Kinds the classifier knows, in output order.
	Kinds []veglens.Kind
	// Model version it reports.
	ModelVersion string
	// Answer, when set, returns the prediction for a picture (or an error,
	// as a failing runtime would).
	Answer func(img image.Image) (veglens.Prediction, error)

	mu    sync.Mutex
	calls int
}

var _ veglens.Classifier = (*Classifier)(nil)

// Classify implements veglens.Classifier: Answer's prediction, cut to the
// k most probable kinds.
func (c *Classifier) Classify(ctx context.Context, img image.Image, k int) (veglens.Prediction, error) {
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return veglens.Prediction{}, err
	}
	if img == nil || img.Bounds().Empty() {
		return veglens.Prediction{}, errors.New("classify: empty image")
	}
	if len(c.Kinds) == 0 {
		return veglens.Prediction{}, errors.New("classify: the fake classifier knows no kinds")
	}
	p := veglens.Prediction{Score: 1}
	for i, kind := range c.Kinds {
		p.Top = append(p.Top, veglens.Guess{Kind: kind, Probability: float64(1 - min(i, 1))})
	}
	if c.Answer != nil {
		var err error
		if p, err = c.Answer(img); err != nil {
			return veglens.Prediction{}, err
		}
	}
	p.Top = slices.Clone(p.Top[:min(max(k, 1), len(p.Top))])
	if p.SimilarityKey == nil {
		p.SimilarityKey = []float32{1}
	}
	return p, nil
}

// Calls is how many times Classify ran.
func (c *Classifier) Calls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

// Version implements veglens.Classifier.
func (c *Classifier) Version() string { return c.ModelVersion }

// Labels implements veglens.Classifier.
func (c *Classifier) Labels() []veglens.Kind { return slices.Clone(c.Kinds) }
