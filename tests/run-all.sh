#!/usr/bin/env bash
# run-all.sh - every test of hwpsim, in four phases (`make test` runs this
# after building; it does not build anything itself).
#
#   1. unit tests           build/unit-tests
#   2. scenario catalogue   build/hwpsim run scenarios
#   3. Valgrind memcheck of the runner over the whole catalogue
#   4. Valgrind memcheck of the unit tests (CK_FORK=no)
#
# Counting: phases 1 and 2 count what their program's last output line
# "N passed, N failed" says; each Valgrind phase counts as one test.  A
# program that dies, or exits non-zero while claiming no failure, or does not
# print that line, counts one more failure.  The last line of this script is
# always "N passed, N failed" with the totals; exit status 1 if anything
# failed.
#
# Environment: BUILD (default build) is the build directory to test.
#
# SANITIZERS=1 (`make test-asan`, BUILD=build/asan): the build is
# instrumented with ASan and UBSan, and Valgrind (which cannot run it) is
# left out.  Phases 3 and 4 become:
#   3. the unit tests in one process (CK_FORK=no), so LeakSanitizer sees
#      every test's allocations
#   4. no sanitizer report: every report of every phase - also from the
#      programs the unit tests spawn - goes to a file under
#      BUILD/test-logs/sanitizers/, and this phase passes only if there
#      is none (a report also fails the phase it came from)
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

BUILD=${BUILD:-build}
HWPSIM=$BUILD/hwpsim
UNIT=$BUILD/unit-tests
LOGDIR=$BUILD/test-logs
mkdir -p "$LOGDIR"

# shellcheck disable=SC2054  # the commas are inside option values
VALGRIND_OPTS=(
	--error-exitcode=99
	--leak-check=full
	--show-leak-kinds=definite,indirect,possible
	--errors-for-leak-kinds=definite,indirect,possible
	--num-callers=30
)
# GLib's own suppressions (one-time type-system and thread allocations).
[[ -f /usr/share/glib-2.0/valgrind/glib.supp ]] &&
	VALGRIND_OPTS+=(--suppressions=/usr/share/glib-2.0/valgrind/glib.supp)
# The project's, if it ever needs any.
[[ -f tests/valgrind.supp ]] && VALGRIND_OPTS+=(--suppressions=tests/valgrind.supp)

total_pass=0
total_fail=0
summary=()

now_ms() { date +%s%3N; }
elapsed() { # start_ms -> "1.234 s"
	local ms=$(($(now_ms) - $1))
	printf '%d.%03d s' $((ms / 1000)) $((ms % 1000))
}

header() { # n title
	echo
	echo "==> [$1/4] $2"
}

result() { # name pass fail status-word detail start_ms
	local line
	line=$(printf '%s: %s (%d passed, %d failed) in %s%s' \
		"$1" "$4" "$2" "$3" "$(elapsed "$6")" "${5:+ - $5}")
	echo "--> $line"
	summary+=("$line")
	total_pass=$((total_pass + $2))
	total_fail=$((total_fail + $3))
}

# run_counted NAME LOG CMD...: run a program whose last stdout line is
# "N passed, N failed"; show its output as it comes, count what it says.
run_counted() {
	local name=$1 log=$2 start rc last p=0 f=0 note=
	shift 2
	start=$(now_ms)
	if [[ ! -x $1 ]]; then
		echo "$1: not built"
		result "$name" 0 1 FAIL "$1 missing" "$start"
		return
	fi
	# stdout through tee (to find the last line), stderr straight through.
	{ "$@" 2>&3 | tee "$log"; } 3>&2
	rc=${PIPESTATUS[0]}
	last=$(tail -n 1 "$log")
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		p=${BASH_REMATCH[1]}
		f=${BASH_REMATCH[2]}
		if ((rc != 0 && f == 0)); then
			f=1
			note="exit status $rc"
		elif ((rc == 0 && f != 0)); then
			note="exit status 0 despite failures"
		fi
	else
		f=1
		note="exit status $rc, no \"N passed, N failed\" line"
	fi
	if ((rc > 128)); then
		note="killed by signal $((rc - 128))"
	fi
	if ((f == 0)); then
		result "$name" "$p" "$f" PASS "$note" "$start"
	else
		result "$name" "$p" "$f" FAIL "$note" "$start"
	fi
}

