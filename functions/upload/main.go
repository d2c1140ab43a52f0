// Command upload is the Lambda function behind the API's writes: POST
// /api/uploads hands out presigned POSTs into the images bucket, POST
// /api/images/{id}/label stores people's own labels. The handler is in
// package upload; this main only wires its dependencies.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/veglens/veglens/functions/upload/upload"
	"github.com/veglens/veglens/shared/catalog"
	"github.com/veglens/veglens/shared/config"
	"github.com/veglens/veglens/shared/objects"
	"github.com/veglens/veglens/shared/veglens"
)

func main() {
	if err := run(context.Background(), os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "upload:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	startup := config.Begin()
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return err
	}
	log := cfg.Logger(stderr, "upload")
	if err := cfg.Require("IMAGES_BUCKET", "MODEL_DIR"); err != nil {
		return err
	}
	meta, err := veglens.ReadModelMeta(cfg.ModelDir)
	if err != nil {
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
	h, err := upload.New(upload.Deps{Images: images, Objects: objs, Expiry: cfg.UploadExpiry, Kinds: meta.Kinds(), Log: log})
	if err != nil {
		return err
	}
	startup.Done(ctx, log)
	lambda.Start(h.Handle)
	return nil
}
