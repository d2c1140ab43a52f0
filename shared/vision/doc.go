// Package vision turns an uploaded photo into a vegetable prediction.
//
// It has two halves that the service always uses together:
//
//   - Decode reads an upload (JPEG, PNG, WebP or the first frame of a GIF),
//     checks its header against Limits before decoding any pixels, applies
//     the EXIF orientation and returns a Picture whose Image is opaque RGB
//     (greyscale, CMYK, palette and alpha images are converted; transparent
//     areas are composited over white). Every refusal is an *InputError
//     whose Kind says why and whose message a person can read.
//   - LoadModel loads the ONNX classifier (veglens.onnx plus model.json,
//     read by veglens.ReadModelMeta: the labels, the version and the refusal
//     threshold) into ONNX Runtime once; Model (a veglens.Classifier)
//     Classify resizes a picture to the model's 224x224 input, runs it and
//     returns a veglens.Prediction: the top-k kinds, the refusal score (the
//     highest probability) and whether the photo is probably none of the
//     known kinds. Classify is safe for concurrent use.
//
// The ONNX Runtime shared library is named by ModelOptions.LibraryPath (the
// functions pass their ORT_LIB setting; this package reads no environment).
// The runtime environment is created once per process (see InitRuntime) and
// shared by every Model.
package vision
