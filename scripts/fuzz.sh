#!/usr/bin/env bash
# Runs every native Go fuzz target of the repository, one at a time, for
# FUZZTIME each, and prints a line per target and a summary. Targets are
# found by grepping `func FuzzXxx(` in *_test.go files, so a new one is
# picked up without editing anything.
#
# Environment (the Makefile's `make fuzz` sets them):
#   FUZZTIME          how long each target runs (go test -fuzztime), default 20s
#   FUZZPARALLEL      fuzzing workers per target (-parallel), default 1
#   FUZZMINIMIZETIME  time to minimise each new input (-fuzzminimizetime),
#                     default 2s: Go's 60 s would eat short runs
#   FUZZTARGETS       an extended regexp: only targets whose "pkg FuzzName"
#                     matches run (default: all)
#   GO                the go command, default go
#
# A failing target leaves its input in the package's testdata/fuzz/FuzzXxx/
# (as go test writes it): fix the bug and commit the file as a regression.
# Exit status: 0 when every target passed, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
FUZZTIME=${FUZZTIME:-20s}
FUZZPARALLEL=${FUZZPARALLEL:-1}
FUZZMINIMIZETIME=${FUZZMINIMIZETIME:-2s}
FUZZTARGETS=${FUZZTARGETS:-.}

# "./pkg FuzzName" per target, sorted.
targets=$(grep -rHoE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(' . |
	grep -v '/testdata/' |
	sed -E 's|^(.*)/[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]*)\($|\1 \2|' |
	grep -E -- "$FUZZTARGETS" | sort -u)
if [ -z "$targets" ]; then
	echo "fuzz: no fuzz target matches '$FUZZTARGETS'" >&2
	exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
total=0 passed=0 failed=()
while read -r pkg name; do
	total=$((total + 1))
	start=$SECONDS
	"$GO" test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINIMIZETIME" \
		-parallel "$FUZZPARALLEL" "$pkg" >"$log" 2>&1
	rc=$?
	# the last progress line: "fuzz: elapsed: 20s, execs: 123 (6/sec), new interesting: 4 (total: 9)"
	stats=$(grep -E '^fuzz: elapsed: .*execs: ' "$log" | tail -n 1 |
		sed -E 's/^fuzz: elapsed: [^,]*, execs: ([0-9]+) \([^)]*\), new interesting: ([0-9]+).*/\1 execs, \2 new interesting/')
	[ -n "$stats" ] || stats="no fuzzing progress reported"
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		printf 'ok    %-26s %-24s %s in %ds\n' "$name" "$pkg" "$stats" $((SECONDS - start))
	else
		failed+=("$pkg $name")
		printf 'FAIL  %-26s %-24s %s in %ds\n' "$name" "$pkg" "$stats" $((SECONDS - start))
		grep -vE '^fuzz: elapsed: ' "$log" | sed 's/^/      /'
	fi
done <<<"$targets"

echo "fuzz: $passed of $total targets passed (FUZZTIME=$FUZZTIME each)"
if [ ${#failed[@]} -gt 0 ]; then
	printf 'fuzz: failed: %s\n' "${failed[@]}"
	exit 1
fi
