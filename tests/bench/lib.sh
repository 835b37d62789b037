# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2034
# Shared helpers of the secrets benchmarks (secrets-*.sh): paths, a private
# work directory, the vigil binary, and commands timed with /usr/bin/time.
# Source it after `set -u`. The benchmarks are measurements, not tests: they
# print what they measured and whether each target was met, and exit 0 even
# when one was missed (2 only when something could not be measured at all).

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_DIR=${BENCH_DIR:-/var/tmp/vigil-bench}
CORPUS="python3 $SRCDIR/tests/bench/corpus.py"
STAMP=$(date -u +%Y-%m-%dT%H:%M:%SZ)
mkdir -p "$BENCH_DIR/results" || exit 2
WORK=$(mktemp -d "${TMPDIR:-/tmp}/vigil-bench-XXXXXX") || exit 2
bench_cleanup() {
	rm -rf "$WORK"
}
trap bench_cleanup EXIT
trap 'exit 2' INT TERM HUP

say() {
	printf '%s\n' "$*" >&2
}

die() {
	say "error: $*"
	exit 2
}

# The report goes to standard output and to $BENCH_DIR/results/NAME-STAMP.txt.
REPORT=
report_open() { # name
	REPORT=$BENCH_DIR/results/$1-$(date -u +%Y%m%dT%H%M%SZ).txt
	: >"$REPORT"
}

out() {
	printf '%s\n' "$*" | tee -a "$REPORT"
}

need() { # command [package]
	command -v "$1" >/dev/null 2>&1 || die "$1 is needed${2:+ (package $2)}"
}

need python3
[ -x /usr/bin/time ] || die "GNU time (/usr/bin/time, package time) is needed"

# The vigil under test: $VIGIL, or an optimized build in $SRCDIR/build-bench.
vigil_binary() {
	if [ -n "${VIGIL:-}" ]; then
		[ -x "$VIGIL" ] || die "VIGIL=$VIGIL is not executable"
		return 0
	fi
	VIGIL=$SRCDIR/build-bench/vigil
	if [ ! -f "$SRCDIR/build-bench/build.ninja" ]; then
		say "building an optimized vigil in $SRCDIR/build-bench ..."
		# warnings are the test suite's business, not the benchmark's
		meson setup "$SRCDIR/build-bench" "$SRCDIR" --buildtype=release -Dwerror=false \
			>"$WORK/build.log" 2>&1 || { tail -20 "$WORK/build.log" >&2; die "meson setup failed"; }
	fi
	ninja -C "$SRCDIR/build-bench" vigil >>"$WORK/build.log" 2>&1 ||
		{ tail -20 "$WORK/build.log" >&2; die "building vigil failed"; }
}

# Machine context: the targets are for an otherwise idle 2-core machine.
machine_note() {
	out "date: $STAMP; host: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' \
		/proc/meminfo); load average before: $(cut -d' ' -f1-3 /proc/loadavg);" \
		"measured at nice ${BENCH_NICE:-0}"
}

# The machines these run on may be shared. As root, every measured command
# (vigil and its peers alike) runs in a session of its own at nice -20
# (BENCH_NICE): Linux schedules sessions (autogroups) fairly against each
# other, so a plain nice would not help against another session's load, while
# a session's own autogroup nice does. Wall times then come close to an idle
# machine's. BENCH_NICE= turns this off.
if [ "$(id -u)" = 0 ]; then
	BENCH_NICE=${BENCH_NICE--20}
else
	BENCH_NICE=${BENCH_NICE-}
fi
NICE=()
if [ -n "$BENCH_NICE" ]; then
	# shellcheck disable=SC2016
	NICE=(setsid -w sh -c 'echo "$0" >/proc/self/autogroup 2>/dev/null; exec nice -n "$0" "$@"'
		"$BENCH_NICE")
fi

# timed NAME STDOUT-FILE command...: runs the command under /usr/bin/time;
# sets T_WALL (s, from the shell's microsecond clock), T_CPU (user + system,
# s, 10 ms resolution), T_RSS (peak, KB), T_RC.
timed() {
	local name=$1 so=$2 u s w t0 t1
	shift 2
	t0=$EPOCHREALTIME
	"${NICE[@]}" /usr/bin/time -f '%e %U %S %M %x' -o "$WORK/time.$name" "$@" >"$so" \
		2>"$WORK/err.$name"
	t1=$EPOCHREALTIME
	# a non-zero exit or a signal adds a line before the format's
	read -r w u s T_RSS T_RC < <(tail -1 "$WORK/time.$name")
	T_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
	T_CPU=$(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.2f", u + s}')
	if grep -q "terminated by signal" "$WORK/time.$name"; then
		T_RC=$((128 + $(head -1 "$WORK/time.$name" | awk '{print $NF}')))
	fi
}

# best_of N NAME STDOUT-FILE command...: the fastest of N runs; sets B_WALL,
# B_CPU (of that run), B_RSS (highest of all runs), B_WALLS (all), B_RC.
best_of() {
	local n=$1 name=$2 so=$3
	shift 3
	B_WALL='' B_CPU='' B_RSS=0 B_WALLS='' B_RC=''
	for _ in $(seq "$n"); do
		timed "$name" "$so" "$@"
		B_WALLS="$B_WALLS $T_WALL"
		if [ -z "$B_WALL" ] || awk -v a="$T_WALL" -v b="$B_WALL" 'BEGIN {exit !(a < b)}'; then
			B_WALL=$T_WALL
			B_CPU=$T_CPU
		fi
		[ "$T_RSS" -gt "$B_RSS" ] && B_RSS=$T_RSS
		B_RC=$T_RC
	done
}

# median_of N NAME STDOUT-FILE command...: sets M_WALL (median), M_MIN,
# M_MAX, M_CPU (median), M_RSS (highest), M_RC (last).
median_of() {
	local n=$1 name=$2 so=$3 walls='' cpus=''
	shift 3
	M_RSS=0
	for _ in $(seq "$n"); do
		timed "$name" "$so" "$@"
		walls="$walls $T_WALL"
		cpus="$cpus $T_CPU"
		[ "$T_RSS" -gt "$M_RSS" ] && M_RSS=$T_RSS
		M_RC=$T_RC
	done
	read -r M_WALL M_MIN M_MAX <<EOF
$(printf '%s\n' $walls | sort -g | awk '{v[NR] = $1} END {
	m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	printf "%.3f %.3f %.3f", m, v[1], v[NR]}')
EOF
	M_CPU=$(printf '%s\n' $cpus | sort -g | awk '{v[NR] = $1} END {
		printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')
}

# calc EXPR: floating-point arithmetic with awk.
calc() {
	awk "BEGIN {printf \"%.2f\", $1}"
}

# verdict VALUE OP TARGET: "met" or "MISSED" (OP is <=, <, >=, >).
verdict() {
	if awk -v v="$1" -v t="$3" "BEGIN {exit !(v $2 t)}"; then
		printf 'met'
	else
		printf 'MISSED'
	fi
}

mb() { # KB -> MB
	calc "$1 / 1024"
}
