package gateway_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/veglens/veglens/infra/local/gateway"
	"github.com/veglens/veglens/infra/services"
	"github.com/veglens/veglens/infra/services/servicestest"
)

// TestGateway_StorageProxyKeepsSignaturesValid shows that a presigned URL
// made for the gateway's address (S3_PUBLIC_ENDPOINT) works through the
// gateway against real MinIO, and that a tampered one is refused.
func TestGateway_StorageProxyKeepsSignaturesValid(t *testing.T) {
	m := servicestest.MinIO(t)
	ctx := context.Background()
	if err := services.SetupBucket(ctx, m.S3Client(), "pics", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := m.S3Client().PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("pics"), Key: aws.String("dataset/Carrot/a b.jpg"), Body: strings.NewReader("carrot"),
	}); err != nil {
		t.Fatal(err)
	}
	storage, _ := url.Parse(m.Endpoint)
	srv := httptest.NewServer(gateway.New(gateway.Config{Storage: storage, Bucket: "pics"}))
	defer srv.Close()

	public := s3.New(s3.Options{
		Region: m.Region, BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(m.AccessKey, m.SecretKey, ""),
	})
	signed, err := s3.NewPresignClient(public).PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String("pics"), Key: aws.String("dataset/Carrot/a b.jpg"),
	}, s3.WithPresignExpires(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(signed.URL, srv.URL+"/pics/") {
		t.Fatalf("presigned URL %s does not point at the gateway", signed.URL)
	}
	resp, err := http.Get(signed.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "carrot" {
		t.Fatalf("GET presigned through gateway = %d %q", resp.StatusCode, body)
	}

	tampered := strings.Replace(signed.URL, "a%20b.jpg", "other.jpg", 1)
	resp, err = http.Get(tampered)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("GET with a tampered path = %d, want 403", resp.StatusCode)
	}
}
