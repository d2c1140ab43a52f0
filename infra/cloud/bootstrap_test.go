package cloud_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5"

	"github.com/veglens/veglens/functions/migrate/migration"
	"github.com/veglens/veglens/infra/services"
	"github.com/veglens/veglens/infra/services/servicestest"
	"github.com/veglens/veglens/shared/sourcetree/sourcetreetest"
)

// fakeLambdaRuntime is the Lambda Runtime API a bootstrap binary polls: it
// hands out one event, records the function's answer, and keeps later polls
// waiting (as Lambda does between invocations).
type fakeLambdaRuntime struct {
	event  []byte
	once   sync.Once
	answer chan runtimeAnswer
}

type runtimeAnswer struct {
	kind string // "response", "error" or "init/error"
	body []byte
	at   time.Time
}

const runtimePrefix = "/2018-06-01/runtime/"

func (f *fakeLambdaRuntime) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, runtimePrefix)
	switch {
	case r.Method == http.MethodGet && path == "invocation/next":
		first := false
		f.once.Do(func() { first = true })
		if !first {
			<-r.Context().Done()
			return
		}
		w.Header().Set("Lambda-Runtime-Aws-Request-Id", "req-1")
		w.Header().Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(2*time.Minute).UnixMilli(), 10))
		w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:eu-west-1:123456789012:function:veglens-test")
		w.Header().Set("Lambda-Runtime-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0")
		_, _ = w.Write(f.event)
	case r.Method == http.MethodPost && (path == "invocation/req-1/response" || path == "invocation/req-1/error" || path == "init/error"):
		body, _ := io.ReadAll(r.Body)
		kind := strings.TrimPrefix(path, "invocation/req-1/")
		f.answer <- runtimeAnswer{kind: kind, body: body, at: time.Now()}
		w.WriteHeader(http.StatusAccepted)
	default:
		http.Error(w, "unexpected runtime API call "+r.Method+" "+r.URL.Path, http.StatusNotFound)
	}
}

// fakeSecretsManager answers GetSecretValue (AWS JSON 1.1) for one secret.
func fakeSecretsManager(t testing.TB, arn, secret string) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ SecretId string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" || in.SecretId != arn {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"ResourceNotFoundException","message":"Secrets Manager can't find the specified secret."}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"ARN": arn, "Name": "veglens-db", "SecretString": secret,
			"VersionId": "v1", "VersionStages": []string{"AWSCURRENT"}, "CreatedDate": 1.7e9,
		})
	}))
}

// invoke runs a bootstrap binary as Lambda would and returns its answer.
func invoke(t *testing.T, bootstrap string, env []string, event []byte) runtimeAnswer {
	t.Helper()
	a, _, logs := run(t, bootstrap, env, event)
	t.Logf("logs:\n%s", logs)
	return a
}

// run starts a bootstrap binary as Lambda would, hands it event and
// returns its answer, when it was started, and its logs.
func run(t testing.TB, bootstrap string, env []string, event []byte) (runtimeAnswer, time.Time, string) {
	t.Helper()
	rt := &fakeLambdaRuntime{event: event, answer: make(chan runtimeAnswer, 1)}
	srv := httptest.NewServer(rt)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, bootstrap)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(srv.URL, "http://")}, env...)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	started := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bootstrap, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case a := <-rt.answer:
		cancel()
		<-exited
		if a.kind != "response" {
			t.Fatalf("%s answered %s: %s\nlogs:\n%s", filepath.Base(filepath.Dir(bootstrap)), a.kind, a.body, logs.String())
		}
		return a, started, logs.String()
	case err := <-exited:
		t.Fatalf("%s exited before answering: %v\nlogs:\n%s", bootstrap, err, logs.String())
	case <-time.After(3 * time.Minute):
		t.Fatalf("%s gave no answer in 3 minutes\nlogs:\n%s", bootstrap, logs.String())
	}
	return runtimeAnswer{}, started, logs.String()
}

