// Command migrate is the Lambda function behind the template's
// DatabaseMigration custom resource: it brings the database schema up to date
// on every deploy. The handler is in package migration.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/veglens/veglens/functions/migrate/migration"
	"github.com/veglens/veglens/shared/catalog"
	"github.com/veglens/veglens/shared/config"
)

func main() {
	if err := run(context.Background(), os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "migrate:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return err
	}
	log := cfg.Logger(stderr, "migrate")
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("load AWS configuration: %w", err)
	}
	sm := secretsmanager.NewFromConfig(awsCfg)
	h := migration.Handler{
		// Resolved on every invocation: a rotated password is picked up.
		ResolveURL: func(ctx context.Context) (string, error) {
			return catalog.ResolveURL(ctx, getenv, sm)
		},
		Migrate: func(ctx context.Context, url string) error { return catalog.Migrate(ctx, url, log) },
		Log:     log,
	}
	lambda.Start(cfn.LambdaWrap(h.Handle))
	return nil
}
