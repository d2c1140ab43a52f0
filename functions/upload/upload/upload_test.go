package upload_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/veglens/veglens/functions/upload/upload"
	"github.com/veglens/veglens/infra/services/servicestest"
	"github.com/veglens/veglens/shared/fakes"
	"github.com/veglens/veglens/shared/sourcetree"
	"github.com/veglens/veglens/shared/veglens"
)

const bucket = "images"

// kinds are the model's labels (models/model.json).
var kinds = []string{"Bean", "Bitter_Gourd", "Bottle_Gourd", "Brinjal", "Broccoli", "Cabbage",
	"Capsicum", "Carrot", "Cauliflower", "Cucumber", "Papaya", "Potato", "Pumpkin", "Radish", "Tomato"}

type env struct {
	h     *upload.Handler
	store veglens.ImageStore
	objs  veglens.ObjectStore
}

func newEnv(t *testing.T, store veglens.ImageStore, objs veglens.ObjectStore) env {
	t.Helper()
	h, err := upload.New(upload.Deps{Images: store, Objects: objs, Expiry: 2 * time.Minute, Kinds: veglens.NewKinds(kinds)})
	if err != nil {
		t.Fatal(err)
	}
	return env{h: h, store: store, objs: objs}
}

func post(t *testing.T, h *upload.Handler, body string) (events.APIGatewayV2HTTPResponse, map[string]any) {
	t.Helper()
	return postJSON(t, h, "/api/uploads", body, "")
}

// postJSON sends a JSON POST to path from sourceIP and decodes the answer.
func postJSON(t *testing.T, h *upload.Handler, path, body, sourceIP string) (events.APIGatewayV2HTTPResponse, map[string]any) {
	t.Helper()
	req := events.APIGatewayV2HTTPRequest{
		RawPath: path,
		Headers: map[string]string{"content-type": "application/json"},
		Body:    body,
	}
	req.RequestContext.HTTP.Method = "POST"
	req.RequestContext.HTTP.SourceIP = sourceIP
	resp, err := h.Handle(context.Background(), req)
	if err != nil {
		t.Fatalf("Handle returned an error (API errors must be responses): %v", err)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(resp.Body), &out); err != nil {
		t.Fatalf("response body is not JSON: %q", resp.Body)
	}
	return resp, out
}