// bootstrapLab is what running the bootstraps needs: every function and
// the layer built by the Makefile targets `sam build` uses, real
// PostgreSQL and MinIO, a gallery photo in the bucket under the key the
// sample classify event names, and the functions' environment (the
// database reached through a fake Secrets Manager, as in AWS).
type bootstrapLab struct {
	build, root, key string
	env              []string
	pg               *services.Postgres
	minio            *services.MinIO
}

func newBootstrapLab(t testing.TB) bootstrapLab {
	t.Helper()
	servicestest.NeedPostgres(t)
	servicestest.NeedMinIO(t)
	lib := servicestest.ORTLib(t)
	root := sourcetreetest.Path(t)
	build := t.TempDir()
	for _, target := range []string{"UploadFunction", "ClassifyFunction", "QueryFunction", "SweepFunction", "MigrateFunction", "ModelLayer"} {
		out, err := exec.Command("make", "-C", root, "--no-print-directory", "build-"+target,
			"ARTIFACTS_DIR="+filepath.Join(build, target), "ORT_LIB="+lib).CombinedOutput()
		if err != nil {
			t.Fatalf("make build-%s: %v\n%s", target, err, out)
		}
	}
	layer := filepath.Join(build, "ModelLayer") // mounted at /opt in Lambda

	pg := servicestest.Postgres(t)
	minio := servicestest.MinIO(t)
	const bucket = "veglens-images-123456789012-eu-west-1" // the name in events/classify-*.json
	ctx := context.Background()
	s3c := minio.S3Client()
	if err := services.SetupBucket(ctx, s3c, bucket, nil); err != nil {
		t.Fatal(err)
	}
	photo, err := os.ReadFile(filepath.Join(root, "infra", "gallery", "Bitter_Gourd", "1009.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	const key = "dataset/Bitter_Gourd/1009.jpg"
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(photo), ContentType: aws.String("image/jpeg")}); err != nil {
		t.Fatal(err)
	}

	// In AWS the functions get DATABASE_SECRET_ARN; here the secret holds
	// the local server's URL (an existing-database secret).
	const secretARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:veglens-db-AbCdEf"
	sm := fakeSecretsManager(t, secretARN, pg.URL)
	t.Cleanup(sm.Close)
	env := []string{
		"AWS_REGION=" + minio.Region,
		"AWS_ACCESS_KEY_ID=" + minio.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + minio.SecretKey,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER=" + sm.URL,
		"AWS_EC2_METADATA_DISABLED=true",
		"IMAGES_BUCKET=" + bucket,
		"DATABASE_SECRET_ARN=" + secretARN,
		"S3_ENDPOINT=" + minio.Endpoint,
		"LOG_LEVEL=info",
		"UPLOAD_EXPIRY=5m",
		"UPLOAD_RETENTION_DAYS=30",
		"MODEL_DIR=" + filepath.Join(layer, "model"),
		"ORT_LIB=" + filepath.Join(layer, "lib", "libonnxruntime.so.1"),
	}
	return bootstrapLab{build: build, root: root, key: key, env: env, pg: pg, minio: minio}
}