# show_valgrind_errors LOG: the error reports of a memcheck log, without
# its preamble and the clean parts of the heap summary, at most 300 lines.
show_valgrind_errors() {
	local log=$1
	echo "---- from $log:"
	awk '
		# Valgrind separates its reports with an empty "==PID== " line.
		/^==[0-9]+==[ ]*$/ { flush(); next }
		{ block = block $0 "\n"; if (first == "") first = $0 }
		function flush() {
			if (block != "" && first !~ /Memcheck, a memory error detector|Copyright|Using Valgrind|Command:|HEAP SUMMARY|in use at exit|total heap usage|All heap blocks were freed|For lists of detected|For counts of detected|Rerun with|To see them|still reachable|suppressed:/)
				printf "%s", block
			block = ""; first = ""
		}
		END { flush() }
	' "$log" | head -n 300
	grep -E 'ERROR SUMMARY' "$log" | tail -n 1
	echo "---- (full log: $log)"
}

# run_valgrind NAME VGLOG OUTLOG CMD...: one test - memcheck is clean and
# the program did not die.  Its own test results are shown, not counted
# (phases 1 and 2 count them).
run_valgrind() {
	local name=$1 vglog=$2 out=$3 start rc ok=1 note=
	shift 3
	start=$(now_ms)
	if ! command -v valgrind >/dev/null; then
		echo "valgrind is not installed (make deps)"
		result "$name" 0 1 FAIL "no valgrind" "$start"
		return
	fi
	if [[ ! -x $1 ]]; then
		echo "$1: not built"
		result "$name" 0 1 FAIL "$1 missing" "$start"
		return
	fi
	# G_SLICE/G_DEBUG: plain malloc and cleared pointers in GLib, so leaks
	# are reported exactly.
	{ G_SLICE=always-malloc G_DEBUG=gc-friendly \
		valgrind "${VALGRIND_OPTS[@]}" --log-file="$vglog" "$@" 2>&3 | tee "$out"; } 3>&2
	rc=${PIPESTATUS[0]}
	if ((rc == 99)) || grep -qE 'ERROR SUMMARY: [1-9]' "$vglog" 2>/dev/null; then
		ok=0
		note="memcheck errors"
		show_valgrind_errors "$vglog"
	elif ((rc > 128)); then
		ok=0
		note="killed by signal $((rc - 128))"
		show_valgrind_errors "$vglog"
	elif ! grep -q 'ERROR SUMMARY' "$vglog" 2>/dev/null; then
		ok=0
		note="valgrind did not finish (exit status $rc)"
		tail -n 40 "$vglog" 2>/dev/null
	elif ((rc != 0)); then
		note="memcheck clean; the program itself exited $rc"
	fi
	if ((ok)); then
		result "$name" 1 0 PASS "$note" "$start"
	else
		result "$name" 0 1 FAIL "$note" "$start"
	fi
}

# run_sanitized NAME OUTLOG CMD...: one test - the program exits 0 and
# prints "N passed, 0 failed"; its own results are shown, not counted.
run_sanitized() {
	local name=$1 out=$2 start rc ok=1 note=
	shift 2
	start=$(now_ms)
	if [[ ! -x $1 ]]; then
		echo "$1: not built"
		result "$name" 0 1 FAIL "$1 missing" "$start"
		return
	fi
	{ "$@" 2>&3 | tee "$out"; } 3>&2
	rc=${PIPESTATUS[0]}
	if ((rc > 128)); then
		ok=0
		note="killed by signal $((rc - 128))"
	elif ((rc != 0)); then
		ok=0
		note="exit status $rc"
	elif ! tail -n 1 "$out" | grep -qE '^[0-9]+ passed, 0 failed$'; then
		ok=0
		note="no \"N passed, 0 failed\" line"
	fi
	if ((ok)); then
		result "$name" 1 0 PASS "$note" "$start"
	else
		result "$name" 0 1 FAIL "$note" "$start"
	fi
}

