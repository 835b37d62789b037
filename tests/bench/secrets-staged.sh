#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Pre-commit benchmark of the secrets engine (issue 3): `vigil scan --staged`
# in a repository of 10,000 files with about 1 MB of staged changes (new and
# edited files, secrets planted in them; one more secret only in the work
# tree and one already committed, neither of which may be reported). Median
# wall time of 10 runs, and, to explain it, the same for a scan of an empty
# directory (loading and compiling the default pack).
#
# Usage: tests/bench/secrets-staged.sh
# Environment:
#   VIGIL, BENCH_DIR as in secrets-tree.sh; RUNS (default 10)
#   FILES (default 10000), CHANGE_KB (default 1024)
#
# Target: median < 100 ms. Exits 0 when it measured.
set -u
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-10}
FILES_N=${FILES:-10000}
CHANGE_KB=${CHANGE_KB:-1024}
REPO=$BENCH_DIR/secrets-staged
MANIFEST=$BENCH_DIR/secrets-staged.manifest.json

need git git
vigil_binary
report_open secrets-staged

$CORPUS staged --repo "$REPO" --manifest "$MANIFEST" --files "$FILES_N" \
	--change-kb "$CHANGE_KB" || die "building the repository failed"
read -r SFILES SBYTES <<EOF
$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["staged_files"], m["staged_bytes"])' "$MANIFEST")
EOF
TRACKED=$(git -C "$REPO" ls-files | wc -l)
mkdir -p "$WORK/empty"

say "warming the page cache ..."
for _ in 1 2 3; do
	"$VIGIL" scan --staged --format json "$REPO" >/dev/null 2>&1
done

out "== secrets: staged changes (pre-commit) =="
machine_note
out "vigil: $VIGIL ($("$VIGIL" version 2>/dev/null)); $(git --version)"
out "repository: $REPO: $TRACKED files in the index; $SFILES staged files," \
	"$(calc "$SBYTES / 1024") KB of staged content"

median_of "$RUNS" vigil "$WORK/vigil.json" "$VIGIL" scan --staged --format json "$REPO"
[ "$M_RC" -le 1 ] || { cat "$WORK/err.vigil" >&2; die "vigil failed (exit $M_RC)"; }
MS=$(calc "$M_WALL * 1000")
out "vigil scan --staged --format json REPO: median ${MS} ms of $RUNS (min $(calc "$M_MIN * 1000")," \
	"max $(calc "$M_MAX * 1000") ms); CPU median $(calc "$M_CPU * 1000") ms;" \
	"peak RSS $(mb "$M_RSS") MB"
out "median < 100 ms: $(verdict "$MS" '<' 100)"

median_of "$RUNS" empty /dev/null "$VIGIL" scan --format json "$WORK/empty"
out "for comparison, vigil scan of an empty directory (the default pack loaded," \
	"nothing read): median $(calc "$M_WALL * 1000") ms, CPU $(calc "$M_CPU * 1000") ms"

out "-- planted staged secrets --"
$CORPUS grade-staged --manifest "$MANIFEST" --results "$WORK/vigil.json" | tee -a "$REPORT"
out "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
say "report: $REPORT"
exit 0
