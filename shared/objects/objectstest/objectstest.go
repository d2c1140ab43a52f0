// Package objectstest sends what browsers send to storage, for tests.
package objectstest

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/veglens/veglens/shared/veglens"
)

// PostForm sends a browser-style multipart POST of a presigned upload: every
// field, with Content-Type replaced by contentType (what the browser
// claims, which may differ from what was signed), then body as the file.
// It returns the status and the response body.
func PostForm(t *testing.T, up veglens.PresignedPost, contentType string, body []byte) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range up.Fields {
		if k == "Content-Type" {
			v = contentType // what the browser claims, which may differ from what was signed
		}
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := w.CreateFormFile("file", "photo")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(body)
	w.Close()
	resp, err := http.Post(up.URL, w.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(msg)
}
