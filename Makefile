# veglens — one Makefile for building, testing, training and running.
# `make run` starts everything locally; `make test` is what CI runs; each
# installs what it needs on a fresh clone. `make check` is the fast loop.
SHELL := /bin/bash
.DEFAULT_GOAL := help

GO      ?= go
PYTHON  ?= python3
BIN     := $(CURDIR)/bin
CACHE   := $(CURDIR)/.cache

# ONNX Runtime shared library, taken from the npm package onnxruntime-node
# (Linux x64). Override ORT_LIB to use a library installed elsewhere.
ORT_VERSION ?= 1.30.0
ORT_LIB     ?= $(CACHE)/onnxruntime-$(ORT_VERSION)/libonnxruntime.so.1
export ORT_LIB

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z][a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort | column -t -s $$'\t'

# ---------------------------------------------------------------- dependencies
.PHONY: deps ort system build-deps
deps: system ort deps-go deps-python minio deps-api deps-cloud deps-site ## install everything up front (the targets below also install what they need)

# Debian packages: PostgreSQL, Chromium, python3-venv, curl. The script does
# nothing when they are there (it asks for sudo only when it must install).
system: ## Debian packages the services and tests need (libjpeg-turbo, PostgreSQL, Chromium, python3-venv, curl)
	@infra/scripts/install-system.sh

build-deps: ## only the Debian package compiling needs (libjpeg-turbo, static)
	@infra/scripts/install-system.sh --build

ort: $(ORT_LIB) ## fetch the ONNX Runtime library into .cache/

$(ORT_LIB):
	infra/scripts/fetch-onnxruntime.sh "$(ORT_VERSION)" "$@"

.PHONY: deps-go deps-python
deps-go:
	$(GO) mod download

# The model's pinned Python packages (models/requirements.txt) in their own
# virtual environment; reinstalled when the pins change. Everything that runs
# the model's Python uses $(MODELS_PY).
MODELS_VENV ?= $(CACHE)/venv-models
MODELS_PY   := $(MODELS_VENV)/bin/python
deps-python: $(MODELS_VENV)/.installed ## the model's Python packages into .cache/venv-models

$(MODELS_VENV)/.installed: models/requirements.txt
	$(PYTHON) -m venv $(MODELS_VENV)
	$(MODELS_PY) -m pip install --quiet -r models/requirements.txt
	touch $@

# MinIO for the local stack and integration tests: a pinned build from source
# into bin/ (skipped when bin/minio already is that version).
MINIO_VERSION ?= v0.0.0-20260212201848-7aac2a2c5b7c
.PHONY: minio
minio: ## install the pinned MinIO server into bin/
	@if $(GO) version -m $(BIN)/minio 2>/dev/null | grep -qE "^[[:space:]]+mod[[:space:]]+github.com/minio/minio[[:space:]]+$(MINIO_VERSION)[[:space:]]"; then \
	  echo "bin/minio is $(MINIO_VERSION)"; \
	else \
	  echo "building MinIO $(MINIO_VERSION) into bin/ (a few minutes)"; \
	  GOBIN=$(BIN) GOFLAGS=-buildvcs=false nice -n 10 $(GO) install github.com/minio/minio@$(MINIO_VERSION); \
	fi

# Schemathesis (API tests) in its own virtual environment, apart from the
# model's pinned Python packages.
API_VENV ?= $(CACHE)/venv-api
SCHEMATHESIS_VERSION ?= 4.32.5
.PHONY: deps-api
deps-api: $(API_VENV)/.installed-$(SCHEMATHESIS_VERSION)

$(API_VENV)/.installed-$(SCHEMATHESIS_VERSION):
	$(PYTHON) -m venv $(API_VENV)
	$(API_VENV)/bin/pip install --quiet "schemathesis==$(SCHEMATHESIS_VERSION)"
	touch $@

# cfn-lint and the AWS SAM CLI (template checks, `sam build`) in their own
# virtual environment; actionlint (workflow checks) into bin/.
CLOUD_VENV ?= $(CACHE)/venv-cloud
ACTIONLINT_VERSION ?= v1.7.12
.PHONY: deps-cloud
deps-cloud: $(CLOUD_VENV)/.installed $(BIN)/actionlint

$(CLOUD_VENV)/.installed: infra/cloud/requirements.txt
	$(PYTHON) -m venv $(CLOUD_VENV)
	$(CLOUD_VENV)/bin/pip install --quiet -r infra/cloud/requirements.txt
	touch $@

$(BIN)/actionlint:
	GOBIN=$(BIN) nice -n 10 $(GO) install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)

