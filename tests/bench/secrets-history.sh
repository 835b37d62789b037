#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# History benchmark of the secrets engine (issue 3): `vigil scan --git` over a
# generated repository of >= 5,000 commits (secrets added in some commits and
# removed later, a few only on unmerged branches), against the way most
# scanners read history: `git log -p --all` piped into ripgrep with the
# detectors' own regexes. Wall time, the ratio, and recall on the planted
# history secrets.
#
# Usage: tests/bench/secrets-history.sh
# Environment:
#   VIGIL, BENCH_DIR as in secrets-tree.sh; RUNS timed runs, best kept (default 3)
#   COMMITS (default 5000), FILES tracked text files (default 300)
#
# The peer is one rg invocation over the whole log with one pattern per
# detector (rg -f FILE), built from the default pack's own secret regexes by
# `corpus.py regexes`:
#   - primary: rg's default (Rust) engine, which has no look-around or
#     back-references, so those are removed from each regex (a superset, as
#     scanners built on such engines run) and named groups become plain;
#     detectors whose regex it still rejects are left out (the count is shown);
#   - reference: PCRE2 (rg -P) with the regexes unchanged but for unique group
#     names: all of them together exceed PCRE2's 64 KB compiled-pattern cap,
#     so it runs the longest prefix of the list that compiles as one.
# Target: vigil's wall time <= 0.5 x the primary peer's. Exits 0 when it
# measured.
set -u
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-3}
COMMITS=${COMMITS:-5000}
FILES_N=${FILES:-300}
REPO=$BENCH_DIR/secrets-history
MANIFEST=$BENCH_DIR/secrets-history.manifest.json

need rg ripgrep
need git git
vigil_binary
report_open secrets-history

$CORPUS history --repo "$REPO" --manifest "$MANIFEST" --commits "$COMMITS" --files "$FILES_N" ||
	die "building the repository failed"
$CORPUS regexes --rules "$SRCDIR/rules/secrets" --engine default --out "$WORK/re-rust.txt" \
	>"$WORK/re-rust.count" || die "extracting the regexes failed"
$CORPUS regexes --rules "$SRCDIR/rules/secrets" --engine pcre2 --fit --out "$WORK/re-pcre2.txt" \
	>"$WORK/re-pcre2.count" || die "extracting the regexes failed"

NCOMMITS=$(git -C "$REPO" rev-list --all --count)
LOGBYTES=$(git -C "$REPO" log -p --all | wc -c)
PACKBYTES=$(du -sb "$REPO/.git" | cut -f1)

say "warming the page cache ..."
git -C "$REPO" log -p --all >/dev/null
"$VIGIL" scan --git --format json "$REPO" >/dev/null 2>&1

out "== secrets: git history =="
machine_note
out "vigil: $VIGIL ($("$VIGIL" version 2>/dev/null)); $(git --version); rg: $(rg --version 2>/dev/null | head -1)"
out "repository: $REPO: $NCOMMITS commits, .git $(calc "$PACKBYTES / 1e6") MB;" \
	"git log -p --all prints $(calc "$LOGBYTES / 1e6") MB"

best_of "$RUNS" vigil "$WORK/vigil.json" "$VIGIL" scan --git --format json "$REPO"
[ "$B_RC" -le 1 ] || { cat "$WORK/err.vigil" >&2; die "vigil failed (exit $B_RC)"; }
V_WALL=$B_WALL
out "vigil scan --git --format json REPO: best ${V_WALL} s of$B_WALLS s; CPU ${B_CPU} s;" \
	"peak RSS $(mb "$B_RSS") MB"

export REPO WORK
best_of "$RUNS" peer "$WORK/peer.out" bash -c 'set -o pipefail; git -C "$REPO" log -p --all |
	rg --regex-size-limit 1G --dfa-size-limit 1G -c -f "$WORK/re-rust.txt"'
P_WALL=$B_WALL
[ "$B_RC" -le 1 ] || out "note: the peer exited $B_RC: $(head -c 300 "$WORK/err.peer")"
out "git log -p --all | rg -c -f REGEXES (Rust engine, $(cat "$WORK/re-rust.count")," \
	"look-around removed): best ${P_WALL} s of$B_WALLS s; CPU ${B_CPU} s;" \
	"$(cat "$WORK/peer.out") matching lines"

best_of "$RUNS" pcre2 "$WORK/pcre2.out" bash -c 'set -o pipefail; git -C "$REPO" log -p --all |
	rg -P -c -f "$WORK/re-pcre2.txt"'
X_WALL=$B_WALL
[ "$B_RC" -le 1 ] || out "note: the PCRE2 peer exited $B_RC: $(head -c 300 "$WORK/err.pcre2")"
out "git log -p --all | rg -P -c -f REGEXES (PCRE2, $(cat "$WORK/re-pcre2.count") unchanged):" \
	"best ${X_WALL} s of$B_WALLS s; CPU ${B_CPU} s (reference; ratio $(calc "$V_WALL / $X_WALL"))"

best_of "$RUNS" gitlog /dev/null git -C "$REPO" log -p --all
out "git log -p --all alone: best ${B_WALL} s; CPU ${B_CPU} s (reference)"

RATIO=$(calc "$V_WALL / $P_WALL")
out "ratio vigil / (git log -p | rg): $RATIO (target <= 0.5): $(verdict "$RATIO" '<=' 0.5)"
out "-- planted history secrets --"
$CORPUS grade-history --manifest "$MANIFEST" --results "$WORK/vigil.json" | tee -a "$REPORT"
out "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
say "report: $REPORT"
exit 0
