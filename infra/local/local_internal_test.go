package local

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veglens/veglens/infra/local/gateway"
	"github.com/veglens/veglens/infra/services"
	"github.com/veglens/veglens/shared/veglens"
)

// Uploads have their own webhook target; gallery objects are spread over
// the dataset targets by kind, and every key classify labels is notified to
// exactly one target (thumbnails to none).
func TestNotifyRules(t *testing.T) {
	labels := []veglens.Kind{"Bean", "Bitter_Gourd", "Carrot", "Tomato"}
	rules := notifyRules(labels)
	if len(rules) != 1+len(labels) || rules[0] != (services.Notify{Prefix: veglens.UploadPrefix, WebhookID: uploadsTarget}) {
		t.Fatalf("rules = %+v", rules)
	}
	targets := map[string]bool{}
	for i, l := range labels {
		r := rules[1+i]
		if r.Prefix != veglens.DatasetKindPrefix(l) || r.WebhookID != datasetTarget(i) {
			t.Errorf("rule for %s = %+v", l, r)
		}
		targets[r.WebhookID] = true
	}
	if len(targets) != datasetShards {
		t.Errorf("gallery kinds use %d targets, want %d", len(targets), datasetShards)
	}
	for _, tc := range []struct {
		key  string
		want int
	}{
		{veglens.UploadKey("0b7e3f6a-6d1c-4a59-9a43-2f5e8f1f7c11", "jpg"), 1},
		{veglens.DatasetKey("Bitter_Gourd", "1.jpg"), 1},
		{veglens.DatasetKey("Bean", "1.jpg"), 1},
		{veglens.ThumbnailKey(veglens.DatasetKey("Bean", "1.jpg")), 0},
		{veglens.ThumbnailKey(veglens.UploadKey("0b7e3f6a-6d1c-4a59-9a43-2f5e8f1f7c11", "jpg")), 0},
	} {
		n := 0
		for _, r := range rules {
			if strings.HasPrefix(tc.key, r.Prefix) {
				n++
			}
		}
		if n != tc.want {
			t.Errorf("%s matches %d rules, want %d", tc.key, n, tc.want)
		}
	}
}

func TestDescribe(t *testing.T) {
	st := &Stack{
		URL:      "http://127.0.0.1:8080",
		cfg:      Config{SiteDir: "site/dist", Bucket: "veglens-images", StateDir: ".local"},
		Postgres: &services.Postgres{URL: "postgres://veglens@127.0.0.1:5433/veglens"},
		MinIO:    &services.MinIO{Endpoint: "http://127.0.0.1:9000", AccessKey: "veglens"},
		Gateway:  gateway.New(gateway.Config{Classifying: 3}),
	}
	var out bytes.Buffer
	st.Describe(&out)
	want := `veglens is running at http://127.0.0.1:8080
  site         http://127.0.0.1:8080/ (files from site/dist)
  API          http://127.0.0.1:8080/api/ (description: http://127.0.0.1:8080/api/openapi.yaml)
  PostgreSQL   postgres://veglens@127.0.0.1:5433/veglens
  MinIO        http://127.0.0.1:9000 (bucket veglens-images, key veglens)
  S3 events -> http://127.0.0.1:8080/internal/s3-events (classify, 3 at a time; removals to the sweep)
  sweep        every 30s (uploads that never arrived; rows of deleted objects)
  state        .local (logs: postgres.log, minio.log, veglens.log)
`
	if out.String() != want {
		t.Errorf("Describe wrote\n%s\nwant\n%s", out.String(), want)
	}
}

// PostgreSQL keeps its port across runs while the port is free.
func TestStablePort(t *testing.T) {
	file := filepath.Join(t.TempDir(), "postgres.port")
	p1, err := stablePort(file)
	if err != nil || p1 <= 0 {
		t.Fatalf("first port = %d (%v)", p1, err)
	}
	p2, err := stablePort(file)
	if err != nil || p2 != p1 {
		t.Errorf("second port = %d (%v), want %d again", p2, err, p1)
	}
	if err := os.WriteFile(file, []byte("not a port\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if p3, err := stablePort(file); err != nil || p3 <= 0 {
		t.Errorf("port after a damaged file = %d (%v)", p3, err)
	}
}

// Start refuses a model folder without a valid model.json before starting
// anything.
func TestStart_NeedsTheModel(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state")
	_, err := Start(t.Context(), Config{Addr: "127.0.0.1:0", StateDir: state, ModelDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), veglens.MetaFile) {
		t.Errorf("start without a model: err = %v, want one about %s", err, veglens.MetaFile)
	}
	if _, err := os.Stat(filepath.Join(state, "postgres")); err == nil {
		t.Error("PostgreSQL was started although the model is missing")
	}
}
