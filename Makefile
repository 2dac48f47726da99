# weir — see README.md. `make run` and `make test` are the two set-up commands.

GO       ?= go
BIN      := bin/weir
PKGS     := ./...
# Packages whose datadriven golden files `make golden` rewrites with -rewrite.
GOLDEN   := ./parser ./planner ./planner/mql ./connectors/registry ./exec ./cmd/weir

.PHONY: all build run demo test bench golden lint fmt-check vet docs fuzz clean

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

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

lint: fmt-check vet

# go test benchmarks with allocation counts, then whole-process events/s of
# weir beside the hand-written consumer and the parse-only floor, one run.
bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)
	$(GO) run ./cmd/weirbench -n 200000

# Rewrites every datadriven golden file and generated doc; review the diff.
golden:
	$(GO) test -count=1 $(GOLDEN) -rewrite

docs:
	$(GO) run ./cmd/weir docs -w docs

fuzz:
	$(GO) test ./parser -run '^$$' -fuzz FuzzParse -fuzztime 60s -fuzzminimizetime 5s
	$(GO) test ./planner/mql -run '^$$' -fuzz FuzzParseExpr -fuzztime 60s -fuzzminimizetime 5s
	$(GO) test ./planner/mql -run '^$$' -fuzz FuzzDecode -fuzztime 60s -fuzzminimizetime 5s

clean:
	rm -rf bin
