// Package config reads the functions' settings from the environment and
// builds the dependencies they share (logger, database store, object store),
// so that every main stays a few lines: config, dependencies, lambda.Start.
//
// Variables: IMAGES_BUCKET, DATABASE_URL (or DATABASE_SECRET_ARN), MODEL_DIR,
// ORT_LIB, S3_ENDPOINT, S3_PUBLIC_ENDPOINT, UPLOAD_EXPIRY, LOG_LEVEL.
package config

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/veglens/veglens/shared/catalog"
	"github.com/veglens/veglens/shared/objects"
)

// Config is everything the functions read from the environment.
type Config struct {
	ImagesBucket     string        // IMAGES_BUCKET
	ModelDir         string        // MODEL_DIR: veglens.onnx, model.json, metrics.json
	ORTLib           string        // ORT_LIB: ONNX Runtime shared library
	S3Endpoint       string        // S3_ENDPOINT: local MinIO only
	S3PublicEndpoint string        // S3_PUBLIC_ENDPOINT: base URL browsers use
	UploadExpiry     time.Duration // UPLOAD_EXPIRY, default 5m
	LogLevel         slog.Level    // LOG_LEVEL: debug, info, warn, error

	getenv func(string) string
}

// FromEnv reads the configuration through getenv (os.Getenv in mains).
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		ImagesBucket:     strings.TrimSpace(getenv("IMAGES_BUCKET")),
		ModelDir:         strings.TrimSpace(getenv("MODEL_DIR")),
		ORTLib:           strings.TrimSpace(getenv("ORT_LIB")),
		S3Endpoint:       strings.TrimSpace(getenv("S3_ENDPOINT")),
		S3PublicEndpoint: strings.TrimSpace(getenv("S3_PUBLIC_ENDPOINT")),
		UploadExpiry:     5 * time.Minute,
		getenv:           getenv,
	}
	if v := strings.TrimSpace(getenv("UPLOAD_EXPIRY")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > 7*24*time.Hour {
			return Config{}, fmt.Errorf("UPLOAD_EXPIRY=%q: want a duration such as 5m (at most 168h)", v)
		}
		c.UploadExpiry = d
	}
	if v := strings.TrimSpace(getenv("LOG_LEVEL")); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			return Config{}, fmt.Errorf("LOG_LEVEL=%q: want debug, info, warn or error", v)
		}
	}
	return c, nil
}

// Require reports the first of the named settings that is empty.
func (c Config) Require(names ...string) error {
	for _, n := range names {
		var v string
		switch n {
		case "IMAGES_BUCKET":
			v = c.ImagesBucket
		case "MODEL_DIR":
			v = c.ModelDir
		default:
			v = c.getenv(n)
		}
		if v == "" {
			return fmt.Errorf("%s is not set", n)
		}
	}
	return nil
}

// Logger returns a JSON logger on stderr at the configured level (stdout
// carries the embedded-metric-format records) and makes it the default.
func (c Config) Logger(function string) *slog.Logger {
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: c.LogLevel})).With("function", function)
	slog.SetDefault(log)
	return log
}

// Store connects to the database: DATABASE_URL, or the Secrets Manager
// secret DATABASE_SECRET_ARN names.
func (c Config) Store(ctx context.Context) (*catalog.Store, error) {
	var sm catalog.SecretsGetter
	if strings.TrimSpace(c.getenv("DATABASE_URL")) == "" {
		awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("load AWS configuration: %w", err)
		}
		sm = secretsmanager.NewFromConfig(awsCfg)
	}
	url, err := catalog.ResolveURL(ctx, c.getenv, sm)
	if err != nil {
		return nil, err
	}
	return catalog.Open(ctx, url)
}

// Objects returns the images bucket's store.
func (c Config) Objects(ctx context.Context) (*objects.Store, error) {
	return objects.New(ctx, objects.Config{
		Bucket:         c.ImagesBucket,
		Endpoint:       c.S3Endpoint,
		PublicEndpoint: c.S3PublicEndpoint,
	})
}
