package services

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/veglens/veglens/shared/veglens"
)

// S3Client returns an S3 client for this MinIO server (path-style URLs,
// root credentials).
func (m *MinIO) S3Client() *s3.Client {
	return s3.New(s3.Options{
		Region:       m.Region,
		BaseEndpoint: aws.String(m.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(m.AccessKey, m.SecretKey, ""),
	})
}

// Notify routes ObjectCreated events for keys under Prefix to the webhook
// target WebhookID.
type Notify struct {
	Prefix    string
	WebhookID string
}

// DefaultNotify sends every upload and every gallery object to one webhook.
func DefaultNotify(webhookID string) []Notify {
	return []Notify{{Prefix: veglens.UploadPrefix, WebhookID: webhookID}, {Prefix: veglens.DatasetPrefix, WebhookID: webhookID}}
}

// SetupBucket creates bucket when missing and replaces its notification
// configuration with one rule per entry of rules, for s3:ObjectCreated:*
// and s3:ObjectRemoved:* events (the sweep removes deleted objects' rows).
// Running it again is harmless.
func SetupBucket(ctx context.Context, client *s3.Client, bucket string, rules []Notify) error {
	// A fresh MinIO can report itself ready and still answer "server not
	// initialized" for a moment while it formats its drive under load:
	// retry that answer for a while.
	var apiErr smithy.APIError
	for deadline := time.Now().Add(20 * time.Second); ; {
		_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
		if err == nil || errors.As(err, &apiErr) && (apiErr.ErrorCode() == "BucketAlreadyOwnedByYou" || apiErr.ErrorCode() == "BucketAlreadyExists") {
			break
		}
		if !(errors.As(err, &apiErr) && apiErr.ErrorCode() == "XMinioServerNotInitialized") || time.Now().After(deadline) {
			return fmt.Errorf("create bucket %s: %w", bucket, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("create bucket %s: %w", bucket, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	cfg := &types.NotificationConfiguration{}
	for _, r := range rules {
		cfg.QueueConfigurations = append(cfg.QueueConfigurations, types.QueueConfiguration{
			Id:       aws.String(r.WebhookID + ":" + r.Prefix),
			QueueArn: aws.String(WebhookARN(r.WebhookID)),
			Events:   []types.Event{types.Event("s3:ObjectCreated:*"), types.Event("s3:ObjectRemoved:*")},
			Filter: &types.NotificationConfigurationFilter{Key: &types.S3KeyFilter{
				FilterRules: []types.FilterRule{{Name: types.FilterRuleNamePrefix, Value: aws.String(r.Prefix)}},
			}},
		})
	}
	// MinIO registers its notification targets in the background after it
	// reports healthy, so a fresh server may not know the ARNs yet for a
	// moment: retry that error for a while.
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := client.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
			Bucket:                    aws.String(bucket),
			NotificationConfiguration: cfg,
		})
		if err == nil {
			return nil
		}
		if !(errors.As(err, &apiErr) && apiErr.ErrorCode() == "InvalidArgument" && strings.Contains(apiErr.ErrorMessage(), "ARN")) ||
			time.Now().After(deadline) {
			return fmt.Errorf("configure notifications of bucket %s: %w", bucket, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("configure notifications of bucket %s: %w", bucket, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