func testUploadValidation(t *testing.T, e env) {
	long := strings.Repeat("a", 252) + ".jpg"
	tests := []struct {
		name      string
		body      string
		status    int
		code      string // error code, for refusals
		parameter string
		ext       string // key extension, for successes
	}{
		{"jpeg", `{"filename":"tomato.jpg","contentType":"image/jpeg","size":123456}`, 201, "", "", "jpg"},
		{"png", `{"filename":"a.png","contentType":"image/png","size":1}`, 201, "", "", "png"},
		{"webp", `{"filename":"a.webp","contentType":"image/webp","size":5000}`, 201, "", "", "webp"},
		{"gif", `{"filename":"a.gif","contentType":"image/gif","size":5000}`, 201, "", "", "gif"},
		{"type in capitals with a parameter", `{"filename":"a.JPG","contentType":"Image/JPEG; q=1","size":5000}`, 201, "", "", "jpg"},
		{"name without extension", `{"filename":"camera","contentType":"image/jpeg","size":5000}`, 201, "", "", "jpg"},
		{"exactly 10 MiB", `{"filename":"big.jpg","contentType":"image/jpeg","size":10485760}`, 201, "", "", "jpg"},
		{"255-character name", `{"filename":"` + long[:251] + `.jpg","contentType":"image/jpeg","size":5}`, 201, "", "", "jpg"},
		{"one byte over 10 MiB", `{"filename":"big.jpg","contentType":"image/jpeg","size":10485761}`, 400, "too_large", "size", ""},
		{"empty file", `{"filename":"a.jpg","contentType":"image/jpeg","size":0}`, 400, "invalid_input", "size", ""},
		{"negative size", `{"filename":"a.jpg","contentType":"image/jpeg","size":-1}`, 400, "invalid_input", "size", ""},
		{"fractional size", `{"filename":"a.jpg","contentType":"image/jpeg","size":1.5}`, 400, "invalid_input", "size", ""},
		{"size as text", `{"filename":"a.jpg","contentType":"image/jpeg","size":"12"}`, 400, "invalid_input", "size", ""},
		{"no size", `{"filename":"a.jpg","contentType":"image/jpeg"}`, 400, "invalid_input", "size", ""},
		{"HEIC (iPhone)", `{"filename":"IMG_1234.HEIC","contentType":"image/heic","size":5000}`, 201, "", "", "heic"},
		{"HEIF", `{"filename":"a.heif","contentType":"image/heif","size":5000}`, 201, "", "", "heif"},
		{"AVIF", `{"filename":"a.avif","contentType":"image/avif","size":5000}`, 201, "", "", "avif"},
		{"SVG", `{"filename":"a.svg","contentType":"image/svg+xml","size":5000}`, 400, "unsupported", "contentType", ""},
		{"text file", `{"filename":"notes.jpg","contentType":"text/plain","size":5000}`, 400, "unsupported", "contentType", ""},
		{"no content type", `{"filename":"a.jpg","size":5000}`, 400, "invalid_input", "contentType", ""},
		{"no name", `{"contentType":"image/jpeg","size":5000}`, 400, "invalid_input", "filename", ""},
		{"blank name", `{"filename":"  ","contentType":"image/jpeg","size":5000}`, 400, "invalid_input", "filename", ""},
		{"256-character name", `{"filename":"` + long + `","contentType":"image/jpeg","size":5}`, 400, "invalid_input", "filename", ""},
		{"control character in name", `{"filename":"a\u0000.jpg","contentType":"image/jpeg","size":5}`, 400, "invalid_input", "filename", ""},
		{"unknown field", `{"filename":"a.jpg","contentType":"image/jpeg","size":5,"owner":"me"}`, 400, "invalid_input", "owner", ""},
		{"listed not a boolean", `{"filename":"a.jpg","contentType":"image/jpeg","size":5,"listed":"yes"}`, 400, "invalid_input", "listed", ""},
		{"not JSON", `filename=a.jpg`, 400, "invalid_input", "body", ""},
		{"JSON array", `[1,2]`, 400, "invalid_input", "body", ""},
		{"empty body", ``, 400, "invalid_input", "body", ""},
		{"trailing data", `{"filename":"a.jpg","contentType":"image/jpeg","size":5} {}`, 400, "invalid_input", "body", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, out := post(t, e.h, tc.body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d %s, want %d", resp.StatusCode, resp.Body, tc.status)
			}
			if tc.status != 201 {
				errObj, _ := out["error"].(map[string]any)
				if errObj["code"] != tc.code || errObj["parameter"] != tc.parameter || errObj["message"] == "" {
					t.Errorf("error = %v, want code %s parameter %s", errObj, tc.code, tc.parameter)
				}
				if tc.code == "unsupported" && fmt.Sprint(errObj["allowed"]) != "[image/jpeg image/png image/webp image/gif image/heic image/heif image/avif]" {
					t.Errorf("allowed = %v", errObj["allowed"])
				}
				return
			}
			id, _ := out["id"].(string)
			fields, _ := out["fields"].(map[string]any)
			if want := "uploads/" + id + "." + tc.ext; fields["key"] != want {
				t.Errorf("key = %v, want %s", fields["key"], want)
			}
			if out["method"] != "POST" || out["url"] == "" || resp.Headers["Location"] != "/api/images/"+id || out["statusUrl"] != "/api/images/"+id {
				t.Errorf("response = %v %v", resp.Headers, out)
			}
			im, err := e.store.Get(context.Background(), id)
			if err != nil {
				t.Fatalf("no pending row for the upload: %v", err)
			}
			if im.Status != veglens.StatusPending || im.Listed || im.Source != veglens.SourceUpload {
				t.Errorf("row = %+v, want pending unlisted upload", im)
			}
			// The row knows when its link expires, so that it stops being
			// pending if the photo never comes.
			expires, _ := time.Parse(time.RFC3339, fmt.Sprint(out["expiresAt"]))
			if d := im.ExpiresAt.Sub(expires); d > time.Second || d < -time.Second {
				t.Errorf("row expires %v, the link %v", im.ExpiresAt, out["expiresAt"])
			}
		})
	}
}

func testUploadRefusesOtherMethods(t *testing.T, e env) {
	req := events.APIGatewayV2HTTPRequest{RawPath: "/api/uploads"}
	req.RequestContext.HTTP.Method = "GET"
	resp, err := e.h.Handle(context.Background(), req)
	if err != nil || resp.StatusCode != 400 || !strings.Contains(resp.Body, `"allowed":["POST"]`) {
		t.Errorf("GET /api/uploads = %d %s %v", resp.StatusCode, resp.Body, err)
	}
}

