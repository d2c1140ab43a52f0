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

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/veglens/veglens/infra/local/gateway"
	"github.com/veglens/veglens/infra/services"
	"github.com/veglens/veglens/infra/services/servicestest"
	"github.com/veglens/veglens/shared/objects"
	"github.com/veglens/veglens/shared/objects/objectstest"
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

// TestGateway_UploadThroughTheGatewayIsClassifiedAtOnce: a browser's
// presigned POST that storage accepts through the gateway reaches the
// classify function straight away, with the stored key and ETag, without
// waiting for MinIO's webhook queue (the bucket here sends no events).
func TestGateway_UploadThroughTheGatewayIsClassifiedAtOnce(t *testing.T) {
	m := servicestest.MinIO(t)
	ctx := context.Background()
	if err := services.SetupBucket(ctx, m.S3Client(), "pics", nil); err != nil {
		t.Fatal(err)
	}
	storage, _ := url.Parse(m.Endpoint)
	gw := gateway.New(gateway.Config{Storage: storage, Bucket: "pics"})
	got := make(chan events.S3Event, 2)
	gw.SetFunctions(gateway.Functions{Classify: func(_ context.Context, ev events.S3Event) error {
		got <- ev
		return nil
	}})
	srv := httptest.NewServer(gw)
	defer srv.Close()

	store, err := objects.New(ctx, objects.Config{Bucket: "pics", Endpoint: m.Endpoint, PublicEndpoint: srv.URL,
		Region: m.Region, AccessKey: m.AccessKey, SecretKey: m.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	key := "uploads/" + "0b0e6a51-5f8c-4a39-9a5a-3d4f2f1c7e01.jpg"
	up, err := store.PresignUpload(ctx, key, "image/jpeg", 1000, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := objectstest.PostForm(t, up, "image/jpeg", []byte("jpeg bytes")); status/100 != 2 {
		t.Fatalf("presigned POST through the gateway = %d", status)
	}
	select {
	case ev := <-got:
		rec := ev.Records[0]
		head, err := m.S3Client().HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("pics"), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		if rec.S3.Object.URLDecodedKey != key || rec.S3.Bucket.Name != "pics" || !strings.Contains(rec.EventName, "ObjectCreated") ||
			rec.S3.Object.ETag != strings.Trim(aws.ToString(head.ETag), `"`) {
			t.Errorf("event record = %+v; want ObjectCreated of %s with ETag %s", rec, key, aws.ToString(head.ETag))
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no classify call within 2 s of the upload")
	}

	// A refused upload (over the size limit) announces nothing.
	up, err = store.PresignUpload(ctx, "uploads/big.jpg", "image/jpeg", 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := objectstest.PostForm(t, up, "image/jpeg", []byte(strings.Repeat("x", 100))); status/100 == 2 {
		t.Fatalf("an over-size POST was accepted: %d", status)
	}
	select {
	case ev := <-got:
		t.Errorf("refused upload announced: %+v", ev)
	case <-time.After(300 * time.Millisecond):
	}
}
