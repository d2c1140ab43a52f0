// Package upload is the upload function's handler, the API's writes:
// POST /api/uploads checks what the browser is about to send, records the
// image as pending and returns a presigned POST straight into the images
// bucket; POST /api/images/{id}/label stores a person's own label for a
// photo (label.go).
package upload

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/veglens/veglens/shared/api"
	"github.com/veglens/veglens/shared/veglens"
)

// MaxSize is the largest upload accepted, in bytes (10 MiB).
const MaxSize = veglens.MaxImageBytes

// DefaultExpiry is how long a presigned upload stays valid by default.
const DefaultExpiry = 5 * time.Minute

// Extensions maps each accepted Content-Type to the extension of its key.
var Extensions = map[string]string{
	"image/jpeg": "jpg",
	"image/png":  "png",
	"image/webp": "webp",
	"image/gif":  "gif",
	"image/heic": "heic", // the iPhone's default
	"image/heif": "heif",
	"image/avif": "avif",
}

// AllowedTypes lists the accepted Content-Types.
var AllowedTypes = []string{"image/jpeg", "image/png", "image/webp", "image/gif", "image/heic", "image/heif", "image/avif"}

// Deps are the handler's dependencies.
type Deps struct {
	Images  veglens.ImageStore
	Objects veglens.ObjectStore
	// Log receives failures worth a person's attention; nil discards.
	Log *slog.Logger
	// Expiry of presigned uploads (UPLOAD_EXPIRY); default DefaultExpiry.
	Expiry time.Duration
	// Kinds are the model's labels: the kinds a user label may name.
	Kinds veglens.Kinds
}

// Handler serves POST /api/uploads.
type Handler struct {
	images veglens.ImageStore
	objs   veglens.ObjectStore
	log    *slog.Logger
	expiry time.Duration
	kinds  veglens.Kinds
}

// New returns a Handler.
func New(d Deps) (*Handler, error) {
	if d.Images == nil || d.Objects == nil {
		return nil, errors.New("upload: Images and Objects are required")
	}
	if len(d.Kinds.List()) == 0 {
		return nil, errors.New("upload: Kinds are required (the model's labels, from MODEL_DIR's model.json)")
	}
	if d.Expiry <= 0 {
		d.Expiry = DefaultExpiry
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Handler{images: d.Images, objs: d.Objects, log: d.Log, expiry: d.Expiry, kinds: d.Kinds}, nil
}

// Request is the body of POST /api/uploads.
type Request struct {
	Filename    *string `json:"filename"`
	ContentType *string `json:"contentType"`
	Size        *int64  `json:"size"`
	Listed      *bool   `json:"listed"`
}

// Response is the body of a successful POST /api/uploads.
type Response struct {
	ID        string            `json:"id"`
	URL       string            `json:"url"`
	Method    string            `json:"method"`
	Fields    map[string]string `json:"fields"`
	Headers   map[string]string `json:"headers"`
	ExpiresAt time.Time         `json:"expiresAt"`
	MaxSize   int64             `json:"maxSize"`
	StatusURL string            `json:"statusUrl"`
}

// Handle serves one API Gateway v2 request.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	p := strings.TrimSuffix(api.Path(req), "/")
	if id, ok := labelPath(p, req); ok {
		if m := api.Method(req); m != http.MethodPost {
			return api.ErrorResponse(ctx, h.log, api.Invalid("method", fmt.Sprintf("Use POST to label a photo, not %s.", m), []string{http.MethodPost})), nil
		}
		resp, err := h.label(ctx, id, req)
		if err != nil {
			return api.ErrorResponse(ctx, h.log, err), nil
		}
		return api.JSON(ctx, h.log, http.StatusOK, resp), nil
	}
	if m := api.Method(req); m != http.MethodPost {
		return api.ErrorResponse(ctx, h.log, api.Invalid("method", fmt.Sprintf("Use POST to start an upload, not %s.", m), []string{http.MethodPost})), nil
	}
	var body Request
	if err := api.DecodeJSON(req, &body); err != nil {
		return api.ErrorResponse(ctx, h.log, err), nil
	}
	contentType, ext, listed, err := Validate(body)
	if err != nil {
		return api.ErrorResponse(ctx, h.log, err), nil
	}
	resp, err := h.create(ctx, contentType, ext, listed)
	if err != nil {
		return api.ErrorResponse(ctx, h.log, err), nil
	}
	out := api.JSON(ctx, h.log, http.StatusCreated, resp)
	out.Headers["Location"] = resp.StatusURL
	return out, nil
}

