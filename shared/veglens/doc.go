// Package veglens is the domain at the centre of the service: the words
// every other package speaks, and the small interfaces the functions need.
//
//   - The vocabulary: Kind, Image (one stored photo and what is known about
//     it), Status, Source, Guess and Prediction (what the classifier says),
//     Colour, Palette and Colours (the two fixed 12-colour wheels and the
//     measured dominant colours), Timings.
//   - The object-key layout of the images bucket (keys.go): one place builds
//     and parses uploads/<id>.<ext>, dataset/<Kind>/<file> and
//     thumbnails/<key>.jpg.
//   - The model's metadata: model.json, read and checked by ReadModelMeta
//     (ReadModel adds the file's size and the model card's figures).
//   - The interfaces the functions are written against: ImageStore
//     (implemented by package catalog on PostgreSQL), ObjectStore (package
//     objects on S3 or MinIO) and Classifier (package vision on ONNX
//     Runtime). Package fakes has in-memory stand-ins for tests.
//
// This package imports only the standard library. Packages that implement a
// dependency (catalog, objects, vision, colour) import it; it imports none
// of them.
package veglens
