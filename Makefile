# weir — see README.md. `make run` and `make test` are the two set-up commands.

GO       ?= go
# Build tags that leave out code weir never runs, so a first build on a
# fresh machine compiles less: FerretDB's PostgreSQL backend (the
# playground runs its SQLite one) and Arrow's goccy/go-json (weir decodes
# JSON itself). Every target uses the same tags, so `make test` and
# `make run` share the build cache.
TAGS     := ferretdb_no_postgresql arrow_json_stdlib
GOFLAGS  += -tags=$(subst $(space),$(comma),$(TAGS))
export GOFLAGS
space    := $(subst ,, )
comma    := ,
BIN      := bin/weir
PKGS     := ./...
# Packages whose datadriven golden files `make golden` rewrites with -rewrite.
GOLDEN   := ./parser ./planner ./planner/mql ./connectors/registry ./exec ./cmd/weir

.PHONY: all build run demo test soak bench golden lint fmt-check vet docs fuzz clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/weir

# The main job on an embedded default: the playground — an embedded Kafka
# broker and MongoDB-wire server, a data generator, the seeds' two pipelines
# running as stream processors, and the PostgreSQL endpoint on 127.0.0.1:7432.
run: build
	./$(BIN) playground

# The seeds' pipelines over the example files in examples/, printed.
demo: build
	./$(BIN) demo

test: fmt-check vet
	$(GO) test -count=1 -timeout 10m $(PKGS)

# The long soak, kept out of `make test`: kfake, a producer, three
# processors through the engine with restarts every 25s, then the outputs,
# DLQ, heap and goroutines checked (exec/soak_test.go). WEIR_SOAK=10m make soak.
# Set for the soak target only: make test must not run it.
WEIR_SOAK ?= 2m
soak:
	WEIR_SOAK=$(WEIR_SOAK) $(GO) test -count=1 -run TestSoak -timeout 0 ./exec

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

lint: fmt-check vet

# go test benchmarks with allocation counts, then whole-process events/s of
# weir beside the hand-written consumer and the parse-only floor, one run:
# the orders query, then the Nexmark queries q0, q1, q2, q5 and q7 on one
# core (docs/benchmarks.md).
bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)
	$(GO) run ./cmd/weirbench -n 200000 -nexmark 500000

# Rewrites every datadriven golden file and generated doc; review the diff.
golden:
	$(GO) test -count=1 $(GOLDEN) -rewrite

docs:
	$(GO) run ./cmd/weir docs -w docs

# Every fuzz target for FUZZTIME each (default a minute; `make fuzz FUZZTIME=10m`
# for a longer hunt). `go test` runs each target's seeds and saved failures.
FUZZTIME ?= 60s
FUZZ := ./parser:FuzzParse ./planner:FuzzPlan ./planner/mql:FuzzParseExpr ./planner/mql:FuzzDecode \
	./exec:FuzzDecoder ./exec:FuzzColSafeExtJSON ./exec:FuzzColLine ./pgwire:FuzzCatalogSQL
fuzz:
	@set -e; for t in $(FUZZ); do \
	  pkg=$${t%%:*}; name=$${t##*:}; echo "== $$name ($$pkg)"; \
	  $(GO) test $$pkg -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s; \
	done

clean:
	rm -rf bin
