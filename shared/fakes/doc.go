// Package fakes holds in-memory fakes of the domain's interfaces, for fast
// tests of code that the real-service tests also cover: ImageStore
// (veglens.ImageStore; the real one is package catalog on PostgreSQL),
// ObjectStore (veglens.ObjectStore; the real one is package objects on S3 or
// MinIO) and Classifier (veglens.Classifier; the real one is package vision
// on ONNX Runtime). With them the handler and domain tests run under a plain
// `go test ./...` on a machine without PostgreSQL, MinIO or ONNX Runtime.
//
// They are fakes, not mocks: each keeps real state and follows its
// interface's documented contract (idempotent upserts, the same id and
// colour rules, size limits, ErrNotFound, ErrUnavailable when down or out of
// time); shared/catalog's contract test runs the same checks against the
// fake and the real catalog. The stores can be told to fail (Down) and the
// classifier to answer anything (Answer), to exercise the service's handling
// of an unreachable or failing dependency.
package fakes
