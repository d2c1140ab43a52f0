package local_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/gen2brain/avif"

	"github.com/veglens/veglens/infra/local"
	"github.com/veglens/veglens/infra/services/servicestest"
	"github.com/veglens/veglens/shared/api"
	"github.com/veglens/veglens/shared/picture"
	"github.com/veglens/veglens/shared/picture/picturetest"
	"github.com/veglens/veglens/shared/sourcetree/sourcetreetest"
	"github.com/veglens/veglens/shared/veglens"
)

// startStack runs the whole local stack — real PostgreSQL, MinIO, the
// model and the three functions behind the gateway — on a free port with
// its state in a temporary folder.
func startStack(t testing.TB) *local.Stack {
	t.Helper()
	st := startStackAt(t, stateDir(t))
	t.Cleanup(func() { stopStack(t, st) })
	return st
}

// stateDir returns a temporary folder for a stack's state.
func stateDir(t testing.TB) string {
	t.Helper()
	// PostgreSQL runs as its own user when the tests run as root: its
	// folder's parents must be searchable.
	state := t.TempDir()
	for _, d := range []string{state, filepath.Dir(state)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(state, "state")
}

func stopStack(t testing.TB, st *local.Stack) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := st.Close(ctx); err != nil {
		t.Errorf("stop the local stack: %v", err)
	}
}

// startStackAt starts a stack on the given state folder; the caller stops it.
// Starting it leaves this process's environment as it was: the functions
// are configured explicitly.
func startStackAt(t testing.TB, state string, options ...func(*local.Config)) *local.Stack {
	t.Helper()
	servicestest.NeedPostgres(t)
	servicestest.NeedMinIO(t)
	lib := servicestest.ORTLib(t)
	environ := os.Environ()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg := local.Config{
		Addr:     "127.0.0.1:0",
		StateDir: state,
		SiteDir:  filepath.Join(state, "site"),
		ModelDir: sourcetreetest.Path(t, "models"),
		ORTLib:   lib,
		Fast:     true,
	}
	for _, o := range options {
		o(&cfg)
	}
	st, err := local.Start(ctx, cfg)
	if err != nil {
		logs, _ := os.ReadFile(filepath.Join(state, "minio.log"))
		t.Fatalf("start the local stack: %v\nminio log:\n%s", err, logs)
	}
	if after := os.Environ(); !slices.Equal(environ, after) {
		t.Errorf("starting the stack changed the process environment:\nbefore %q\nafter  %q", environ, after)
	}
	return st
}

func galleryImage(t *testing.T, kind string) (string, []byte) {
	t.Helper()
	files, _ := filepath.Glob(sourcetreetest.Path(t, "infra", "gallery", kind, "*.jpg"))
	if len(files) == 0 {
		t.Fatalf("no gallery image of %s", kind)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Base(files[0]), b
}

func doJSON(t *testing.T, method, url string, body any, want int, out any) http.Header {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s = %d, want %d: %s", method, url, resp.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, url, b, err)
		}
	}
	return resp.Header
}

type uploadResponse struct {
	ID     string            `json:"id"`
	URL    string            `json:"url"`
	Method string            `json:"method"`
	Fields map[string]string `json:"fields"`
}

type imageResponse struct {
	ID         string  `json:"id"`
	Status     string  `json:"status"`
	Kind       string  `json:"kind"`
	Confidence float64 `json:"confidence"`
	Refused    bool    `json:"refused"`
	Reason     string  `json:"reason"`
	Top        []struct {
		Kind        string  `json:"kind"`
		Probability float64 `json:"probability"`
	} `json:"top"`
	Colours json.RawMessage `json:"colours"`
	URL     string          `json:"url"`
}

// presign asks the upload function for a presigned POST.
func presign(t *testing.T, st *local.Stack, name string, size int, listed bool) uploadResponse {
	t.Helper()
	var up uploadResponse
	doJSON(t, "POST", st.URL+"/api/uploads",
		map[string]any{"filename": name, "contentType": "image/jpeg", "size": size, "listed": listed}, 201, &up)
	if up.ID == "" || up.Method != "POST" || !strings.HasPrefix(up.URL, st.URL+"/") {
		t.Fatalf("upload response %+v: want an id and a POST to the gateway (%s)", up, st.URL)
	}
	return up
}

