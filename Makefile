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
deps: ort deps-go deps-python ## install what building and testing need

ort: $(ORT_LIB) ## fetch the ONNX Runtime library into .cache/

$(ORT_LIB):
	infra/scripts/fetch-onnxruntime.sh "$(ORT_VERSION)" "$@"

.PHONY: deps-go deps-python
deps-go:
	$(GO) mod download

deps-python:
	$(PYTHON) -m pip install --quiet -r models/requirements.txt

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
