// Command migrate is the Lambda function behind the template's
// DatabaseMigration custom resource: it brings the database schema up to date
// on every deploy.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/veglens/veglens/functions/migrate/migration"
	"github.com/veglens/veglens/shared/catalog"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	slog.SetDefault(log)
	awsCfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("load AWS configuration", "err", err)
		os.Exit(1)
	}
	sm := secretsmanager.NewFromConfig(awsCfg)
	h := migration.Handler{
		ResolveURL: func(ctx context.Context) (string, error) {
			return catalog.ResolveURL(ctx, os.Getenv, sm)
		},
		Migrate: catalog.Migrate,
		Log:     log,
	}
	lambda.Start(cfn.LambdaWrap(h.Handle))
}