// postFile sends the browser's multipart form to the presigned URL.
func postFile(t *testing.T, up uploadResponse, name string, data []byte) *http.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range up.Fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = mw.Close()
	resp, err := http.Post(up.URL, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatalf("POST file to %s: %v", up.URL, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// waitLabelled polls GET /api/images/{id} as the site does until the image
// is no longer pending.
func waitLabelled(t *testing.T, st *local.Stack, id string, limit time.Duration) imageResponse {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		var im imageResponse
		doJSON(t, "GET", st.URL+"/api/images/"+id, nil, 200, &im)
		if im.Status != "pending" {
			return im
		}
		if time.Now().After(deadline) {
			t.Fatalf("image %s still pending after %s", id, limit)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// TestStack_UploadClassifyQuery is the product's main path end to end:
// presign, upload a real photo over HTTP through the gateway, MinIO's event,
// classification, and the query API finding the result.
func TestStack_UploadClassifyQuery(t *testing.T) {
	st := startStack(t)
	name, photo := galleryImage(t, "Carrot")

	up := presign(t, st, name, len(photo), true)
	var pending imageResponse
	doJSON(t, "GET", st.URL+"/api/images/"+up.ID, nil, 200, &pending)
	if pending.Status != "pending" {
		t.Errorf("status right after presign = %q, want pending", pending.Status)
	}
	if resp := postFile(t, up, name, photo); resp.StatusCode/100 != 2 {
		t.Fatalf("storage refused the presigned upload: %s", resp.Status)
	}

	im := waitLabelled(t, st, up.ID, 30*time.Second)
	if im.Status != "done" || im.Kind != "Carrot" || im.Refused {
		t.Fatalf("labelled = %+v, want done, Carrot, not refused", im)
	}
	if len(im.Top) != 3 || im.Top[0].Kind != "Carrot" || im.Confidence <= 0 || im.Confidence > 1 {
		t.Errorf("top = %+v confidence %v, want 3 guesses led by Carrot", im.Top, im.Confidence)
	}
	if len(im.Colours) == 0 || string(im.Colours) == "null" {
		t.Errorf("no colours in %+v", im)
	}

	// The browser can load the photo through the URL the API gives.
	if im.URL != "" {
		resp, err := http.Get(im.URL)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Equal(got, photo) {
			t.Errorf("GET image url = %d (%d bytes), want the uploaded photo", resp.StatusCode, len(got))
		}
	}

	// The opted-in upload is found by a search for its kind.
	var page struct {
		Total  int             `json:"total"`
		Images []imageResponse `json:"images"`
	}
	doJSON(t, "GET", st.URL+"/api/images?kind=carrot&count=100", nil, 200, &page)
	found := false
	for _, x := range page.Images {
		found = found || x.ID == up.ID
	}
	if !found || page.Total < 1 {
		t.Errorf("search kind=carrot: total %d, %d images, upload %s found=%v", page.Total, len(page.Images), up.ID, found)
	}

	// The API's description comes from the query function, as in the cloud.
	resp, err := http.Get(st.URL + "/api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	desc, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/yaml" || !bytes.Equal(desc, api.OpenAPI) {
		t.Errorf("GET /api/openapi.yaml = %d %q (%d bytes), want the description", resp.StatusCode, resp.Header.Get("Content-Type"), len(desc))
	}
}

// TestStack_StorageRefusesOversizeBody checks that the presigned POST itself
// (not only the function) refuses a body larger than announced.
func TestStack_StorageRefusesOversizeBody(t *testing.T) {
	st := startStack(t)
	name, photo := galleryImage(t, "Tomato")
	up := presign(t, st, name, len(photo), false)
	big := append(append([]byte{}, photo...), make([]byte, 11<<20)...)
	if resp := postFile(t, up, name, big); resp.StatusCode/100 == 2 {
		t.Fatalf("storage accepted an 11 MB body for a presigned upload: %s", resp.Status)
	}
}

// TestStack_IngestTree puts a small <Kind>/<image> tree into the bucket and
// shows every object classified through the events, with the folder stored
// as the true kind, a corrupt file rejected with a reason, a second ingest
// adding nothing and a duplicate event leaving one row.
func TestStack_IngestTree(t *testing.T) {
	st := startStack(t)
	dir := t.TempDir()
	for _, kind := range []string{"Broccoli", "Pumpkin"} {
		name, photo := galleryImage(t, kind)
		writeFile(t, filepath.Join(dir, kind, name), string(photo))
	}
	writeFile(t, filepath.Join(dir, "Pumpkin", "broken.jpg"), "this is a text file, not a photo")
	ctx := context.Background()

	var progress bytes.Buffer
	sum, err := st.Ingest(ctx, dir, &progress)
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	if sum.Found != 3 || sum.Uploaded != 3 || sum.Done != 2 || sum.Rejected != 1 || sum.Pending != 0 {
		t.Errorf("summary = %s; want 3 uploaded, 2 classified, 1 rejected", sum)
	}
	if !strings.Contains(progress.String(), "3/3 classified") {
		t.Errorf("progress output %q lacks the final count", progress.String())
	}

	var rows []struct{ key, status, trueKind, kind, reason string }
	r, err := st.Catalog.Pool().Query(ctx, `SELECT object_key, status, coalesce(true_kind,''), coalesce(kind,''), coalesce(reason,'') FROM images ORDER BY object_key`)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var x struct{ key, status, trueKind, kind, reason string }
		if err := r.Scan(&x.key, &x.status, &x.trueKind, &x.kind, &x.reason); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, x)
	}
	if len(rows) != 3 {
		t.Fatalf("rows = %+v, want 3", rows)
	}
	for _, x := range rows {
		wantKind := strings.Split(x.key, "/")[1]
		switch {
		case strings.HasSuffix(x.key, "broken.jpg"):
			if x.status != "rejected" || x.reason == "" {
				t.Errorf("%s: status %q reason %q, want rejected with a reason", x.key, x.status, x.reason)
			}
		case x.status != "done" || x.trueKind != wantKind || x.kind != wantKind:
			t.Errorf("%s: status %q true kind %q predicted %q, want done %s", x.key, x.status, x.trueKind, x.kind, wantKind)
		}
	}

	// Again: everything is already there.
	again, err := st.Ingest(ctx, dir, nil)
	if err != nil || again.Skipped != 3 || again.Uploaded != 0 {
		t.Errorf("second ingest = %s (%v), want all 3 skipped", again, err)
	}

	// The same object written again delivers a second event: still one row.
	key := rows[0].key
	_, photo := galleryImage(t, strings.Split(key, "/")[1])
	if _, err := st.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(st.Settings.Objects.Bucket), Key: aws.String(key), Body: bytes.NewReader(photo),
	}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(4 * time.Second) // MinIO's queue is polled every 3 s
	queued := filepath.Join(filepath.Dir(st.Postgres.Dir), "events")
	for deadline := time.Now().Add(15 * time.Second); countFiles(t, queued) > 0; {
		if time.Now().After(deadline) {
			t.Fatalf("the duplicate event is still queued in %s", queued)
		}
		time.Sleep(200 * time.Millisecond)
	}
	var n int
	if err := st.Catalog.Pool().QueryRow(ctx, `SELECT count(*) FROM images WHERE object_key = $1`, key).Scan(&n); err != nil || n != 1 {
		t.Errorf("rows for %s after a duplicate event = %d (%v), want 1", key, n, err)
	}

	// A folder that is not a kind is refused before anything is uploaded.
	writeFile(t, filepath.Join(dir, "Banana", "x.jpg"), "x")
	if _, err := st.Ingest(ctx, dir, nil); err == nil || !strings.Contains(err.Error(), "Banana") {
		t.Errorf("ingest with a Banana folder: err = %v, want one naming the folder", err)
	}
}

// TestStack_DatabaseDownThenUp shows that nothing is lost while the
// database is down: the upload's event is refused (5xx), stays in MinIO's
// queue on disk, is delivered again once PostgreSQL is back, and the image
// ends up classified.
func TestStack_DatabaseDownThenUp(t *testing.T) {
	st := startStack(t)
	name, photo := galleryImage(t, "Cabbage")
	up := presign(t, st, name, len(photo), false)
	ctx := context.Background()

	if err := st.Postgres.Stop(ctx); err != nil {
		t.Fatalf("stop postgres: %v", err)
	}
	if resp := postFile(t, up, name, photo); resp.StatusCode/100 != 2 {
		t.Fatalf("upload while the database is down: %s", resp.Status)
	}
	// The event is tried, refused and kept: it waits in the queue folder.
	queued := filepath.Join(filepath.Dir(st.Postgres.Dir), "events")
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := countFiles(t, queued)
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no queued event in %s while the database is down", queued)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(4 * time.Second) // at least one refused delivery
	if resp, err := http.Get(st.URL + "/api/images/" + up.ID); err == nil {
		resp.Body.Close()
		if resp.StatusCode/100 == 2 {
			t.Errorf("GET image with the database down = %d, want an error", resp.StatusCode)
		}
	}

	if err := st.Postgres.Restart(ctx); err != nil {
		t.Fatalf("restart postgres: %v", err)
	}
	im := waitLabelled(t, st, up.ID, 45*time.Second)
	if im.Status != "done" || im.Kind == "" {
		t.Fatalf("after the database came back: %+v, want done", im)
	}
	deadline = time.Now().Add(10 * time.Second)
	for countFiles(t, queued) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("events still queued in %s after delivery", queued)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// TestStack_RestartKeepsDataAndEvents stops the stack right after objects
// were written — before their events were all handled — and starts it again
// on the same state: the queued events are delivered, every object gets its
// row, and ingesting the same folder again adds nothing.
func TestStack_RestartKeepsDataAndEvents(t *testing.T) {
	state := stateDir(t)
	st := startStackAt(t, state)
	dir := t.TempDir()
	var keys []string
	for _, kind := range []string{"Bean", "Radish", "Papaya"} {
		name, photo := galleryImage(t, kind)
		writeFile(t, filepath.Join(dir, kind, name), string(photo))
		keys = append(keys, veglens.DatasetKey(kind, name))
		if _, err := st.S3.PutObject(context.Background(), &s3.PutObjectInput{
			Bucket: aws.String(st.Settings.Objects.Bucket), Key: aws.String(keys[len(keys)-1]), Body: bytes.NewReader(photo),
		}); err != nil {
			t.Fatal(err)
		}
	}
	stopStack(t, st)
	t.Logf("%d events waited in MinIO's queue across the restart", countFiles(t, filepath.Join(state, "events")))

	st = startStackAt(t, state)
	defer stopStack(t, st)
	ctx := context.Background()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		if err := st.Catalog.Pool().QueryRow(ctx, `SELECT count(*) FROM images WHERE status = 'done' AND object_key = ANY($1)`, keys).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == len(keys) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d objects written before the restart were classified after it", n, len(keys))
		}
		time.Sleep(200 * time.Millisecond)
	}
	sum, err := st.Ingest(ctx, dir, nil)
	if err != nil || sum.Skipped != len(keys) || sum.Uploaded != 0 {
		t.Errorf("ingest after restart = %s (%v), want all %d skipped", sum, err, len(keys))
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestStack_JPEGsBrowsersShow uploads, the way the site does, JPEGs that
// browsers show but simpler decoders refuse (uncommon chroma sampling,
// arithmetic coding, no end-of-image marker): each is classified.
func TestStack_JPEGsBrowsersShow(t *testing.T) {
	st := startStack(t)
	name, photo := galleryImage(t, "Carrot")
	pic, err := picture.Decode(bytes.NewReader(photo), picture.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"sampling 3x1,1x1,1x1", picturetest.EncodeJPEG(t, pic.Image, picturetest.JPEGOptions{Quality: 95, Sampling: [3][2]int{{3, 1}, {1, 1}, {1, 1}}})},
		{"sampling 1x1,2x2,2x2", picturetest.EncodeJPEG(t, pic.Image, picturetest.JPEGOptions{Quality: 95, Sampling: [3][2]int{{1, 1}, {2, 2}, {2, 2}}})},
		{"arithmetic-coded, progressive", picturetest.EncodeJPEG(t, pic.Image, picturetest.JPEGOptions{Quality: 95, Arithmetic: true, Progressive: true})},
		{"no end-of-image marker", photo[:len(photo)-2]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			up := presign(t, st, name, len(tc.data), false)
			if resp := postFile(t, up, name, tc.data); resp.StatusCode/100 != 2 {
				t.Fatalf("storage refused the presigned upload: %s", resp.Status)
			}
			if im := waitLabelled(t, st, up.ID, 30*time.Second); im.Status != "done" || im.Kind != "Carrot" {
				t.Errorf("labelled = %s %s (%s), want done, Carrot", im.Status, im.Kind, im.Reason)
			}
		})
	}
}

// TestStack_HEICAndAVIF uploads an iPhone's format (HEIC) and AVIF the way
// the site does when the browser cannot decode them (the original file, its
// own Content-Type): both are classified.
func TestStack_HEICAndAVIF(t *testing.T) {
	st := startStack(t)
	heic, err := os.ReadFile(filepath.Join(sourcetreetest.Path(t, "shared", "picture", "testdata", "heif"), "tomato.heic"))
	if err != nil {
		t.Fatal(err)
	}
	_, photo := galleryImage(t, "Tomato")
	pic, err := picture.Decode(bytes.NewReader(photo), picture.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	var avifPhoto bytes.Buffer
	if err := avif.Encode(&avifPhoto, pic.Image, avif.Options{Quality: 80, Speed: 10}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, contentType string
		data              []byte
	}{
		{"IMG_0001.HEIC", "image/heic", heic},
		{"tomato.avif", "image/avif", avifPhoto.Bytes()},
	} {
		t.Run(tc.contentType, func(t *testing.T) {
			var up uploadResponse
			doJSON(t, "POST", st.URL+"/api/uploads",
				map[string]any{"filename": tc.name, "contentType": tc.contentType, "size": len(tc.data)}, 201, &up)
			if resp := postFile(t, up, tc.name, tc.data); resp.StatusCode/100 != 2 {
				t.Fatalf("storage refused the presigned upload: %s", resp.Status)
			}
			if im := waitLabelled(t, st, up.ID, 60*time.Second); im.Status != "done" || im.Kind != "Tomato" {
				t.Errorf("labelled = %s %s (%s), want done, Tomato", im.Status, im.Kind, im.Reason)
			}
		})
	}
}

// TestStack_UploadsThatNeverArriveEnd: a presigned upload whose photo never
// comes ends rejected with a sentence once its link (and the grace) has
// passed, by the sweep on its schedule; a photo deleted from the bucket
// takes its row with it (the sweep on the ObjectRemoved event), so no row
// points at a missing object.
func TestStack_UploadsThatNeverArriveEnd(t *testing.T) {
	state := stateDir(t)
	// The sweep's clock runs ten minutes ahead: every link has expired.
	st := startStackAt(t, state, func(c *local.Config) {
		c.Clock = func() time.Time { return time.Now().Add(10 * time.Minute) }
		c.SweepEvery = 200 * time.Millisecond
	})
	t.Cleanup(func() { stopStack(t, st) })

	never := presign(t, st, "lost.jpg", 5000, false)
	im := waitLabelled(t, st, never.ID, 30*time.Second)
	if im.Status != "rejected" || im.Reason != veglens.NeverArrived {
		t.Errorf("upload that never arrived: %s %q, want rejected, %q", im.Status, im.Reason, veglens.NeverArrived)
	}

	name, photo := galleryImage(t, "Carrot")
	up := presign(t, st, name, len(photo), false)
	if resp := postFile(t, up, name, photo); resp.StatusCode/100 != 2 {
		t.Fatalf("storage refused the presigned upload: %s", resp.Status)
	}
	if im := waitLabelled(t, st, up.ID, 30*time.Second); im.Status != "done" {
		t.Fatalf("upload that arrived: %s %q, want done", im.Status, im.Reason)
	}
	if _, err := st.S3.DeleteObject(t.Context(), &s3.DeleteObjectInput{Bucket: aws.String(st.Settings.Objects.Bucket), Key: aws.String(veglens.UploadKey(up.ID, "jpg"))}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(st.URL + "/api/images/" + up.ID)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusNotFound {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET the deleted photo's image = %d after 30 s, want 404", resp.StatusCode)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
