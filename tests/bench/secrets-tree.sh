#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Tree benchmark of the secrets engine (issue 3): vigil with the full default
# pack on >= 500 MB of real source text with planted secrets, against
# `rg -uuu -c` for a string that never occurs (the cost of reading the bytes)
# and against secretlint (npm) on the same tree: wall time, MB/s, peak RSS,
# recall and precision on the planted corpus.
#
# Usage: tests/bench/secrets-tree.sh
# Environment:
#   VIGIL        the vigil binary (default: an optimized build in build-bench/)
#   BENCH_DIR    corpus and peer cache, reused across runs (default /var/tmp/vigil-bench)
#   MIN_MB       tree size (default 500); RUNS timed runs, best kept (default 3)
#   JOBS         vigil --jobs (default 2)
#   NO_SECRETLINT=1 skip secretlint; SECRETLINT_TIMEOUT seconds (default 1800)
#
# Targets: vigil/rg wall-time ratio <= 3, peak RSS <= 100 MB, vigil >= 100x
# faster than secretlint. Exits 0 when it measured (targets met or not).
set -u
. "$(dirname "$0")/lib.sh"

MIN_MB=${MIN_MB:-500}
RUNS=${RUNS:-3}
JOBS=${JOBS:-2}
SECRETLINT_TIMEOUT=${SECRETLINT_TIMEOUT:-1800}
TREE=$BENCH_DIR/secrets-tree
MANIFEST=$BENCH_DIR/secrets-tree.manifest.json
NEVER=STRING_THAT_NEVER_OCCURS_7f3a9c

need rg ripgrep
vigil_binary
report_open secrets-tree

$CORPUS tree --dest "$TREE" --manifest "$MANIFEST" --min-mb "$MIN_MB" || die "building the tree failed"
read -r FILES BYTES <<EOF
$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["files"], m["bytes"])' "$MANIFEST")
EOF
MBYTES=$(calc "$BYTES / 1e6")

say "warming the page cache ..."
rg -uuu -c "$NEVER" "$TREE" >/dev/null 2>&1
"$VIGIL" scan --format json --jobs "$JOBS" "$TREE" >/dev/null 2>&1

out "== secrets: tree scan =="
machine_note
out "vigil: $VIGIL ($("$VIGIL" version 2>/dev/null)); rg: $(rg --version 2>/dev/null | head -1)"
out "tree: $TREE: $FILES files, $MBYTES MB (copies of /usr/include and the Python library"
out "      with planted secrets and decoys; see tests/bench/README.md)"

best_of "$RUNS" vigil "$WORK/vigil.json" "$VIGIL" scan --format json --jobs "$JOBS" "$TREE"
[ "$B_RC" -le 1 ] || { cat "$WORK/err.vigil" >&2; die "vigil failed (exit $B_RC)"; }
V_WALL=$B_WALL V_CPU=$B_CPU V_RSS=$B_RSS
out "vigil scan --format json --jobs $JOBS TREE: best ${V_WALL} s of$B_WALLS s;" \
	"CPU ${V_CPU} s; $(calc "$MBYTES / $V_WALL") MB/s; peak RSS $(mb "$V_RSS") MB"

best_of "$RUNS" rg /dev/null rg -uuu -c "$NEVER" "$TREE"
R_WALL=$B_WALL
out "rg -uuu -c $NEVER TREE: best ${R_WALL} s of$B_WALLS s; CPU ${B_CPU} s;" \
	"$(calc "$MBYTES / $R_WALL") MB/s; peak RSS $(mb "$B_RSS") MB"

RATIO=$(calc "$V_WALL / $R_WALL")
out "ratio vigil/rg: $RATIO (target <= 3): $(verdict "$RATIO" '<=' 3)"
out "peak RSS: $(mb "$V_RSS") MB (target <= 100 MB): $(verdict "$(mb "$V_RSS")" '<=' 100)"

out "-- planted corpus (a finding is true when it lies on a planted secret's lines) --"
$CORPUS grade --manifest "$MANIFEST" --results "$WORK/vigil.json" --json "$WORK/grade.json" |
	tee -a "$REPORT"

if [ -n "${NO_SECRETLINT:-}" ]; then
	out "secretlint: skipped (NO_SECRETLINT)"
elif ! command -v npm >/dev/null 2>&1; then
	out "secretlint: skipped (npm is missing)"
else
	SL=$BENCH_DIR/secretlint
	if [ ! -x "$SL/node_modules/.bin/secretlint" ]; then
		say "npm install secretlint into $SL ..."
		mkdir -p "$SL"
		(cd "$SL" && timeout 900 npm install --no-audit --no-fund --loglevel=error \
			secretlint @secretlint/secretlint-rule-preset-recommend) >"$WORK/npm.log" 2>&1 ||
			{ tail -5 "$WORK/npm.log" >&2; }
	fi
	if [ -x "$SL/node_modules/.bin/secretlint" ]; then
		echo '{"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]}' \
			>"$SL/secretlintrc.json"
		SLV=$("$SL/node_modules/.bin/secretlint" --version 2>/dev/null)
		say "secretlint $SLV on the tree (timeout ${SECRETLINT_TIMEOUT} s) ..."
		# its JSON carries every file's text: written to the work directory, not kept
		cd "$TREE" || die "cannot enter $TREE"
		timed secretlint "$WORK/secretlint.json" timeout "$SECRETLINT_TIMEOUT" \
			"$SL/node_modules/.bin/secretlint" "**/*" --format json \
			--secretlintrc "$SL/secretlintrc.json"
		cd - >/dev/null || exit 2
		if [ "$T_RC" = 124 ]; then
			out "secretlint $SLV: stopped after ${SECRETLINT_TIMEOUT} s (CPU ${T_CPU} s)," \
				"peak RSS $(mb "$T_RSS") MB; vigil is at least" \
				"$(calc "$SECRETLINT_TIMEOUT / $V_WALL")x faster (target >= 100x):" \
				"$(verdict "$(calc "$SECRETLINT_TIMEOUT / $V_WALL")" '>=' 100)"
		elif [ "$T_RC" -le 1 ]; then
			out "secretlint $SLV \"**/*\" --format json: ${T_WALL} s, CPU ${T_CPU} s," \
				"peak RSS $(mb "$T_RSS") MB; vigil is $(calc "$T_WALL / $V_WALL")x faster" \
				"(target >= 100x): $(verdict "$(calc "$T_WALL / $V_WALL")" '>=' 100)"
		else
			out "secretlint $SLV failed after ${T_WALL} s (exit $T_RC): $(tail -c 300 \
				"$WORK/err.secretlint" | tr '\n' ' ')"
			out "  vigil is at least $(calc "$T_WALL / $V_WALL")x faster than that failed run"
		fi
	else
		out "secretlint: skipped (npm install failed)"
	fi
fi
out "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
say "report: $REPORT"
exit 0
