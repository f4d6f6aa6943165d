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
#
# go test -fuzz can end a run with a bare "context deadline exceeded" at
# the -fuzztime boundary and no failing input: a race in its fuzzing
# coordinator, not a finding. Such
# a run is retried once; if the race strikes again the target is reported
# as "race", not as a failure.
# Exit status: 0 when no target failed, 1 otherwise.
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

# fuzz_once runs one target into $log and returns go test's status.
fuzz_once() {
	"$GO" test -run '^$' -fuzz "^${2}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINIMIZETIME" \
		-parallel "$FUZZPARALLEL" "$1" >"$log" 2>&1
}

# deadline_race says whether the failure in $log is only Go's -fuzztime
# race: the failure's one message is "context deadline exceeded", and no
# input was written.
deadline_race() {
	! grep -q 'Failing input written' "$log" &&
		grep -A1 -E '^--- FAIL: Fuzz' "$log" | tail -n 1 | grep -qxE '[[:space:]]+context deadline exceeded' &&
		[ "$(grep -c -E '^[[:space:]]+--- FAIL' "$log")" -eq 0 ]
}

total=0 passed=0 raced=0 failed=()
while read -r pkg name; do
	total=$((total + 1))
	start=$SECONDS
	note=""
	fuzz_once "$pkg" "$name"
	rc=$?
	if [ "$rc" -ne 0 ] && deadline_race; then
		note=" (retried after Go's -fuzztime race)"
		fuzz_once "$pkg" "$name"
		rc=$?
		if [ "$rc" -ne 0 ] && deadline_race; then
			raced=$((raced + 1))
			printf 'race  %-26s %-24s Go'"'"'s -fuzztime race twice, no failing input\n' "$name" "$pkg"
			continue
		fi
	fi
	# the last progress line: "fuzz: elapsed: 20s, execs: 123 (6/sec), new interesting: 4 (total: 9)"
	stats=$(grep -E '^fuzz: elapsed: .*execs: ' "$log" | tail -n 1 |
		sed -E 's/^fuzz: elapsed: [^,]*, execs: ([0-9]+) \([^)]*\), new interesting: ([0-9]+).*/\1 execs, \2 new interesting/')
	[ -n "$stats" ] || stats="no fuzzing progress reported"
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		printf 'ok    %-26s %-24s %s in %ds%s\n' "$name" "$pkg" "$stats" $((SECONDS - start)) "$note"
	else
		failed+=("$pkg $name")
		printf 'FAIL  %-26s %-24s %s in %ds\n' "$name" "$pkg" "$stats" $((SECONDS - start))
		grep -vE '^fuzz: elapsed: ' "$log" | sed 's/^/      /'
	fi
done <<<"$targets"

summary="fuzz: $passed of $total targets passed (FUZZTIME=$FUZZTIME each)"
[ "$raced" -eq 0 ] || summary="$summary; $raced hit Go's -fuzztime race twice"
echo "$summary"
if [ ${#failed[@]} -gt 0 ]; then
	printf 'fuzz: failed: %s\n' "${failed[@]}"
	exit 1
fi
