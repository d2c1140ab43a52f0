// Command query is the Lambda function behind every GET route of the HTTP
// API (search, one image, kinds, palettes, stats, model card). The handler
// is in package query.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/veglens/veglens/functions/query/query"
	"github.com/veglens/veglens/shared/config"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "query:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		return err
	}
	log := cfg.Logger("query")
	if err := cfg.Require("IMAGES_BUCKET"); err != nil {
		return err
	}
	store, err := cfg.Store(ctx)
	if err != nil {
		return err
	}
	objs, err := cfg.Objects(ctx)
	if err != nil {
		return err
	}
	h, err := query.New(query.Deps{Store: store, Objects: objs, ModelDir: cfg.ModelDir})
	if err != nil {
		return err
	}
	if err := h.ModelError(); err != nil {
		log.Warn("model card unavailable", "err", err)
	}
	lambda.Start(h.Handle)
	return nil
}
