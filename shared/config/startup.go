package config

import (
	"context"
	"log/slog"
	"time"
)

// Startup times the steps of a function's start-up (its cold start): each
// Step records the milliseconds since the previous one, and Done logs them
// all, with the total since Begin, as one "initialised" line
// (config_ms, database_ms, s3_ms, model_ms, ..., total_ms).
type Startup struct {
	begin, last time.Time
	attrs       []any
}

// Begin starts timing; call it first thing in main.
func Begin() *Startup {
	now := time.Now()
	return &Startup{begin: now, last: now}
}

// Step records the time since the previous step (or Begin) as name_ms.
func (s *Startup) Step(name string) {
	now := time.Now()
	s.attrs = append(s.attrs, name+"_ms", ms(now.Sub(s.last)))
	s.last = now
}

// Done logs the steps and total_ms at info level.
func (s *Startup) Done(ctx context.Context, log *slog.Logger) {
	log.InfoContext(ctx, "initialised", append(s.attrs, "total_ms", ms(time.Since(s.begin)))...)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
