package veglens

import (
	"path"
	"strings"
)

// The layout of the images bucket. Every key is built and parsed here.
//
//	uploads/<id>.<ext>          a user's upload; <id> is the image's UUID
//	dataset/<Kind>/<file>       the public gallery; the folder is the true kind
//	thumbnails/<key>.jpg        a preview of the object at <key> (extension replaced)
const (
	UploadPrefix    = "uploads/"
	DatasetPrefix   = "dataset/"
	ThumbnailPrefix = "thumbnails/"
)

// UploadKey is where the upload with this id and file extension (without
// the dot: "jpg") is stored.
func UploadKey(id, ext string) string { return UploadPrefix + id + "." + ext }

// DatasetKey is where a gallery file of a kind is stored. kind and file are
// single path segments (no "/").
func DatasetKey(kind Kind, file string) string { return DatasetPrefix + kind + "/" + file }

// DatasetKindPrefix is the key prefix of every gallery file of a kind.
func DatasetKindPrefix(kind Kind) string { return DatasetPrefix + kind + "/" }

// ThumbnailKey is where the thumbnail of the object at key is stored:
// thumbnails/<key with its extension replaced by .jpg>.
func ThumbnailKey(key string) string {
	return ThumbnailPrefix + strings.TrimSuffix(key, path.Ext(key)) + ".jpg"
}

// ObjectKey is what a key says about the image stored under it.
type ObjectKey struct {
	Key    string
	Source Source
	// ID is the image's id for uploads/<uuid>.<ext> keys (lower case), empty
	// otherwise (the catalog then assigns one).
	ID string
	// Folder is the dataset folder (the true kind as spelt in the key);
	// empty for uploads.
	Folder string
}

// ParseKey reads an object key. ok is false for keys outside uploads/ and
// dataset/ (thumbnails among them) and for folder markers ending in "/":
// those are not images to label.
func ParseKey(key string) (k ObjectKey, ok bool) {
	if strings.HasSuffix(key, "/") {
		return ObjectKey{}, false
	}
	k.Key = key
	switch {
	case strings.HasPrefix(key, UploadPrefix):
		k.Source = SourceUpload
		// Only uploads/<uuid>.<ext> names its image; a key nested deeper
		// or otherwise named gets an id from the catalog.
		base := strings.TrimPrefix(key, UploadPrefix)
		if id := strings.TrimSuffix(base, path.Ext(base)); IsUUID(id) {
			k.ID = strings.ToLower(id)
		}
	case strings.HasPrefix(key, DatasetPrefix):
		k.Source = SourceDataset
		if folder, _, found := strings.Cut(strings.TrimPrefix(key, DatasetPrefix), "/"); found {
			k.Folder = folder
		}
	default:
		return ObjectKey{}, false
	}
	return k, true
}

// IsUUID reports whether s is a UUID in its 36-character text form
// (RFC 9562 §4: 8-4-4-4-12 hexadecimal digits), any case.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
