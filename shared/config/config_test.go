package config

import (
	"log/slog"
	"testing"
	"time"
)

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr bool
		check   func(t *testing.T, c Config)
	}{
		{"defaults", map[string]string{}, false, func(t *testing.T, c Config) {
			if c.UploadExpiry != 5*time.Minute || c.LogLevel != slog.LevelInfo {
				t.Errorf("%+v", c)
			}
		}},
		{"everything", map[string]string{
			"IMAGES_BUCKET": "images", "MODEL_DIR": "/opt/model", "ORT_LIB": "/opt/lib/libonnxruntime.so.1",
			"S3_ENDPOINT": "http://127.0.0.1:9000", "S3_PUBLIC_ENDPOINT": "http://127.0.0.1:8080", "UPLOAD_EXPIRY": "90s", "LOG_LEVEL": "debug",
		}, false, func(t *testing.T, c Config) {
			if c.ImagesBucket != "images" || c.ModelDir != "/opt/model" || c.ORTLib != "/opt/lib/libonnxruntime.so.1" ||
				c.S3Endpoint != "http://127.0.0.1:9000" || c.S3PublicEndpoint != "http://127.0.0.1:8080" ||
				c.UploadExpiry != 90*time.Second || c.LogLevel != slog.LevelDebug {
				t.Errorf("%+v", c)
			}
			if err := c.Require("IMAGES_BUCKET", "MODEL_DIR", "ORT_LIB"); err != nil {
				t.Error(err)
			}
		}},
		{"missing bucket", map[string]string{}, false, func(t *testing.T, c Config) {
			if err := c.Require("IMAGES_BUCKET"); err == nil || err.Error() != "IMAGES_BUCKET is not set" {
				t.Errorf("Require = %v", err)
			}
		}},
		{"blank library path", map[string]string{"ORT_LIB": "  "}, false, func(t *testing.T, c Config) {
			if err := c.Require("ORT_LIB"); err == nil || err.Error() != "ORT_LIB is not set" {
				t.Errorf("Require = %v", err)
			}
		}},
		{"unknown setting", map[string]string{}, false, func(t *testing.T, c Config) {
			if err := c.Require("DATABASE_PASSWORD"); err == nil {
				t.Error("Require accepted a setting it cannot check")
			}
		}},
		{"bad expiry", map[string]string{"UPLOAD_EXPIRY": "5 minutes"}, true, nil},
		{"retention in days", map[string]string{"UPLOAD_RETENTION_DAYS": "30"}, false, func(t *testing.T, c Config) {
			if c.UploadRetention != 30*24*time.Hour {
				t.Errorf("retention %s, want 720h", c.UploadRetention)
			}
		}},
		{"retention as a duration", map[string]string{"UPLOAD_RETENTION_DAYS": "30d"}, true, nil},
		{"retention of one day (the sweep removes rows a day early)", map[string]string{"UPLOAD_RETENTION_DAYS": "1"}, true, nil},
		{"negative expiry", map[string]string{"UPLOAD_EXPIRY": "-5m"}, true, nil},
		{"bad log level", map[string]string{"LOG_LEVEL": "loud"}, true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := FromEnv(func(k string) string { return tc.env[k] })
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}
