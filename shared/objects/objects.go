// Package objects is veglens's access to the images bucket (S3, or MinIO
// locally; veglens.ObjectStore): presigned POST uploads whose policy makes storage itself refuse
// oversize or wrong-type bodies, size-limited reads, thumbnail writes and
// presigned GET URLs for browsers.
package objects

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/veglens/veglens/shared/veglens"
)

// Config says how to reach the bucket.
type Config struct {
	// Bucket is the images bucket (IMAGES_BUCKET).
	Bucket string
	// Endpoint overrides the S3 endpoint (S3_ENDPOINT; local MinIO only).
	// Setting it also selects path-style addressing and response checksum
	// validation only when a request asks for it.
	Endpoint string
	// PublicEndpoint is the base URL browsers use for presigned URLs
	// (S3_PUBLIC_ENDPOINT); default Endpoint.
	PublicEndpoint string
	// Region; default from the AWS environment, else us-east-1.
	Region string
	// AccessKey and SecretKey, when set, are used instead of the default
	// AWS credential chain.
	AccessKey, SecretKey string
}

// Store reads and writes objects in one bucket.
type Store struct {
	bucket  string
	client  *s3.Client
	presign *s3.PresignClient
}

var _ veglens.ObjectStore = (*Store)(nil)

// New builds a Store. It makes no request.
func New(ctx context.Context, c Config) (*Store, error) {
	if c.Bucket == "" {
		return nil, errors.New("objects: no bucket configured (IMAGES_BUCKET)")
	}
	var loadOpts []func(*config.LoadOptions) error
	if c.Region != "" {
		loadOpts = append(loadOpts, config.WithRegion(c.Region))
	}
	if c.AccessKey != "" {
		loadOpts = append(loadOpts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(c.AccessKey, c.SecretKey, "")))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("objects: load AWS configuration: %w", err)
	}
	if awsCfg.Region == "" {
		awsCfg.Region = "us-east-1"
	}
	endpointOpts := func(endpoint string) func(*s3.Options) {
		return func(o *s3.Options) {
			if endpoint != "" {
				o.BaseEndpoint = aws.String(strings.TrimRight(endpoint, "/"))
				o.UsePathStyle = true
				// MinIO returns no checksum for objects stored without one,
				// so validating "when supported" validates nothing and the
				// SDK logs a line per download: validate only when asked.
				o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
			}
		}
	}
	public := c.PublicEndpoint
	if public == "" {
		public = c.Endpoint
	}
	client := s3.NewFromConfig(awsCfg, endpointOpts(c.Endpoint))
	publicClient := s3.NewFromConfig(awsCfg, endpointOpts(public))
	return &Store{
		bucket:  c.Bucket,
		client:  client,
		presign: s3.NewPresignClient(publicClient, func(o *s3.PresignOptions) { o.Presigner = steadyPresigner{signer: v4.NewSigner()} }),
	}, nil
}

// Bucket returns the bucket's name.
func (s *Store) Bucket() string { return s.bucket }

// Client returns the underlying S3 client.
func (s *Store) Client() *s3.Client { return s.client }

// Exists reports whether an object is stored under key (a HEAD request).
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	_, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	switch {
	case err == nil:
		return true, nil
	case isNotFound(err):
		return false, nil
	}
	return false, fmt.Errorf("head %s: %w", key, err)
}

// Renotify copies the object at key onto itself, its Content-Type and
// metadata kept (MetadataDirective REPLACE with the same values: S3 refuses
// a copy onto itself that changes nothing): storage announces it again
// with an s3:ObjectCreated:Copy event, and its bytes and ETag stay the same.
func (s *Store) Renotify(ctx context.Context, key string) error {
	head, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		if isNotFound(err) {
			return fmt.Errorf("renotify %s: %w", key, veglens.ErrNotFound)
		}
		return fmt.Errorf("renotify %s: %w", key, err)
	}
	_, err = s.client.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket:            aws.String(s.bucket),
		Key:               aws.String(key),
		CopySource:        aws.String(url.PathEscape(s.bucket) + "/" + escapeKey(key)),
		MetadataDirective: types.MetadataDirectiveReplace,
		ContentType:       head.ContentType,
		Metadata:          head.Metadata,
	})
	if err != nil {
		return fmt.Errorf("renotify %s: copy onto itself: %w", key, err)
	}
	return nil
}

