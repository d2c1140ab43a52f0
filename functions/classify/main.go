// Command classify is the Lambda function triggered by ObjectCreated events
// of the images bucket (uploads/ and dataset/): it labels each image and
// writes its row. The handler is in package classify.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/veglens/veglens/functions/classify/classify"
	"github.com/veglens/veglens/shared/config"
	"github.com/veglens/veglens/shared/vision"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "classify:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		return err
	}
	cfg.Logger("classify")
	if err := cfg.Require("IMAGES_BUCKET", "MODEL_DIR"); err != nil {
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
	// Loaded once per container; every invocation reuses the session.
	model, err := vision.LoadModel(cfg.ModelDir, vision.ModelOptions{LibraryPath: cfg.ORTLib})
	if err != nil {
		return err
	}
	h, err := classify.New(classify.Deps{Store: store, Objects: objs, Model: model})
	if err != nil {
		return err
	}
	lambda.Start(h.Handle)
	return nil
}
