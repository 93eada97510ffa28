# Sandbank's tasks. `make run` and `make test` are the two commands the
# README promises work on a fresh machine: they install what they need.

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

SDK_DIR  := emulator/fintecture/testdata/sdk
JOSE_DIR := emulator/instance/testdata/jose

.PHONY: run build test deps browser node bench tidy

## run: start Sandbank on 127.0.0.1:7070 with ./sandbank.db
run:
	$(GO) run -ldflags "$(LDFLAGS)" ./cmd/sandbank

## build: the static binary the Dockerfile builds, in bin/
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/sandbank ./cmd/sandbank

## deps: Go modules, Debian's chromium for the browser tests, and Node.js
## with the pinned npm packages (Fintecture's own client for the SDK tests,
## jose for the independent check of FinqLink webhook signatures)
deps: browser node
	$(GO) mod download

browser:
	@if command -v chromium >/dev/null 2>&1; then exit 0; fi; \
	echo "installing Debian's chromium for the browser tests"; \
	SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null

node:
	@if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then \
	echo "installing Debian's nodejs and npm for the SDK tests"; \
	SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; fi
	cd $(SDK_DIR) && npm ci --no-audit --no-fund --loglevel=error
	cd $(JOSE_DIR) && npm ci --no-audit --no-fund --loglevel=error

## test: the whole suite (vet, unit, HTTP, browser tests)
test: deps
	$(GO) vet ./...
	CGO_ENABLED=0 $(GO) build ./...
	$(GO) test -count=1 -timeout 20m ./...

## bench: throughput/latency vs a bare handler, start-up time, idle RSS
bench:
	$(GO) run ./cmd/sandbank-bench
