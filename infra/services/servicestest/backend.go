package servicestest

import (
	"context"
	"testing"

	"github.com/veglens/veglens/infra/services"
	"github.com/veglens/veglens/shared/catalog"
	"github.com/veglens/veglens/shared/objects"
)

// Backend is what the functions run against: a migrated catalog on a real
// PostgreSQL and a bucket on a real MinIO.
type Backend struct {
	Postgres *services.Postgres
	MinIO    *services.MinIO
	Store    *catalog.Store
	Objects  *objects.Store
}

// NewBackend starts PostgreSQL and MinIO for the test, applies the migrations
// and creates bucket, wired the way the functions' mains wire them.
func NewBackend(t testing.TB, bucket string) Backend {
	t.Helper()
	ctx := context.Background()
	b := Backend{Postgres: Postgres(t), MinIO: MinIO(t)}
	if err := catalog.Migrate(ctx, b.Postgres.URL, nil); err != nil {
		t.Fatal(err)
	}
	store, err := catalog.Open(ctx, b.Postgres.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	b.Store = store
	m := b.MinIO
	if err := services.SetupBucket(ctx, m.S3Client(), bucket, nil); err != nil {
		t.Fatal(err)
	}
	b.Objects, err = objects.New(ctx, objects.Config{Bucket: bucket, Endpoint: m.Endpoint, Region: m.Region, AccessKey: m.AccessKey, SecretKey: m.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