# ---------------------------------------------------------------- build
.PHONY: build
build: build-deps ## build every Go binary into bin/
	$(GO) build -o $(BIN)/ ./...

# ---------------------------------------------------------------- test
# Tests that need a real service (PostgreSQL, MinIO, the ONNX Runtime
# library) skip themselves where it is missing; with this variable set they
# fail instead, so `make test` (and CI) never passes by skipping them.
REQUIRE_SERVICES := VEGLENS_REQUIRE_SERVICES=1

.PHONY: test test-go lint check
test: lint test-go test-models test-cloud test-api test-site test-colour ## run every test (what CI runs)

# The fast loop: vet, gofmt and every Go test that needs no server (the
# handlers and the domain against in-memory fakes); -short skips the rest.
check: lint ## go vet, gofmt and the Go tests that need no services (well under a minute)
	$(GO) test -short -count=1 ./...

lint: build-deps ## go vet and gofmt
	$(GO) vet ./...
	$(GO) vet -tags purego ./shared/colour/
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

test-go: system ort minio ## Go unit and integration tests (real PostgreSQL, MinIO and ONNX Runtime; none may be skipped)
	$(REQUIRE_SERVICES) $(GO) test -count=1 ./...
	$(GO) test -count=1 -short -tags purego ./shared/colour/ # the build without the vector kernel

.PHONY: test-models
test-models: deps-python ## training code: a tiny end-to-end run
	$(MODELS_PY) -m pytest -q models/tests

# make train DATA=<folder> [EXTRA=<folder>]: <folder>/train/<Class>/* and
# <folder>/validation/<Class>/*; EXTRA holds realworld/<Kind>/* and unknown/<label>/*
# photos (see models/README.md). Rewrites models/veglens.onnx (int8), veglens-fp32.onnx,
# model.json, metrics.json, similarity.json (the similar-photo key, vegnet/similarity.py),
# MODEL_CARD.md and the Go parity fixture; log in models/runs/,
# features in models/cache/. Creates .cache/venv-models first when needed (after the checks).
.PHONY: train
train: ## train and export the model: make train DATA=<dataset folder> [EXTRA=<extra photos folder>]
	@if [ -z "$(DATA)" ]; then echo "usage: make train DATA=<folder with train/<Class>/ and validation/<Class>/> [EXTRA=<folder with realworld/ and unknown/>]" >&2; exit 2; fi
	@test -d "$(DATA)" || { echo "make train: DATA=$(DATA) is not a folder" >&2; exit 2; }
	@if [ -n "$(EXTRA)" ]; then test -d "$(EXTRA)" || { echo "make train: EXTRA=$(EXTRA) is not a folder" >&2; exit 2; }; fi
	@$(MAKE) --no-print-directory -s deps-python
	cd models && $(MODELS_PY) -m vegnet.train --data "$(abspath $(DATA))" $(if $(EXTRA),--extra "$(abspath $(EXTRA))") $(TRAIN_FLAGS)
	cd models && $(MODELS_PY) -m vegnet.similarity --data "$(abspath $(DATA))" && $(MODELS_PY) -m vegnet.card

.PHONY: bench
bench: system ort minio ## Go benchmarks (latency and throughput targets)
	$(REQUIRE_SERVICES) $(GO) test -run '^$$' -bench . -benchmem ./...

