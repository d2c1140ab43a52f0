package veglens

import (
	"errors"
	"time"
)

// Status is where an image is in its life.
type Status string

// Image statuses.
const (
	StatusPending  Status = "pending"  // uploaded (or about to be), not labelled yet
	StatusDone     Status = "done"     // labelled
	StatusRejected Status = "rejected" // not a usable image; Reason says why
)

// Source says where an image came from.
type Source string

// Image sources.
const (
	SourceUpload  Source = "upload"  // sent by a user (uploads/ keys)
	SourceDataset Source = "dataset" // the public gallery (dataset/ keys)
)

// Guess is one kind with the model's probability for it (0..1).
type Guess struct {
	Kind        Kind    `json:"kind"`
	Probability float64 `json:"probability"`
}

// Prediction is what a Classifier says about one picture.
type Prediction struct {
	// Top holds the k most probable kinds, most probable first.
	Top []Guess `json:"top"`
	// Score is the refusal score, 0..1 (see ModelMeta.Refusal).
	Score float64 `json:"score"`
	// Refused is true when Score is below the model's threshold, or the
	// photo is less familiar than the model's familiarity threshold: it
	// probably shows none of the known kinds.
	Refused bool `json:"refused"`
	// Familiarity is the cosine similarity of the embedding to the model's
	// k-th most similar reference photo (ModelMeta.Refusal.Familiarity);
	// 1 when the model has no references.
	Familiarity float64 `json:"familiarity"`
	// Embedding is the picture's L2-normalised embedding
	// (ModelMeta.EmbeddingDim values): near for similar photos. Nil when
	// the classifier has none.
	Embedding []float32 `json:"-"`
	// SimilarityKey is the embedding's similar-photo key (SimilarityKey.Key:
	// unit length, at most MaxKeyDim values). Nil when the model has none.
	SimilarityKey []float32 `json:"-"`
	// ActivationMap says where the picture shows the most probable kind.
	ActivationMap ActivationMap `json:"-"`
}

// ActivationMap is a coarse class-activation map (Zhou et al. 2016,
// "Learning Deep Features for Discriminative Localization"): Size x Size
// cells over the whole picture, row-major from the top-left, each 0..1
// (1 where the evidence for the kind is strongest).
type ActivationMap struct {
	// Kind is the kind the map locates when the model names it; empty for
	// a refused photo (colour then uses no memory-colour prior).
	Kind   Kind
	Size   int
	Values []float32
}

// At returns the value of the cell in row y, column x.
func (m ActivationMap) At(x, y int) float32 { return m.Values[y*m.Size+x] }

// Timings are the milliseconds spent per labelling step.
type Timings struct {
	FetchMs     float64 `json:"fetch_ms"`
	DecodeMs    float64 `json:"decode_ms"`
	InferenceMs float64 `json:"inference_ms"`
	ColourMs    float64 `json:"colour_ms"`
	TotalMs     float64 `json:"total_ms"`
}

// Image is everything known about one stored object: one row of the
// catalog.
type Image struct {
	ID         string // a UUID
	Bucket     string
	Key        string // object key (see keys.go)
	Source     Source
	Listed     bool // an upload its sender allowed into public search
	Status     Status
	Reason     string // when rejected: a sentence for people
	ETag       string // of the labelled object version
	TrueKind   Kind   // dataset images: the folder it came from
	Kind       Kind   // predicted
	Confidence float64
	Refused    bool
	Score      float64
	// Familiarity is Prediction.Familiarity; HasFamiliarity is false for
	// rows labelled before it was kept.
	Familiarity    float64
	HasFamiliarity bool
	Top            []Guess
	Colours        *Colours // nil unless done
	Width          int      // pixels, after EXIF orientation
	Height         int
	ThumbnailKey   string
	// SimilarityKey is the prediction's similar-photo key; nil unless done
	// by a model that has one. Stores write it; reads leave it nil and set
	// HasSimilarityKey instead.
	SimilarityKey    []float32
	HasSimilarityKey bool
	Timings          *Timings // nil unless labelled
	ModelVersion     string
	// ExpiresAt is when a pending upload's presigned POST expires (zero
	// when unknown or not an upload); see Expired.
	ExpiresAt time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Labelled reports whether the image holds a final result (done or
// rejected) for the object version etag by the model version. A done row
// without a similarity key is not final: it was labelled before keys
// existed (or by a model folder without one), and labelling it again
// makes it comparable ("more like this").
func (im Image) Labelled(etag, modelVersion string) bool {
	if im.Status == StatusDone && !im.HasSimilarityKey {
		return false
	}
	return im.Status != StatusPending && etag != "" && im.ETag == etag && im.ModelVersion == modelVersion
}

// NewPending describes an upload about to happen: its row is created before
// the object exists, so its id answers "pending" straight away.
type NewPending struct {
	ID     string // a UUID
	Bucket string
	Key    string // UploadKey(ID, ext)
	Listed bool
	// ExpiresAt is when the upload's presigned POST stops being valid.
	ExpiresAt time.Time
}

// UploadGrace is how long after its presigned POST expires a pending upload
// is still waited for: a POST that started just before the expiry may
// still be arriving, and its event may still be queued.
const UploadGrace = 2 * time.Minute

// NeverArrived is the reason given for an upload whose object never came.
const NeverArrived = "The upload never arrived: its upload link expired before the photo was received. Please choose the photo again."

// Expired reports whether a pending upload can no longer arrive: its
// presigned POST expired more than UploadGrace before now. Such an image
// is shown as rejected, with NeverArrived as the reason, and is not
// counted as pending.
func (im Image) Expired(now time.Time) bool {
	return im.Status == StatusPending && !im.ExpiresAt.IsZero() && now.After(im.ExpiresAt.Add(UploadGrace))
}

// Errors the stores return, wrapped with context; test with errors.Is.
var (
	// ErrNotFound: no image (or object) matches.
	ErrNotFound = errors.New("not found")
	// ErrUnavailable: the database or storage could not be reached (down,
	// restarting, refusing connections); the operation may succeed later.
	ErrUnavailable = errors.New("unavailable")
)

// TooLargeError is returned when an object exceeds a size limit. Size is -1
// when the object's size is unknown (it was found too large while reading).
type TooLargeError struct {
	Key   string
	Size  int64 // bytes, or -1
	Limit int64 // bytes
}

func (e *TooLargeError) Error() string {
	if e.Size < 0 {
		return "object " + e.Key + " is larger than " + FormatBytes(e.Limit)
	}
	return "object " + e.Key + " is " + FormatBytes(e.Size) + ", over the limit of " + FormatBytes(e.Limit)
}
