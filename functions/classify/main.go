// Command classify is the Lambda function triggered by ObjectCreated events
// of the images bucket (uploads/ and dataset/): it labels each image and
// writes its row. The handler is in package classify; this main only wires
// its dependencies.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/veglens/veglens/functions/classify/classify"
	"github.com/veglens/veglens/shared/catalog"
	"github.com/veglens/veglens/shared/config"
	"github.com/veglens/veglens/shared/labelling"
	"github.com/veglens/veglens/shared/objects"
	"github.com/veglens/veglens/shared/vision"
)

func main() {
	if err := run(context.Background(), os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "classify:", err)
		os.Exit(1)
	}
}

// run wires the handler: stdout receives the embedded-metric-format
// records, stderr the log.
func run(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	startup := config.Begin()
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return err
	}
	log := cfg.Logger(stderr, "classify")
	if err := cfg.Require("IMAGES_BUCKET", "MODEL_DIR", "ORT_LIB"); err != nil {
		return err
	}
	startup.Step("config")
	images, err := catalog.Connect(ctx, getenv)
	if err != nil {
		return err
	}
	startup.Step("database")
	objs, err := objects.New(ctx, objects.Config{Bucket: cfg.ImagesBucket, Endpoint: cfg.S3Endpoint, PublicEndpoint: cfg.S3PublicEndpoint})
	if err != nil {
		return err
	}
	startup.Step("s3")
	// Loaded once per container; every invocation reuses the session.
	model, err := vision.LoadModel(cfg.ModelDir, vision.ModelOptions{LibraryPath: cfg.ORTLib})
	if err != nil {
		return err
	}
	startup.Step("model")
	h, err := classify.New(classify.Deps{Deps: labelling.Deps{Images: images, Objects: objs, Classifier: model, Log: log}, Metrics: stdout})
	if err != nil {
		return err
	}
	startup.Done(ctx, log)
	lambda.Start(h.Handle)
	return nil
}