# The functions and the packages they share (also part of test-go); their
# benchmarks: query latency with 100,000 rows, classify warm latency.
FUNCTION_PKGS := ./functions/... ./shared/veglens/... ./shared/labelling/... ./shared/api/... ./shared/catalog/... ./shared/objects/... ./shared/metrics/... ./shared/config/...
.PHONY: test-functions bench-functions bench-query bench-coldstart load chaos
test-functions: system ort minio ## upload, classify and query tests (real PostgreSQL, MinIO, model)
	$(REQUIRE_SERVICES) $(GO) test -count=1 $(FUNCTION_PKGS)

# make bench-query ROWS=1000000: seeds ROWS rows (COPY) into a fresh
# PostgreSQL and prints p50/p99 of every search shape.
ROWS ?= 100000
bench-query: system ## search p50/p99 per shape with ROWS rows (default 100,000): make bench-query ROWS=1000000
	VEGLENS_BENCH_ROWS=$(ROWS) $(REQUIRE_SERVICES) $(GO) test -count=1 -run '^$$' -bench 'BenchmarkQuery' -benchtime 400x -timeout 30m ./shared/catalog/

load: system ort minio ## load run (vegeta): 200 uploads 20 at a time plus 50 searches/s for 60 s against a fresh local stack
	VEGLENS_LOAD=1 $(REQUIRE_SERVICES) $(GO) test -count=1 -run '^TestLoad$$' -v -timeout 20m ./infra/local/

chaos: system ort minio veglens ## faults mid-ingest (PostgreSQL stopped 10 s, MinIO restarted, the runner killed with SIGKILL): exactly one done row per object after each
	VEGLENS_CHAOS=1 $(REQUIRE_SERVICES) $(GO) test -count=1 -run '^TestChaos$$' -v -timeout 20m ./infra/local/

bench-coldstart: system ort minio ## each function's Lambda bootstrap from exec to its first answer (fake Runtime API and Secrets Manager, real PostgreSQL and MinIO), with its init steps
	$(REQUIRE_SERVICES) $(GO) test -count=1 -run '^$$' -bench 'BenchmarkColdStart' -benchtime 5x ./infra/cloud/

bench-functions: system ort minio ## query p50/p99 with 100k rows (store and handler); classify warm p50/p99 (224x224 JPEG)
	$(GO) test -count=1 -run '^$$' -bench 'BenchmarkQuery|BenchmarkSearchHandler|BenchmarkClassifyWarm' -benchtime 1000x ./shared/catalog/ ./functions/query/query/ ./functions/classify/classify/