// TestBootstrap_FakeLambdaRuntimeAPI builds every function and the layer
// with the Makefile targets `sam build` uses, then runs each bootstrap
// binary as Lambda would (the Runtime API and Secrets Manager are fakes; the
// database is real PostgreSQL, the bucket real MinIO) on its sample event
// from events/: migrate creates the schema, classify labels a gallery photo
// with the model from the layer's layout, query returns that image, upload
// hands out a presigned POST and writes the pending row, sweep runs its
// schedule.
func TestBootstrap_FakeLambdaRuntimeAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds five Lambda binaries")
	}
	lab := newBootstrapLab(t)
	build, env, pg, minio, key, root := lab.build, lab.env, lab.pg, lab.minio, lab.key, lab.root
	ctx := context.Background()
	readEvent := func(t testing.TB, name string) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(root, "events", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	row := func(t *testing.T) (id, status, kind, trueKind string) {
		t.Helper()
		conn, err := pgx.Connect(ctx, pg.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var k, tk *string
		if err := conn.QueryRow(ctx, "SELECT id::text, status, kind, true_kind FROM images WHERE object_key = $1", key).Scan(&id, &status, &k, &tk); err != nil {
			t.Fatalf("row of %s: %v", key, err)
		}
		return id, status, aws.ToString(k), aws.ToString(tk)
	}

	t.Run("migrate", func(t *testing.T) {
		var cf struct {
			sync.Mutex
			got []cfn.Response
		}
		resp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var c cfn.Response
			_ = json.NewDecoder(r.Body).Decode(&c)
			cf.Lock()
			cf.got = append(cf.got, c)
			cf.Unlock()
		}))
		defer resp.Close()
		var ev map[string]any
		if err := json.Unmarshal(readEvent(t, "migrate.json"), &ev); err != nil {
			t.Fatal(err)
		}
		ev["ResponseURL"] = resp.URL + "/cloudformation-response"
		b, _ := json.Marshal(ev)
		invoke(t, filepath.Join(build, "MigrateFunction", "bootstrap"), env, b)
		cf.Lock()
		defer cf.Unlock()
		if len(cf.got) != 1 || cf.got[0].Status != cfn.StatusSuccess || cf.got[0].PhysicalResourceID != migration.PhysicalID {
			t.Fatalf("CloudFormation heard %+v, want one SUCCESS for %s", cf.got, migration.PhysicalID)
		}
	})

	t.Run("classify", func(t *testing.T) {
		invoke(t, filepath.Join(build, "ClassifyFunction", "bootstrap"), env, readEvent(t, "classify-dataset.json"))
		_, status, kind, trueKind := row(t)
		if status != "done" || trueKind != "Bitter_Gourd" || kind == "" {
			t.Fatalf("row: status %q kind %q true kind %q, want done, a predicted kind, Bitter_Gourd", status, kind, trueKind)
		}
	})

	t.Run("query", func(t *testing.T) {
		id, _, kind, _ := row(t)
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(readEvent(t, "query-image.json"), &ev); err != nil {
			t.Fatal(err)
		}
		ev.RawPath = "/api/images/" + id
		ev.RequestContext.HTTP.Path = ev.RawPath
		ev.PathParameters = map[string]string{"id": id}
		b, _ := json.Marshal(ev)
		a := invoke(t, filepath.Join(build, "QueryFunction", "bootstrap"), env, b)
		var resp events.APIGatewayV2HTTPResponse
		if err := json.Unmarshal(a.body, &resp); err != nil {
			t.Fatal(err)
		}
		var img struct{ ID, Status, Kind string }
		if err := json.Unmarshal([]byte(resp.Body), &img); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /api/images/%s: %d %s (%v)", id, resp.StatusCode, resp.Body, err)
		}
		if img.ID != id || img.Status != "done" || img.Kind != kind {
			t.Errorf("GET /api/images/%s = %+v, want the labelled row (kind %s)", id, img, kind)
		}
	})

	t.Run("upload", func(t *testing.T) {
		a := invoke(t, filepath.Join(build, "UploadFunction", "bootstrap"), env, readEvent(t, "upload.json"))
		var resp events.APIGatewayV2HTTPResponse
		if err := json.Unmarshal(a.body, &resp); err != nil {
			t.Fatal(err)
		}
		var up struct {
			ID     string
			URL    string
			Fields map[string]string
		}
		if err := json.Unmarshal([]byte(resp.Body), &up); err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST /api/uploads: %d %s (%v)", resp.StatusCode, resp.Body, err)
		}
		if !strings.HasPrefix(up.URL, minio.Endpoint) || up.Fields["key"] == "" {
			t.Errorf("presigned POST %+v does not target the bucket at %s", up, minio.Endpoint)
		}
		conn, err := pgx.Connect(ctx, pg.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var status string
		if err := conn.QueryRow(ctx, "SELECT status FROM images WHERE id = $1", up.ID).Scan(&status); err != nil || status != "pending" {
			t.Errorf("upload %s row: status %q (%v), want pending", up.ID, status, err)
		}
	})
	t.Run("sweep", func(t *testing.T) {
		invoke(t, filepath.Join(build, "SweepFunction", "bootstrap"), env, readEvent(t, "sweep-schedule.json"))
		invoke(t, filepath.Join(build, "SweepFunction", "bootstrap"), env, readEvent(t, "sweep-removed.json"))
	})
}
