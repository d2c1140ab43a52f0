package fakes

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/veglens/veglens/shared/veglens"
)

// ObjectStore is an in-memory veglens.ObjectStore for one bucket. Presigned
// URLs are memory://<bucket>/<key> addresses that only tests read. Safe for
// concurrent use.
type ObjectStore struct {
	bucket     string
	mu         sync.Mutex
	objects    map[string]veglens.Object
	down       error
	renotified []string
}

var _ veglens.ObjectStore = (*ObjectStore)(nil)

// NewObjectStore returns an empty bucket.
func NewObjectStore(bucket string) *ObjectStore {
	return &ObjectStore{bucket: bucket, objects: map[string]veglens.Object{}}
}

// Down makes every later call fail with err (storage unreachable); nil
// brings the bucket back.
func (s *ObjectStore) Down(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = err
}

// Bucket implements veglens.ObjectStore.
func (s *ObjectStore) Bucket() string { return s.bucket }

// Keys lists the stored keys in order (for assertions).
func (s *ObjectStore) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.objects))
	for k := range s.objects {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Exists implements veglens.ObjectStore.
func (s *ObjectStore) Exists(ctx context.Context, key string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down != nil {
		return false, fmt.Errorf("head %s: %w", key, s.down)
	}
	_, ok := s.objects[key]
	return ok, nil
}

// Get implements veglens.ObjectStore.
func (s *ObjectStore) Get(ctx context.Context, key string, limit int64) (veglens.Object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down != nil {
		return veglens.Object{}, fmt.Errorf("get %s: %w", key, s.down)
	}
	o, ok := s.objects[key]
	switch {
	case !ok:
		return veglens.Object{}, fmt.Errorf("get %s: %w", key, veglens.ErrNotFound)
	case int64(len(o.Body)) > limit:
		return veglens.Object{}, &veglens.TooLargeError{Key: key, Size: int64(len(o.Body)), Limit: limit}
	}
	o.Body = slices.Clone(o.Body)
	return o, nil
}

// Put implements veglens.ObjectStore. The ETag is the body's MD5, as S3
// gives single-part uploads.
func (s *ObjectStore) Put(ctx context.Context, key, contentType string, body []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down != nil {
		return fmt.Errorf("put %s: %w", key, s.down)
	}
	sum := md5.Sum(body)
	s.objects[key] = veglens.Object{Key: key, Body: slices.Clone(body), ETag: hex.EncodeToString(sum[:]), ContentType: contentType}
	return nil
}

// ETag returns the stored object's ETag, or "" when there is none.
func (s *ObjectStore) ETag(key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.objects[key].ETag
}

// PresignUpload implements veglens.ObjectStore. Fields carry the policy's
// conditions so tests can check them.
func (s *ObjectStore) PresignUpload(ctx context.Context, key, contentType string, maxSize int64, expiry time.Duration) (veglens.PresignedPost, error) {
	return veglens.PresignedPost{
		URL: "memory://" + s.bucket,
		Fields: map[string]string{
			"key": key, "Content-Type": contentType, "content-length-range": fmt.Sprintf("1,%d", maxSize),
		},
		ExpiresAt: time.Now().Add(expiry).UTC().Truncate(time.Second),
	}, nil
}

// PresignGet implements veglens.ObjectStore.
func (s *ObjectStore) PresignGet(ctx context.Context, key string, expiry time.Duration) (string, error) {
	return "memory://" + s.bucket + "/" + (&url.URL{Path: key}).EscapedPath(), nil
}

// Renotify implements veglens.ObjectStore; Renotified lists the keys.
func (s *ObjectStore) Renotify(ctx context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down != nil {
		return fmt.Errorf("renotify %s: %w", key, s.down)
	}
	if _, ok := s.objects[key]; !ok {
		return fmt.Errorf("renotify %s: %w", key, veglens.ErrNotFound)
	}
	s.renotified = append(s.renotified, key)
	return nil
}

// Renotified lists the keys Renotify was called for, in order (for
// assertions: no event is sent).
func (s *ObjectStore) Renotified() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.renotified...)
}