// escapeKey URL-encodes each segment of an object key for CopySource.
func escapeKey(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// Get reads an object of at most limit bytes. It refuses a larger object
// without reading it (*veglens.TooLargeError), and reports a missing one as
// veglens.ErrNotFound. Other errors (storage unreachable) are worth retrying.
func (s *Store) Get(ctx context.Context, key string, limit int64) (veglens.Object, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		if isNotFound(err) {
			return veglens.Object{}, fmt.Errorf("get %s: %w", key, veglens.ErrNotFound)
		}
		return veglens.Object{}, fmt.Errorf("get %s: %w", key, err)
	}
	defer out.Body.Close()
	if out.ContentLength != nil && *out.ContentLength > limit {
		return veglens.Object{}, &veglens.TooLargeError{Key: key, Size: *out.ContentLength, Limit: limit}
	}
	size := int64(0)
	if out.ContentLength != nil {
		size = *out.ContentLength
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	n, err := buf.ReadFrom(io.LimitReader(out.Body, limit+1))
	if err != nil {
		return veglens.Object{}, fmt.Errorf("read %s: %w", key, err)
	}
	if n > limit {
		return veglens.Object{}, &veglens.TooLargeError{Key: key, Size: -1, Limit: limit}
	}
	return veglens.Object{
		Key:         key,
		Body:        buf.Bytes(),
		ETag:        strings.Trim(aws.ToString(out.ETag), `"`),
		ContentType: aws.ToString(out.ContentType),
	}, nil
}

// Put stores body under key.
func (s *Store) Put(ctx context.Context, key, contentType string, body []byte) error {
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
		ContentType:   aws.String(contentType),
	})
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

func isNotFound(err error) bool {
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	if errors.As(err, &nsk) || errors.As(err, &nf) {
		return true
	}
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode() == "NoSuchKey" || apiErr.ErrorCode() == "NotFound")
}

// PresignUpload allows one POST of a body of 1..maxSize bytes with exactly
// this Content-Type to exactly this key, until expiry passes. Storage checks
// the policy, so a body that breaks it is refused there.
func (s *Store) PresignUpload(ctx context.Context, key, contentType string, maxSize int64, expiry time.Duration) (veglens.PresignedPost, error) {
	expiresAt := time.Now().Add(expiry).UTC().Truncate(time.Second)
	req, err := s.presign.PresignPostObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(s.bucket),
		Key:         aws.String(key),
		ContentType: aws.String(contentType),
	}, func(o *s3.PresignPostOptions) {
		o.Expires = expiry
		o.Conditions = []any{
			[]any{"content-length-range", 1, maxSize},
			map[string]string{"Content-Type": contentType},
			map[string]string{"key": key},
		}
	})
	if err != nil {
		return veglens.PresignedPost{}, fmt.Errorf("presign upload of %s: %w", key, err)
	}
	fields := make(map[string]string, len(req.Values)+1)
	for k, v := range req.Values {
		fields[k] = v
	}
	fields["Content-Type"] = contentType
	return veglens.PresignedPost{URL: req.URL, Fields: fields, ExpiresAt: expiresAt}, nil
}

// PresignGet returns a URL a browser can GET the object from for at least
// three quarters of expiry. URLs for one object stay the same for a quarter
// of expiry, so browsers can cache the images.
func (s *Store) PresignGet(ctx context.Context, key string, expiry time.Duration) (string, error) {
	req, err := s.presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)},
		func(o *s3.PresignOptions) {
			o.Expires = expiry
			o.Presigner = steadyPresigner{signer: v4.NewSigner(), step: expiry / 4}
		})
	if err != nil {
		return "", fmt.Errorf("presign GET of %s: %w", key, err)
	}
	return req.URL, nil
}

// steadyPresigner signs as of the start of the current time step rather than
// now, so that the same object gets the same URL within a step.
type steadyPresigner struct {
	signer *v4.Signer
	step   time.Duration
}

func (p steadyPresigner) PresignHTTP(ctx context.Context, cred aws.Credentials, r *http.Request, payloadHash, service, region string,
	signingTime time.Time, optFns ...func(*v4.SignerOptions)) (string, http.Header, error) {
	if p.step > time.Second {
		signingTime = signingTime.UTC().Truncate(p.step)
	}
	return p.signer.PresignHTTP(ctx, cred, r, payloadHash, service, region, signingTime, optFns...)
}
