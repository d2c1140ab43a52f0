// Package migration is the CloudFormation custom resource behind every
// deploy: on Create and Update it applies the catalog's database migrations,
// on Delete it does nothing (removing the stack never drops data).
package migration

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
)

// PhysicalID is the one physical resource id the migration ever reports, so
// an update never looks like a replacement (which would send a Delete).
const PhysicalID = "veglens-database-migration"

// replyMargin is kept free before the Lambda deadline so that a migration
// that hangs still lets CloudFormation hear FAILED instead of waiting an hour.
const replyMargin = 15 * time.Second

// Handler applies migrations. ResolveURL finds the database (DATABASE_URL or
// the Secrets Manager secret); Migrate applies the embedded migrations.
type Handler struct {
	ResolveURL func(ctx context.Context) (string, error)
	Migrate    func(ctx context.Context, url string) error
	Log        *slog.Logger
}

// Handle is a cfn.CustomResourceFunction; wrap it with cfn.LambdaWrap, which
// sends the result to CloudFormation's response URL.
func (h Handler) Handle(ctx context.Context, event cfn.Event) (string, map[string]any, error) {
	log := h.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("requestType", event.RequestType, "stack", event.StackID, "logicalId", event.LogicalResourceID)
	if event.RequestType == cfn.RequestDelete {
		log.InfoContext(ctx, "stack resource deleted; database left as it is")
		return PhysicalID, nil, nil
	}
	if event.RequestType != cfn.RequestCreate && event.RequestType != cfn.RequestUpdate {
		return PhysicalID, nil, fmt.Errorf("migration: unknown request type %q", event.RequestType)
	}
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-replyMargin))
		defer cancel()
	}
	start := time.Now()
	url, err := h.ResolveURL(ctx)
	if err != nil {
		return PhysicalID, nil, fmt.Errorf("migration: find the database: %w", err)
	}
	if err := h.Migrate(ctx, url); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return PhysicalID, nil, fmt.Errorf("migration: gave up before the function's deadline: %w", err)
		}
		return PhysicalID, nil, fmt.Errorf("migration: %w", err)
	}
	log.InfoContext(ctx, "database schema is current", "ms", time.Since(start).Milliseconds())
	return PhysicalID, map[string]any{"Migrated": start.UTC().Format(time.RFC3339)}, nil
}
