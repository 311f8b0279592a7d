# ordo's tasks. `make test` is what CI runs.
GO      ?= go
BIN     := bin/ordo
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/ordo-ci/ordo/internal/cli.version=$(VERSION)

# Fuzz targets: package and function. `make test` runs each briefly, `make fuzz` longer.
FUZZ := \
	./internal/catalog:FuzzParse \
	./internal/affected:FuzzIndex \
	./internal/change:FuzzReadEvent \
	./internal/change:FuzzParseFileList \
	./internal/git:FuzzParseNameStatus \
	./internal/release:FuzzParseMessage \
	./internal/gate:FuzzParseOverride \
	./internal/gate:FuzzLoadSpec
FUZZTIME ?= 3s

.PHONY: help build test unit fuzz-short fuzz lint bench demo clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build bin/ordo
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/ordo

test: lint unit fuzz-short ## vet, unit and CLI tests, short fuzzing (what CI runs)

unit: ## the tests
	$(GO) test -count=1 ./...

fuzz-short:
	@for t in $(FUZZ); do \
		pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzz $$pkg $$fn ($(FUZZTIME))"; \
		$(GO) test -run='^$$' -fuzz="^$$fn$$" -fuzztime=$(FUZZTIME) $$pkg || exit 1; \
	done

fuzz: ## fuzz every parser for a minute each
	$(MAKE) fuzz-short FUZZTIME=60s

lint: ## go vet and gofmt
	@out=$$(gofmt -l cmd internal); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

bench: ## benchmarks: affected against git diff, plan (4,000 services, 20,000 files)
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=3x ./internal/cli ./internal/affected ./internal/plan

demo: build ## run ordo on the example monorepo with a sample change
	@ORDO=$(BIN) examples/shop/demo.sh

clean: ## remove build output
	rm -rf bin dist