# ---------------------------------------------------------------- site
# The single-page site in site/ (TypeScript, Vite, React). Its API types are
# generated from shared/api/openapi.yaml at every build and test (npm run gen);
# the build output is site/dist (served by `veglens run`, a bucket in the cloud).
SITE_SRC := $(shell find site/src site/scripts -type f -not -name '*.gen.ts' 2>/dev/null) site/index.html site/package.json \
	site/vite.config.ts site/tsconfig.app.json shared/api/openapi.yaml $(wildcard infra/gallery/*/*.jpg)
.PHONY: deps-site site test-site
deps-site: site/node_modules/.package-lock.json ## npm ci for the site

site/node_modules/.package-lock.json: site/package-lock.json
	cd site && nice -n 10 npm ci --no-audit --no-fund
	@touch $@

site: site/dist/index.html ## build the site into site/dist (when its sources changed)

site/dist/index.html: $(SITE_SRC) site/node_modules/.package-lock.json
	cd site && nice -n 10 npm run build

# Unit tests (Vitest), then end-to-end tests in Debian's Chromium against a real
# `veglens run` (PostgreSQL, MinIO, ONNX Runtime); screenshots in test-artifacts/site/.
test-site: system deps-site ort minio site ## site unit tests and browser end-to-end tests
	cd site && nice -n 10 npm test
	cd site && npm run e2e

# ---------------------------------------------------------------- local stack
# `make run` starts PostgreSQL and MinIO (data in .local/, kept between runs),
# the functions behind the local gateway and the site on http://127.0.0.1:8080,
# and ingests the sample gallery. `make run DATA=<folder of Class/*.jpg>` also
# ingests that folder with a progress bar and a summary. RUN_FLAGS passes more
# flags to `veglens run` (see `bin/veglens run -h`).
.PHONY: veglens run test-api
veglens: build-deps ## build the CLI into bin/veglens
	@$(GO) build -o $(BIN)/veglens ./infra/cmd/veglens

run: system ort minio veglens ## run veglens locally: make run [DATA=<folder of Class/*.jpg>]
	@if [ -f site/package.json ] && grep -q '^site:' $(MAKEFILE_LIST); then $(MAKE) --no-print-directory site; fi
	@$(BIN)/veglens run $(if $(DATA),-data "$(DATA)") $(RUN_FLAGS)

test-api: system ort minio deps-api veglens ## schemathesis against a freshly started local API
	VEGLENS=$(BIN)/veglens SCHEMATHESIS=$(API_VENV)/bin/schemathesis infra/scripts/test-api.sh

# Single-thread latency of the model in the service (Go: decode + classify of the 150
# gallery JPEGs, and inference alone, for the int8 and the fp32 model) next to the
# baseline stack it replaces (Python: Pillow + onnxruntime, same files, same models),
# in one run so that both see the same machine.
.PHONY: bench-model
bench-model: system ort deps-python ## model latency: Go service path vs. Python baseline, int8 and fp32, p50/p99
	$(REQUIRE_SERVICES) $(GO) test -count=1 -run '^$$' -bench 'DecodeClassifyGallery|ClassifyDecoded224' -benchtime 600x ./shared/vision/
	cd models && $(MODELS_PY) -m vegnet.bench $(sort $(wildcard $(CURDIR)/infra/gallery/*/*.jpg))

# ---------------------------------------------------------------- model evaluation
# make eval DATA=<folder>: every file of <folder>/<Class>/ through the service's
# path (vision.Decode, Model.Classify); a per-class table, then one JSON line
# (nothing after it). DATA must be given explicitly. EVAL_FLAGS passes more
# flags, e.g. EVAL_FLAGS='-workers 2 -q'.
.PHONY: eval
eval: ort ## measure the model: make eval DATA=<folder of Class/photos>; last line is JSON
	@if [ -z "$(DATA)" ]; then echo "usage: make eval DATA=<folder with <Class>/<photos>>" >&2; exit 2; fi
	@$(GO) build -o $(BIN)/veglens ./infra/cmd/veglens
	@$(BIN)/veglens eval -model-dir "$(CURDIR)/models" $(EVAL_FLAGS) "$(DATA)"

# ---------------------------------------------------------------- colour
# make colour FILES='a.jpg b.png': one JSON line per file on stdout, nothing
# else there (build messages go to stderr); exit status 1 if any file is bad.
.PHONY: colour test-colour
colour: build-deps ## dominant colours of pictures: make colour FILES='a.jpg b.png'
	@if [ -z "$(strip $(FILES))" ]; then echo "usage: make colour FILES='a.jpg b.png'" >&2; exit 2; fi
	@$(GO) build -o $(BIN)/veglens ./infra/cmd/veglens >&2
	@$(BIN)/veglens colour $(FILES)

# The golden sets' agreement figures of every method (verbose, so they show)
# and the colour command; the rest of the package runs in test-go.
test-colour: build-deps ort ## colour golden sets (agreement figures; the service method needs ONNX Runtime) and the colour command
	$(REQUIRE_SERVICES) $(GO) test -count=1 -v -run 'Golden' ./shared/colour/
	$(REQUIRE_SERVICES) $(GO) test -count=1 -run 'Colour' ./infra/cmd/veglens/

