# halab — build, test, benchmark.
GO      ?= go
PKGS    ?= ./...
# Root-only tests skip without root; HALAB_REQUIRE_ROOT=1 makes them fail instead.

.PHONY: all build test vet fmt-check unit fuzz bench bench-failover soak clean

all: build

build:
	$(GO) build -o bin/halab ./cmd/halab

# The whole suite: static checks, then every test (root tests need sudo).
test: fmt-check vet
	$(GO) test -count=1 -timeout 12m $(PKGS)

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# Tests that need no root and no network namespaces.
unit:
	$(GO) test -count=1 -short $(PKGS)

# Every fuzz target (func FuzzXxx in a *_test.go), one at a time, FUZZTIME
# each: `make fuzz FUZZTIME=5m`. FUZZPARALLEL workers per target (1 keeps a
# shared machine usable), FUZZTARGETS an optional regexp on "./pkg FuzzXxx".
# A failing input is left in the package's testdata/fuzz/: fix the bug and
# commit it as a regression. Seeds from ../shared (or $$HALAB_SHARED) are
# used when it is there.
FUZZTIME         ?= 20s
FUZZPARALLEL     ?= 1
FUZZMINIMIZETIME ?= 2s
FUZZTARGETS      ?= .
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) FUZZPARALLEL=$(FUZZPARALLEL) FUZZMINIMIZETIME=$(FUZZMINIMIZETIME) \
	FUZZTARGETS='$(FUZZTARGETS)' ./scripts/fuzz.sh

# Benchmarks side by side with the reference programs (root).
bench-failover:
	$(GO) test -run '^$$' -bench FailoverDrills -benchtime 1x -count 1 -timeout 30m -v ./bench/

bench:
	$(GO) test -run '^$$' -bench 'LabLifecycle|FailoverPowerOff|ProxyThroughVIP|DashboardIdleCPU' -benchtime 1x -count 1 -timeout 20m ./bench/
	$(GO) test -run '^$$' -bench View -benchmem ./ui/

# Every built-in drill for the seed lab, round after round on one seed lab
# for SOAK (a Go duration: SOAK=2m), then whether every run passed and fds,
# goroutines, RSS and namespaces stayed flat (root; internal/soak).
SOAK    ?= 30m
soak: build
	$(GO) build -o bin/halab-soak ./internal/soak/cmd/soak
	bin/halab-soak -duration $(SOAK) -halab bin/halab -reports bin/soak-reports

clean:
	rm -rf bin
