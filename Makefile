# veglens — one Makefile for building, testing, training and running.
# `make run` starts everything locally; `make test` is what CI runs.
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
.PHONY: deps ort
deps: ort deps-go deps-python minio deps-api ## install what building and testing need

ort: $(ORT_LIB) ## fetch the ONNX Runtime library into .cache/

$(ORT_LIB):
	infra/scripts/fetch-onnxruntime.sh "$(ORT_VERSION)" "$@"

.PHONY: deps-go deps-python
deps-go:
	$(GO) mod download

deps-python:
	$(PYTHON) -m pip install --quiet -r models/requirements.txt

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

# ---------------------------------------------------------------- build
.PHONY: build
build: ## build every Go binary into bin/
	$(GO) build -o $(BIN)/ ./...

# ---------------------------------------------------------------- test
.PHONY: test test-go lint
test: lint test-go test-models ## run every test (what CI runs)

lint: ## go vet and gofmt
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

test-go: ort ## Go unit and integration tests
	$(GO) test -count=1 ./...

.PHONY: test-models
test-models: ## training code: a tiny end-to-end run
	$(PYTHON) -m pytest -q models/tests

.PHONY: bench
bench: ort ## Go benchmarks (latency and throughput targets)
	$(GO) test -run '^$$' -bench . -benchmem ./...

# ---------------------------------------------------------------- model evaluation
# make eval DATA=<folder>: every file of <folder>/<Class>/ through the service's
# path (vision.Decode, Model.Classify); a per-class table, then one JSON line
# (nothing after it). DATA must be given explicitly. EVAL_FLAGS passes more
# flags, e.g. EVAL_FLAGS='-workers 2 -q'.
.PHONY: eval
eval: ort ## measure the model: make eval DATA=<folder of Class/photos>; last line is JSON
	@if [ "$(origin DATA)" = file ] || [ -z "$(DATA)" ]; then echo "usage: make eval DATA=<folder with <Class>/<photos>>" >&2; exit 2; fi
	@$(GO) build -o $(BIN)/veglens ./infra/cmd/veglens
	@$(BIN)/veglens eval -model-dir "$(CURDIR)/models" $(EVAL_FLAGS) "$(DATA)"