# ---------------------------------------------------------------- cloud (AWS SAM)
# template.yaml builds every function and the model layer with SAM's makefile
# build method: `sam build` calls the build-<LogicalId> targets below with
# ARTIFACTS_DIR set, so no Docker is needed. LAMBDA_ARCH must match the
# template's Architecture parameter (x86_64 default; arm64 needs an aarch64
# ORT_LIB, an aarch64 C compiler in CC and an aarch64 libjpeg.a for
# classify's cgo build).
SAM         := $(CLOUD_VENV)/bin/sam
STACK       ?= veglens
LAMBDA_ARCH ?= x86_64
LAMBDA_GOARCH  = $(if $(filter arm64,$(LAMBDA_ARCH)),arm64,amd64)
# cgo stays on for every function: classify needs it (ONNX Runtime through
# dlopen), and the others then reuse the packages `go test` already compiled
# instead of rebuilding the whole dependency tree. The binaries link glibc
# dynamically; test-cloud checks they need no newer glibc than Lambda's.
LAMBDA_GOBUILD = CGO_ENABLED=1 GOOS=linux GOARCH=$(LAMBDA_GOARCH) $(GO) build -tags lambda.norpc -ldflags='-s -w' -o $(ARTIFACTS_DIR)/bootstrap
export LAMBDA_ARCH

.PHONY: build-UploadFunction build-ClassifyFunction build-QueryFunction build-SweepFunction build-MigrateFunction build-ModelLayer
build-UploadFunction:
	$(LAMBDA_GOBUILD) ./functions/upload

build-ClassifyFunction:
	$(LAMBDA_GOBUILD) ./functions/classify

build-QueryFunction:
	$(LAMBDA_GOBUILD) ./functions/query

build-SweepFunction:
	$(LAMBDA_GOBUILD) ./functions/sweep

build-MigrateFunction:
	$(LAMBDA_GOBUILD) ./functions/migrate

# The layer, mounted at /opt: lib/libonnxruntime.so.1 (ORT_LIB) and
# model/{veglens.onnx,model.json,metrics.json,similarity.json,references.f32} (MODEL_DIR=/opt/model;
# the model card's metrics.json, the similar-photo key and the refusal rule's familiarity
# references are copied when the model has them).
build-ModelLayer:
	@test -f "$(ORT_LIB)" || { echo "ONNX Runtime library $(ORT_LIB) missing: run make ort"; exit 1; }
	@for f in veglens.onnx model.json; do test -f models/$$f || { echo "models/$$f missing"; exit 1; }; done
	mkdir -p $(ARTIFACTS_DIR)/lib $(ARTIFACTS_DIR)/model
	cp "$(ORT_LIB)" $(ARTIFACTS_DIR)/lib/libonnxruntime.so.1
	cp models/veglens.onnx models/model.json $(ARTIFACTS_DIR)/model/
	if [ -f models/metrics.json ]; then cp models/metrics.json $(ARTIFACTS_DIR)/model/; else echo "warning: models/metrics.json missing: /api/model will have no metrics"; fi
	if [ -f models/similarity.json ]; then cp models/similarity.json $(ARTIFACTS_DIR)/model/; else echo "warning: models/similarity.json missing: no photo will be comparable (more like this)"; fi
	if [ -f models/references.f32 ]; then cp models/references.f32 $(ARTIFACTS_DIR)/model/; fi

.PHONY: sam-build deploy seed-cloud test-cloud
sam-build: ort deps-cloud ## sam build: Lambda binaries and the model layer into .aws-sam/build (no Docker)
	SAM_CLI_TELEMETRY=0 nice -n 10 $(SAM) build --build-in-source

deploy: ort deps-cloud ## build and deploy to AWS (sam deploy --guided the first time), then publish the site
	STACK=$(STACK) SAM=$(SAM) infra/cloud/deploy.sh

seed-cloud: ## upload a <Class>/<image> folder to the deployed bucket under dataset/ (DATA=folder, default the sample gallery)
	STACK=$(STACK) infra/cloud/seed.sh "$(or $(DATA),infra/gallery)"

test-cloud: build-deps ort deps-cloud ## cfn-lint, sam validate --lint, sam build (artifacts checked), actionlint
	SAM=$(SAM) CFN_LINT=$(CLOUD_VENV)/bin/cfn-lint ACTIONLINT=$(BIN)/actionlint infra/cloud/check.sh