# sanitizer_reports NAME: one test - no report file was written.
sanitizer_reports() {
	local name=$1 start files
	start=$(now_ms)
	mapfile -t files < <(find "$SANDIR" -type f 2>/dev/null | sort)
	if ((${#files[@]} == 0)); then
		echo "no sanitizer reports"
		result "$name" 1 0 PASS "" "$start"
		return
	fi
	for f in "${files[@]}"; do
		echo "---- $f:"
		head -n 80 "$f"
	done
	result "$name" 0 1 FAIL "${#files[@]} report file(s) in $SANDIR" "$start"
}

# The summary and the last line; exits 1 if anything failed.
finish() {
	echo
	echo "==> summary ($(elapsed "$all_start"))"
	for line in "${summary[@]}"; do
		echo "  $line"
	done
	echo "$total_pass passed, $total_fail failed"
	((total_fail == 0))
	exit
}

all_start=$(now_ms)

if [[ ${SANITIZERS:-0} == 1 ]]; then
	SANDIR=$LOGDIR/sanitizers
	rm -rf "$SANDIR"
	mkdir -p "$SANDIR"
	# Reports go to files (log_path appends .PID), for phase 4 to find.
	# GLib's slice allocator would hide leaks and overflows from ASan.
	export ASAN_OPTIONS="log_path=$PWD/$SANDIR/asan:detect_leaks=1:detect_stack_use_after_return=0:strict_string_checks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
	export UBSAN_OPTIONS="log_path=$PWD/$SANDIR/ubsan:print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
	export LSAN_OPTIONS="log_path=$PWD/$SANDIR/lsan${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
	export G_SLICE=always-malloc G_DEBUG=gc-friendly

	header 1 "unit tests (ASan+UBSan): $UNIT"
	run_counted "unit tests" "$LOGDIR/unit.out" "$UNIT"

	header 2 "scenario catalogue (ASan+UBSan): $HWPSIM run scenarios"
	run_counted "scenario catalogue" "$LOGDIR/scenarios.out" "$HWPSIM" run scenarios

	header 3 "unit tests in one process (ASan+UBSan, CK_FORK=no): $UNIT"
	CK_FORK=no run_sanitized "unit tests, one process" \
		"$LOGDIR/unit-nofork.out" "$UNIT"

	header 4 "sanitizer reports of phases 1-3"
	sanitizer_reports "sanitizer reports"

	finish
fi

header 1 "unit tests: $UNIT"
run_counted "unit tests" "$LOGDIR/unit.out" "$UNIT"

header 2 "scenario catalogue: $HWPSIM run scenarios"
run_counted "scenario catalogue" "$LOGDIR/scenarios.out" "$HWPSIM" run scenarios
catalogue_last=$(tail -n 1 "$LOGDIR/scenarios.out" 2>/dev/null)

header 3 "valgrind memcheck: $HWPSIM run scenarios"
run_valgrind "valgrind catalogue" "$BUILD/valgrind-scenarios.log" \
	"$LOGDIR/valgrind-scenarios.out" "$HWPSIM" run scenarios
vg_last=$(tail -n 1 "$LOGDIR/valgrind-scenarios.out" 2>/dev/null)
# The simulator is deterministic: under Valgrind it must reach the same
# outcome.  Worth a look if not, but it is phase 2 that counts outcomes.
if [[ -n $catalogue_last && $vg_last != "$catalogue_last" ]]; then
	echo "note: under valgrind the catalogue said \"$vg_last\", not \"$catalogue_last\""
fi

header 4 "valgrind memcheck: $UNIT (CK_FORK=no)"
# HWPSIM_UNDER_VALGRIND lets tests that spawn the program skip themselves.
CK_FORK=no HWPSIM_UNDER_VALGRIND=1 \
	run_valgrind "valgrind unit tests" "$BUILD/valgrind-unit.log" \
	"$LOGDIR/valgrind-unit.out" "$UNIT"

finish
