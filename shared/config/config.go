// Package config reads the functions' settings through a getenv function
// (os.Getenv in the Lambda mains and the CLI, a map in tests). It only
// parses, once: the mains wire the dependencies themselves. The database is
// reached through catalog.Connect with the same getenv (DATABASE_URL, or
// DATABASE_SECRET_ARN in AWS).
//
// Variables: IMAGES_BUCKET, MODEL_DIR, ORT_LIB, S3_ENDPOINT,
// S3_PUBLIC_ENDPOINT, UPLOAD_EXPIRY, UPLOAD_RETENTION_DAYS, LOG_LEVEL.
package config

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Config is everything the functions read from the environment.
type Config struct {
	ImagesBucket     string        // IMAGES_BUCKET
	ModelDir         string        // MODEL_DIR: veglens.onnx, model.json, metrics.json
	ORTLib           string        // ORT_LIB: ONNX Runtime shared library
	S3Endpoint       string        // S3_ENDPOINT: local MinIO only
	S3PublicEndpoint string        // S3_PUBLIC_ENDPOINT: base URL browsers use
	UploadExpiry     time.Duration // UPLOAD_EXPIRY, default 5m
	UploadRetention  time.Duration // UPLOAD_RETENTION_DAYS (whole days); 0 keeps uploads
	LogLevel         slog.Level    // LOG_LEVEL: debug, info, warn, error
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
	}
	if v := strings.TrimSpace(getenv("UPLOAD_EXPIRY")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > 7*24*time.Hour {
			return Config{}, fmt.Errorf("UPLOAD_EXPIRY=%q: want a duration such as 5m (at most 168h)", v)
		}
		c.UploadExpiry = d
	}
	if v := strings.TrimSpace(getenv("UPLOAD_RETENTION_DAYS")); v != "" {
		days, err := strconv.Atoi(v)
		if err != nil || days < 2 || days > 3650 {
			return Config{}, fmt.Errorf("UPLOAD_RETENTION_DAYS=%q: want a whole number of days from 2 to 3650", v)
		}
		c.UploadRetention = time.Duration(days) * 24 * time.Hour
	}
	if v := strings.TrimSpace(getenv("LOG_LEVEL")); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			return Config{}, fmt.Errorf("LOG_LEVEL=%q: want debug, info, warn or error", v)
		}
	}
	return c, nil
}

// Require reports the first of the named settings (IMAGES_BUCKET,
// MODEL_DIR, ORT_LIB, S3_ENDPOINT, S3_PUBLIC_ENDPOINT) that is empty.
func (c Config) Require(names ...string) error {
	for _, n := range names {
		var v string
		switch n {
		case "IMAGES_BUCKET":
			v = c.ImagesBucket
		case "MODEL_DIR":
			v = c.ModelDir
		case "ORT_LIB":
			v = c.ORTLib
		case "S3_ENDPOINT":
			v = c.S3Endpoint
		case "S3_PUBLIC_ENDPOINT":
			v = c.S3PublicEndpoint
		default:
			return fmt.Errorf("config: %s is not a setting Require knows", n)
		}
		if v == "" {
			return fmt.Errorf("%s is not set", n)
		}
	}
	return nil
}

// Logger returns a JSON logger writing to w (stderr in Lambda: stdout
// carries the embedded-metric-format records) at the configured level, with
// the function's name on every line.
func (c Config) Logger(w io.Writer, function string) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: c.LogLevel})).With("function", function)
}
