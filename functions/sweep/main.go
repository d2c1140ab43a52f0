// Command sweep is the Lambda function that keeps the catalog true to the
// images bucket: on a schedule it settles uploads whose photo never arrived
// (or arrived unlabelled) and removes uploads past their retention, and on
// the bucket's ObjectRemoved and LifecycleExpiration events it removes the
// rows of deleted objects. The handler is in package sweep; this main only
// wires its dependencies.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/veglens/veglens/functions/sweep/sweep"
	"github.com/veglens/veglens/shared/catalog"
	"github.com/veglens/veglens/shared/config"
	"github.com/veglens/veglens/shared/objects"
)

func main() {
	if err := run(context.Background(), os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "sweep:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	startup := config.Begin()
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return err
	}
	log := cfg.Logger(stderr, "sweep")
	if err := cfg.Require("IMAGES_BUCKET"); err != nil {
		return err
	}
	startup.Step("config")
	images, err := catalog.Connect(ctx, getenv)
	if err != nil {
		return err
	}
	startup.Step("database")
	objs, err := objects.New(ctx, objects.Config{Bucket: cfg.ImagesBucket, Endpoint: cfg.S3Endpoint})
	if err != nil {
		return err
	}
	startup.Step("s3")
	h, err := sweep.New(sweep.Deps{Images: images, Objects: objs, Retention: cfg.UploadRetention, Log: log})
	if err != nil {
		return err
	}
	startup.Done(ctx, log)
	lambda.Start(h.Handle)
	return nil
}
