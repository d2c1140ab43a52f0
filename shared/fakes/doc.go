// Package fakes holds in-memory fakes of the domain's interfaces, for fast
// tests of code that the real-service tests also cover: ImageStore
// (veglens.ImageStore; the real one is package catalog on PostgreSQL),
// ObjectStore (veglens.ObjectStore; the real one is package objects on S3 or
// MinIO) and Classifier (veglens.Classifier; the real one is package vision
// on ONNX Runtime). With them the handler and domain tests run under a plain
// `go test ./...` on a machine without PostgreSQL, MinIO or ONNX Runtime.
//
// They are fakes, not mocks: each keeps real state and follows its
// interface's documented contract (idempotent upserts, size limits,
// ErrNotFound), so a test that passes against a fake asserts behaviour
// the real implementation also has. Each can be told to fail (Down), to
// exercise the service's handling of an unreachable dependency.
package fakes
