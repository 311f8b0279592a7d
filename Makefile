# ordo's tasks. `make test` is what CI runs.
SHELL   := /bin/bash
GO      ?= go
BIN     := bin/ordo
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/ordo-ci/ordo/internal/cli.version=$(VERSION)

# Fuzz targets: package and function. `make test` runs each briefly, `make fuzz` longer.
FUZZ := \
	./internal/catalog:FuzzParse \
	./internal/catalog:FuzzFastParse \
	./internal/notify:FuzzDecode \
	./internal/events:FuzzParse \
	./internal/affected:FuzzIndex \
	./internal/change:FuzzReadEvent \
	./internal/change:FuzzParseFileList \
	./internal/git:FuzzParseNameStatus \
	./internal/render:FuzzIndent \
	./internal/release:FuzzParseMessage \
	./internal/gate:FuzzParseOverride \
	./internal/gate:FuzzLoadSpec \
	./internal/discover:FuzzGoMod \
	./internal/discover:FuzzPackageJSON \
	./internal/discover:FuzzCargoToml \
	./internal/discover:FuzzCompose \
	./internal/discover:FuzzNames \
	./internal/render/md:FuzzText \
	./internal/record:FuzzParseLines \
	./internal/verify:FuzzExpand \
	./internal/verify:FuzzSamples
# Counts, not seconds: time-based fuzzing (-fuzztime=3s) can hit a race in
# Go's fuzzing coordinator and fail a run for nothing.
FUZZTIME ?= 2000x

# Tools for lint-actions: a path in ORDO_ACTIONLINT / ORDO_SHELLCHECK, else PATH.
ACTIONLINT ?= $(or $(ORDO_ACTIONLINT),actionlint)
SHELLCHECK ?= $(or $(ORDO_SHELLCHECK),shellcheck)

.PHONY: help build test unit fuzz-short fuzz lint lint-actions workflow bench demo dist clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build bin/ordo
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/ordo

test: lint lint-actions unit fuzz-short ## vet, actionlint, unit, CLI and end-to-end tests, short fuzzing (what CI runs)

# The tests, with the race detector outside internal/e2e (which drives act and
# gitlab-ci-local and is slow enough already). internal/testsum prints what
# plain go test would, then one line per skipped test with its reason; with
# ORDO_REQUIRE_TOOLS=1 (.ci/run) a skipped test fails the run.
unit: ## the tests, with -race; lists every skipped test at the end
	@set -o pipefail; { \
		$(GO) test -count=1 -race -json $$($(GO) list ./... | grep -v '/internal/e2e$$'); \
		$(GO) test -count=1 -json ./internal/e2e/; \
	} | $(GO) run ./internal/testsum $(if $(filter 1,$(ORDO_REQUIRE_TOOLS)),-fail-on-skip)

fuzz-short:
	@for t in $(FUZZ); do \
		pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzz $$pkg $$fn ($(FUZZTIME))"; \
		$(GO) test -run='^$$' -fuzz="^$$fn$$" -fuzztime=$(FUZZTIME) $$pkg || exit 1; \
	done

fuzz: ## fuzz every parser longer (200,000 inputs each)
	$(MAKE) fuzz-short FUZZTIME=200000x

STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

lint: ## gofmt, go vet and staticcheck
	@out=$$(gofmt -l cmd internal); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

# actionlint reads an action's metadata only through a workflow that uses it
# (.github/workflows/actions.yml here; internal/e2e writes one that uses every
# action) and does not look into a composite action's steps, so the scripts
# they run are shellchecked here and internal/e2e checks the steps. Without
# actionlint this is skipped, unless ORDO_REQUIRE_TOOLS=1 (as in .ci/run).
lint-actions: ## actionlint and shellcheck over action.yml, actions/ and .github/
	@for t in $(ACTIONLINT) $(SHELLCHECK); do \
		if ! command -v $$t >/dev/null 2>&1; then \
			if [ "$$ORDO_REQUIRE_TOOLS" = 1 ]; then echo "lint-actions: $$t not found (see .ci/run for how to install it)"; exit 1; fi; \
			echo "lint-actions: skipped, $$t not found (see .ci/run for how to install it)"; exit 0; \
		fi; \
	done; \
	echo "actionlint .github/workflows (and the actions they use)"; \
	$(ACTIONLINT) -shellcheck=$(SHELLCHECK) && \
	echo "shellcheck actions/*/*.sh .github/scripts/*.sh .ci/run" && \
	$(SHELLCHECK) -x actions/*/*.sh .github/scripts/*.sh .ci/run

workflow: ## regenerate .github/workflows/ordo-release.yml (the reusable release workflow) from internal/workflow/release.yml.tmpl
	$(GO) generate ./internal/workflow

bench: ## benchmarks: affected against git diff (1,000 to 4,000 services, 20,000 files) and against Turborepo (1,000 packages; needs ORDO_NX_TURBO_DIR), catalog, plan, gate, release, board (100 × 500), verify (a 100-service wave), flags
	$(GO) test -run='^$$' -bench=BenchmarkAffected -benchmem -count=5 ./internal/cli ./internal/discover
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=3x ./internal/affected ./internal/plan ./internal/catalog ./internal/gate ./internal/release ./internal/board ./internal/verify ./internal/flags

demo: build ## ordo on the example monorepo: a change, its plan, then two releases through staging (no network)
	@$(GO) build -o bin/healthd ./examples/healthd
	@ORDO=$(BIN) HEALTHD=bin/healthd examples/shop/demo.sh

dist: ## release archives and checksums.txt in dist/ (VERSION=v1.2.3; PLATFORMS="linux/amd64 ..." for fewer)
	.github/scripts/dist.sh $(VERSION) $(PLATFORMS)

clean: ## remove build output
	rm -rf bin dist
