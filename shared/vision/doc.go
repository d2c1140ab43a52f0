// Package vision runs the veglens classifier on ONNX Runtime: a
// veglens.Classifier for pictures that package picture decoded.
//
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
