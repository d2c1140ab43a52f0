// Package vision runs the veglens classifier on ONNX Runtime: a
// veglens.Classifier for pictures that package picture decoded.
//
//   - LoadModel loads the ONNX classifier (veglens.onnx, statically
//     quantised to int8, plus model.json, read by veglens.ReadModelMeta: the
//     labels, the version, the output names and sizes, the refusal rule)
//     into ONNX Runtime once; ModelOptions.Reference loads the float model
//     it was made from instead. Model (a veglens.Classifier) Classify
//     resizes a picture to the model's 224x224 input, runs it and returns a
//     veglens.Prediction, Classify is safe for concurrent use.
//
// The graph's outputs for one picture, as Classify returns them:
//
//	probabilities   [15]     softmax over the 15 kinds and "unknown", the kinds' part
//	                         (they sum to 1 - p(unknown)) -> Prediction.Top (k most probable)
//	score           [1]      the refusal score, 0..1 -> Prediction.Score; Refused when
//	                         below model.json's threshold
//	embedding       [1280]   the pooled penultimate features, L2-normalised
//	                         -> Prediction.Embedding (near for similar photos)
//	activation_map  [7, 7]   class-activation map of the most probable kind, 0..1, rows top
//	                         to bottom -> Prediction.ActivationMap (where the vegetable is)
//
// (The sizes are model.json's embedding_dim and activation_map_size.)
//
// When the model folder has similarity.json (veglens.ReadSimilarityKey,
// fitted for this model version by models/vegnet/similarity.py), Classify
// also turns the embedding into Prediction.SimilarityKey: its first 16
// principal components at unit length, which the catalog indexes for
// "more like this photo". The float reference model gets no key.
//
// The ONNX Runtime shared library is named by ModelOptions.LibraryPath (the
// functions pass their ORT_LIB setting; this package reads no environment).
// The runtime environment is created once per process (see InitRuntime) and
// shared by every Model.
package vision