// Validate checks an upload request. It returns the normalised Content-Type,
// the key's extension and the listing choice, or an *api.Error naming the
// field at fault.
func Validate(r Request) (contentType, ext string, listed bool, err error) {
	switch {
	case r.Filename == nil:
		return "", "", false, api.Invalid("filename", "Say which file you are uploading: \"filename\" is missing.", nil)
	case strings.TrimSpace(*r.Filename) == "":
		return "", "", false, api.Invalid("filename", "The file name is empty.", nil)
	case utf8.RuneCountInString(*r.Filename) > 255:
		return "", "", false, api.Invalid("filename", "The file name is longer than 255 characters.", nil)
	case !utf8.ValidString(*r.Filename) || strings.IndexFunc(*r.Filename, unicode.IsControl) >= 0:
		return "", "", false, api.Invalid("filename", "The file name contains characters that are not allowed.", nil)
	}
	if r.ContentType == nil || strings.TrimSpace(*r.ContentType) == "" {
		return "", "", false, api.Invalid("contentType", "Say what kind of file this is: \"contentType\" is missing.", AllowedTypes)
	}
	mt, _, perr := mime.ParseMediaType(*r.ContentType)
	ext, ok := Extensions[mt]
	if perr != nil || !ok {
		return "", "", false, api.Unsupported("contentType",
			fmt.Sprintf("%s files are not supported. Upload a JPEG, PNG, WebP, GIF, HEIC or AVIF image.", describeType(*r.ContentType, *r.Filename)),
			AllowedTypes)
	}
	switch {
	case r.Size == nil:
		return "", "", false, api.Invalid("size", "Say how large the file is: \"size\" (in bytes) is missing.", nil)
	case *r.Size <= 0:
		return "", "", false, api.Invalid("size", "The file is empty.", nil)
	case *r.Size > MaxSize:
		return "", "", false, api.TooLarge("size", fmt.Sprintf("The file is %s; the largest accepted is %s.", veglens.FormatBytes(*r.Size), veglens.FormatBytes(MaxSize)))
	}
	return mt, ext, r.Listed != nil && *r.Listed, nil
}

func (h *Handler) create(ctx context.Context, contentType, ext string, listed bool) (Response, error) {
	id := uuid.NewString()
	key := veglens.UploadKey(id, ext)
	// Presign first: it needs no network, so a failure leaves nothing behind.
	up, err := h.objs.PresignUpload(ctx, key, contentType, MaxSize, h.expiry)
	if err != nil {
		return Response{}, api.Internal(fmt.Errorf("presign upload: %w", err))
	}
	err = h.images.CreatePending(ctx, veglens.NewPending{ID: id, Bucket: h.objs.Bucket(), Key: key, Listed: listed, ExpiresAt: up.ExpiresAt})
	if err != nil {
		return Response{}, storeError(err)
	}
	return Response{
		ID:        id,
		URL:       up.URL,
		Method:    http.MethodPost,
		Fields:    up.Fields,
		Headers:   map[string]string{},
		ExpiresAt: up.ExpiresAt,
		MaxSize:   MaxSize,
		StatusURL: "/api/images/" + id,
	}, nil
}

// describeType names what the client declared, for the error message.
func describeType(contentType, filename string) string {
	if ct := strings.TrimSpace(contentType); ct != "" && len(ct) <= 64 {
		return fmt.Sprintf("%q", ct)
	}
	if ext := path.Ext(filename); ext != "" && len(ext) <= 16 {
		return strings.ToUpper(strings.TrimPrefix(ext, "."))
	}
	return "These"
}
