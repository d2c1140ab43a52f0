// Command upload is the Lambda function behind POST /api/uploads: it hands
// out presigned POSTs into the images bucket. The handler is in package
// upload.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/veglens/veglens/functions/upload/upload"
	"github.com/veglens/veglens/shared/config"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "upload:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		return err
	}
	cfg.Logger("upload")
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
	h, err := upload.New(upload.Deps{Store: store, Objects: objs, Expiry: cfg.UploadExpiry})
	if err != nil {
		return err
	}
	lambda.Start(h.Handle)
	return nil
}
