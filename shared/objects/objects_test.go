package objects_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/veglens/veglens/infra/services"
	"github.com/veglens/veglens/infra/services/servicestest"
	"github.com/veglens/veglens/shared/objects"
	"github.com/veglens/veglens/shared/objects/objectstest"
	"github.com/veglens/veglens/shared/veglens"
)

const bucket = "images"

func newStore(t *testing.T) (*objects.Store, *services.MinIO) {
	t.Helper()
	m := servicestest.MinIO(t)
	ctx := context.Background()
	if err := services.SetupBucket(ctx, m.S3Client(), bucket, nil); err != nil {
		t.Fatal(err)
	}
	s, err := objects.New(ctx, objects.Config{Bucket: bucket, Endpoint: m.Endpoint, Region: m.Region, AccessKey: m.AccessKey, SecretKey: m.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	return s, m
}

func TestPresignedUploadPolicyIsEnforcedByStorage(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	const limit = 1000
	tests := []struct {
		name        string
		key         string
		contentType string
		size        int
		wantOK      bool
		wantCode    string
	}{
		{"within the policy", "uploads/a.jpg", "image/jpeg", 500, true, ""},
		{"exactly the limit", "uploads/b.jpg", "image/jpeg", limit, true, ""},
		{"one byte over", "uploads/c.jpg", "image/jpeg", limit + 1, false, "EntityTooLarge"},
		{"empty body", "uploads/d.jpg", "image/jpeg", 0, false, "EntityTooSmall"},
		{"another content type", "uploads/e.jpg", "text/html", 500, false, "AccessDenied"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			up, err := s.PresignUpload(ctx, tc.key, "image/jpeg", limit, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if up.Fields["key"] != tc.key || up.Fields["Content-Type"] != "image/jpeg" || up.Fields["policy"] == "" {
				t.Fatalf("fields = %v", up.Fields)
			}
			if time.Until(up.ExpiresAt) > time.Minute || time.Until(up.ExpiresAt) < 50*time.Second {
				t.Errorf("expires at %v, want about a minute from now", up.ExpiresAt)
			}
			status, msg := objectstest.PostForm(t, up, tc.contentType, bytes.Repeat([]byte{0xAB}, tc.size))
			ok := status >= 200 && status < 300
			if ok != tc.wantOK {
				t.Fatalf("POST answered %d %s; want accepted=%v", status, msg, tc.wantOK)
			}
			_, err = s.Get(ctx, tc.key, limit)
			if tc.wantOK && err != nil {
				t.Errorf("accepted object not readable: %v", err)
			}
			if !tc.wantOK {
				if !strings.Contains(msg, tc.wantCode) {
					t.Errorf("refusal %d %s does not say %s", status, msg, tc.wantCode)
				}
				if !errors.Is(err, veglens.ErrNotFound) {
					t.Errorf("refused upload left an object behind (get: %v)", err)
				}
			}
		})
	}

	t.Run("another key", func(t *testing.T) {
		up, err := s.PresignUpload(ctx, "uploads/mine.jpg", "image/jpeg", limit, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		up.Fields["key"] = "uploads/someone-elses.jpg"
		if status, msg := objectstest.PostForm(t, up, "image/jpeg", []byte("abc")); status < 400 {
			t.Errorf("POST to another key answered %d %s", status, msg)
		}
	})
}

func TestGetRefusesLargeObjectsAndReportsMissingOnes(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	if err := s.Put(ctx, "uploads/big.bin", "application/octet-stream", make([]byte, 2048)); err != nil {
		t.Fatal(err)
	}
	var tooLarge *veglens.TooLargeError
	if _, err := s.Get(ctx, "uploads/big.bin", 2047); !errors.As(err, &tooLarge) || tooLarge.Size != 2048 {
		t.Errorf("Get over the limit = %v, want *TooLargeError with size 2048", err)
	}
	obj, err := s.Get(ctx, "uploads/big.bin", 2048)
	if err != nil || len(obj.Body) != 2048 || obj.ETag == "" || strings.Contains(obj.ETag, `"`) {
		t.Errorf("Get at the limit = %d bytes, etag %q, %v", len(obj.Body), obj.ETag, err)
	}
	if _, err := s.Get(ctx, "uploads/none.jpg", 10); !errors.Is(err, veglens.ErrNotFound) {
		t.Errorf("Get of a missing object = %v, want ErrNotFound", err)
	}
}

func TestPresignedGetServesTheObjectAndIsStable(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	want := []byte("thumbnail bytes")
	if err := s.Put(ctx, "thumbnails/dataset/Bean/1.jpg", "image/jpeg", want); err != nil {
		t.Fatal(err)
	}
	u1, err := s.PresignGet(ctx, "thumbnails/dataset/Bean/1.jpg", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	u2, _ := s.PresignGet(ctx, "thumbnails/dataset/Bean/1.jpg", time.Hour)
	if u1 != u2 {
		t.Errorf("two URLs for the same object within seconds differ (browsers could not cache):\n%s\n%s", u1, u2)
	}
	resp, err := http.Get(u1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !bytes.Equal(got, want) || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("GET presigned URL: %d %q %s", resp.StatusCode, got, resp.Header.Get("Content-Type"))
	}
}

// Renotify rewrites an object onto itself (so storage announces it again)
// without changing what a reader gets.
func TestRenotifyKeepsTheObject(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	key := "uploads/a photo+1.jpg"
	body := []byte("\xff\xd8 not really a jpeg")
	if err := s.Put(ctx, key, "image/jpeg", body); err != nil {
		t.Fatal(err)
	}
	before, err := s.Get(ctx, key, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Renotify(ctx, key); err != nil {
		t.Fatalf("Renotify: %v", err)
	}
	after, err := s.Get(ctx, key, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(after.Body, body) || after.ContentType != "image/jpeg" || after.ETag != before.ETag {
		t.Errorf("after Renotify: %q %s etag %s; want the same bytes, image/jpeg and etag %s", after.Body, after.ContentType, after.ETag, before.ETag)
	}
	if err := s.Renotify(ctx, "uploads/none.jpg"); !errors.Is(err, veglens.ErrNotFound) {
		t.Errorf("Renotify of a missing object = %v, want ErrNotFound", err)
	}
}
