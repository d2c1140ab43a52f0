// Package cloud holds the AWS deployment's helpers (scripts beside this file,
// called by `make deploy`, `make seed-cloud` and `make test-cloud`) and the
// tests that check template.yaml against the code it deploys: what cfn-lint
// cannot know, such as which environment variables a function reads, which
// key prefixes the upload function writes and classify accepts, and which
// routes the HTTP API describes.
package cloud
