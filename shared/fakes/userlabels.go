package fakes

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/veglens/veglens/shared/veglens"
)

// tokenBucket is one client's rate-limit bucket.
type tokenBucket struct {
	tokens float64
	at     time.Time
}

// SaveUserLabel implements veglens.ImageStore.
func (s *ImageStore) SaveUserLabel(ctx context.Context, id string, kind veglens.Kind) (veglens.UserLabel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "save user label"); err != nil {
		return veglens.UserLabel{}, err
	}
	id, ok := canonicalID(id)
	var im *veglens.Image
	for _, v := range s.byKey {
		if ok && v.ID == id {
			im = v
		}
	}
	switch {
	case im == nil:
		return veglens.UserLabel{}, fmt.Errorf("save user label of %s: %w", id, veglens.ErrNotFound)
	case im.Status != veglens.StatusDone:
		return veglens.UserLabel{}, fmt.Errorf("save user label of %s (%s): %w", id, im.Status, veglens.ErrNotLabelled)
	}
	now := s.now()
	l, had := s.labels[id]
	switch {
	case !had:
		l = veglens.UserLabel{ImageID: id, Kind: kind, CreatedAt: now, UpdatedAt: now}
	case l.Kind != kind:
		l.Kind, l.UpdatedAt = kind, now
	}
	s.labels[id] = l
	return l, nil
}

// UserLabel implements veglens.ImageStore.
func (s *ImageStore) UserLabel(ctx context.Context, id string) (veglens.UserLabel, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "user label"); err != nil {
		return veglens.UserLabel{}, false, err
	}
	id, _ = canonicalID(id)
	l, ok := s.labels[id]
	return l, ok, nil
}

// TakeToken implements veglens.ImageStore.
func (s *ImageStore) TakeToken(ctx context.Context, client string, limit veglens.RateLimit) (bool, time.Duration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "take token"); err != nil {
		return false, 0, err
	}
	now := s.now()
	b, ok := s.buckets[client]
	if !ok {
		b = tokenBucket{tokens: float64(limit.Burst), at: now}
	}
	perSecond := 1 / limit.Every.Seconds()
	tokens := math.Min(float64(limit.Burst), b.tokens+now.Sub(b.at).Seconds()*perSecond)
	if tokens < 1 {
		return false, max(time.Millisecond, time.Duration(math.Ceil((1-tokens)/perSecond*1e3))*time.Millisecond), nil
	}
	s.buckets[client] = tokenBucket{tokens: tokens - 1, at: now}
	return true, 0, nil
}

// ForgetTokensBefore implements veglens.ImageStore.
func (s *ImageStore) ForgetTokensBefore(ctx context.Context, t time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "forget tokens"); err != nil {
		return 0, err
	}
	n := 0
	for c, b := range s.buckets {
		if b.at.Before(t) {
			delete(s.buckets, c)
			n++
		}
	}
	return n, nil
}