func testUploadListedOptIn(t *testing.T, e env) {
	for _, listed := range []bool{true, false} {
		_, out := post(t, e.h, fmt.Sprintf(`{"filename":"a.jpg","contentType":"image/jpeg","size":5,"listed":%v}`, listed))
		im, err := e.store.Get(context.Background(), out["id"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if im.Listed != listed {
			t.Errorf("listed=%v stored as %v", listed, im.Listed)
		}
	}
}

// sendFile posts a file to the presigned POST the handler returned, as a
// browser form would.
func sendFile(t *testing.T, out map[string]any, contentType string, body []byte) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range out["fields"].(map[string]any) {
		if k == "Content-Type" {
			v = contentType
		}
		w.WriteField(k, v.(string))
	}
	fw, _ := w.CreateFormFile("file", "upload")
	fw.Write(body)
	w.Close()
	resp, err := http.Post(out["url"].(string), w.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(msg)
}

func testUploadedFileReachesStorageOnlyWithinThePolicy(t *testing.T, e env) {
	root, err := sourcetree.Root()
	if err != nil {
		t.Fatal(err)
	}
	photo, err := os.ReadFile(filepath.Join(root, "infra/gallery/Tomato/1209.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		contentType string
		body        []byte
		wantStatus  int
		wantCode    string
	}{
		{"the photo", "image/jpeg", photo, 204, ""},
		{"a body over 10 MiB", "image/jpeg", bytes.Repeat([]byte{1}, 10<<20+1), 400, "EntityTooLarge"},
		{"another content type", "text/html", photo, 403, "AccessDenied"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, out := post(t, e.h, fmt.Sprintf(`{"filename":"tomato.jpg","contentType":"image/jpeg","size":%d}`, len(photo)))
			status, msg := sendFile(t, out, tc.contentType, tc.body)
			if status != tc.wantStatus || !strings.Contains(msg, tc.wantCode) {
				t.Fatalf("storage answered %d %s, want %d %s", status, msg, tc.wantStatus, tc.wantCode)
			}
			key := out["fields"].(map[string]any)["key"].(string)
			obj, err := e.objs.Get(context.Background(), key, veglens.MaxImageBytes)
			if tc.wantStatus == 204 && (err != nil || !bytes.Equal(obj.Body, photo) || obj.ContentType != "image/jpeg") {
				t.Errorf("stored object: %d bytes, %q, %v", len(obj.Body), obj.ContentType, err)
			}
			if tc.wantStatus != 204 && err == nil {
				t.Errorf("refused upload was stored anyway")
			}
		})
	}
}

// TestUploadWithFakes runs the handler's tests that need no real storage
// against the in-memory fakes.
func TestUploadWithFakes(t *testing.T) {
	e := newEnv(t, fakes.NewImageStore(), fakes.NewObjectStore(bucket))
	t.Run("Validation", func(t *testing.T) { testUploadValidation(t, e) })
	t.Run("RefusesOtherMethods", func(t *testing.T) { testUploadRefusesOtherMethods(t, e) })
	t.Run("ListedOptIn", func(t *testing.T) { testUploadListedOptIn(t, e) })
	t.Run("Label", func(t *testing.T) { testLabel(t, e) })
}

// TestUploadSizeMessage: a file just over the limit must not be described
// with the limit's own number.
func TestUploadSizeMessage(t *testing.T) {
	e := newEnv(t, fakes.NewImageStore(), fakes.NewObjectStore(bucket))
	tests := []struct {
		size int64
		want string
	}{
		{10<<20 + 1, "The file is 10.1 MB; the largest accepted is 10 MB."},
		{12 << 20, "The file is 12 MB; the largest accepted is 10 MB."},
		{15<<20 + 300<<10, "The file is 15.3 MB; the largest accepted is 10 MB."},
	}
	for _, tc := range tests {
		_, out := post(t, e.h, fmt.Sprintf(`{"filename":"big.jpg","contentType":"image/jpeg","size":%d}`, tc.size))
		errObj, _ := out["error"].(map[string]any)
		if errObj["message"] != tc.want {
			t.Errorf("size %d: message %q, want %q", tc.size, errObj["message"], tc.want)
		}
	}
}

// TestUploadDatabaseDown: with the database unreachable the user is told to
// try again (503 unavailable) and nothing is recorded.
func TestUploadDatabaseDown(t *testing.T) {
	store := fakes.NewImageStore()
	e := newEnv(t, store, fakes.NewObjectStore(bucket))
	store.Down(errors.New("connection refused"))
	resp, out := post(t, e.h, `{"filename":"a.jpg","contentType":"image/jpeg","size":5}`)
	errObj, _ := out["error"].(map[string]any)
	if resp.StatusCode != 503 || errObj["code"] != "unavailable" || strings.Contains(resp.Body, "connection refused") {
		t.Errorf("database down: %d %s, want 503 unavailable without internals", resp.StatusCode, resp.Body)
	}
	store.Down(nil)
	if n := len(store.All()); n != 0 {
		t.Errorf("%d rows written while the database was down", n)
	}
}

// TestUpload runs the handler's tests against one real PostgreSQL and one
// real MinIO, including the storage's enforcement of the presigned policy.
func TestUpload(t *testing.T) {
	be := servicestest.NewBackend(t, bucket)
	e := newEnv(t, be.Store, be.Objects)
	t.Run("Validation", func(t *testing.T) { testUploadValidation(t, e) })
	t.Run("RefusesOtherMethods", func(t *testing.T) { testUploadRefusesOtherMethods(t, e) })
	t.Run("ListedOptIn", func(t *testing.T) { testUploadListedOptIn(t, e) })
	t.Run("StorageEnforcesThePolicy", func(t *testing.T) { testUploadedFileReachesStorageOnlyWithinThePolicy(t, e) })
	t.Run("Label", func(t *testing.T) { testLabel(t, e) })
}
