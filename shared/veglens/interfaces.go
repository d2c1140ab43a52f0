package veglens

import (
	"context"
	"image"
	"time"
)

// ImageStore keeps one record per stored image (package catalog on
// PostgreSQL; fakes.ImageStore in memory). Failures to reach the store wrap
// ErrUnavailable; missing rows are ErrNotFound.
type ImageStore interface {
	// CreatePending records an upload before its object exists; a row that
	// already exists for the key is left as it is.
	CreatePending(ctx context.Context, p NewPending) error
	// Get returns the image with this id.
	Get(ctx context.Context, id string) (Image, error)
	// GetByKey returns the image stored under this object key.
	GetByKey(ctx context.Context, key string) (Image, error)
	// Upsert writes the result of labelling one object (status done or
	// rejected), keyed by im.Key, and returns the row's id. Writing the same
	// key again updates the row in place: duplicate events leave one row.
	Upsert(ctx context.Context, im Image) (string, error)
	// Search returns up to q.Count public labelled images, most confident
	// first, and the number of matches in all.
	Search(ctx context.Context, q Search) (Page, error)
	// Similar returns up to count public labelled images whose similarity
	// keys are nearest to image id's, most similar first, leaving id out.
	// The image id itself may be private or refused. Errors wrap
	// ErrNotFound (no such image) or ErrNotComparable (it has no key).
	Similar(ctx context.Context, id string, count int) ([]Neighbour, error)
	// ColourCounts counts public labelled images of a kind (any when empty)
	// per dominant colour, most frequent first.
	ColourCounts(ctx context.Context, kind Kind, m Method, p PaletteID) ([]ColourCount, error)
	// Kinds summarises every kind that has public labelled images.
	Kinds(ctx context.Context) (map[Kind]KindSummary, error)
	// Stats counts images and measures labelling speed over the `recent`
	// most recently labelled ones.
	Stats(ctx context.Context, recent int) (Stats, error)
	// ExpiredPending returns up to limit pending uploads that can no longer
	// arrive at now (Image.Expired), the longest expired first.
	ExpiredPending(ctx context.Context, now time.Time, limit int) ([]Image, error)
	// MarkNeverArrived rejects the pending image stored under key with the
	// reason NeverArrived; it reports false, changing nothing, when the row
	// is missing or no longer pending (its photo arrived after all).
	MarkNeverArrived(ctx context.Context, key string) (bool, error)
	// Delete removes the row of the object stored under key (its object is
	// gone); it reports false when there was none.
	Delete(ctx context.Context, key string) (bool, error)
	// DeleteUploadsBefore removes every upload row created before t and
	// returns how many went.
	DeleteUploadsBefore(ctx context.Context, t time.Time) (int, error)
	// SaveUserLabel stores a person's label for image id (kind "" for
	// "not a vegetable"), replacing the one before; saving the same label
	// again changes nothing (UpdatedAt stays). Errors wrap ErrNotFound (no
	// such image) or ErrNotLabelled (it holds no prediction).
	SaveUserLabel(ctx context.Context, id string, kind Kind) (UserLabel, error)
	// UserLabel returns image id's user label; ok is false when it has none.
	UserLabel(ctx context.Context, id string) (l UserLabel, ok bool, err error)
	// TakeToken takes one token from client's bucket under limit. It
	// returns ok false, taking nothing, when the bucket is empty, with how
	// long until the next token.
	TakeToken(ctx context.Context, client string, limit RateLimit) (ok bool, retryAfter time.Duration, err error)
	// ForgetTokensBefore removes the buckets last used before t (they
	// would be full again) and returns how many went.
	ForgetTokensBefore(ctx context.Context, t time.Time) (int, error)
}

// Object is a fetched object of the images bucket.
type Object struct {
	Key         string
	Body        []byte
	ETag        string // without quotes
	ContentType string
}

// PresignedPost is a presigned POST: send a multipart/form-data POST to URL
// with Fields as form fields followed by the file as the field "file".
type PresignedPost struct {
	URL       string
	Fields    map[string]string
	ExpiresAt time.Time
}

// ObjectStore is the images bucket (package objects on S3 or MinIO;
// fakes.ObjectStore in memory).
type ObjectStore interface {
	// Bucket is the bucket's name.
	Bucket() string
	// Get reads an object of at most limit bytes: a larger one is a
	// *TooLargeError, a missing one ErrNotFound; other errors are worth
	// retrying.
	Get(ctx context.Context, key string, limit int64) (Object, error)
	// Exists reports whether an object is stored under key (without
	// reading it); errors other than its absence are returned.
	Exists(ctx context.Context, key string) (bool, error)
	// Put stores body under key.
	Put(ctx context.Context, key, contentType string, body []byte) error
	// PresignUpload allows one POST of 1..maxSize bytes of exactly this
	// Content-Type to exactly this key until expiry passes; storage itself
	// enforces the policy.
	PresignUpload(ctx context.Context, key, contentType string, maxSize int64, expiry time.Duration) (PresignedPost, error)
	// PresignGet returns a URL a browser can GET the object from for at
	// least three quarters of expiry.
	PresignGet(ctx context.Context, key string, expiry time.Duration) (string, error)
	// Renotify makes storage announce the object at key again (an
	// ObjectCreated event) without changing its bytes: for a photo that
	// arrived but whose event was lost. A missing object is ErrNotFound.
	Renotify(ctx context.Context, key string) error
}

// Classifier names the vegetable in a picture (package vision on ONNX
// Runtime; fakes.Classifier for tests). Safe for concurrent use.
//
// A failure that may pass (the classifier is closing, or out of time) wraps
// ErrUnavailable or the context's error: the picture should be tried again
// later. Any other error means this picture cannot be classified.
type Classifier interface {
	// Classify returns the k most probable kinds (k clamped to 1..number of
	// kinds) and whether the picture is refused as none of them.
	Classify(ctx context.Context, img image.Image, k int) (Prediction, error)
	// Version identifies what labels images (ModelMeta.LabelVersion: the
	// model and its refusal rule); it is stored with every result, and a
	// new one labels images again.
	Version() string
	// Labels are the kinds the classifier knows, in its output order.
	Labels() []Kind
}
