#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Secrets in trees with the embedded detector pack: baselines, .gitignore and
# .git, inline markers, .vigilignore, redaction in every output format, and
# bad input (binary files, a huge single line, invalid UTF-8).
set -u
. "$(dirname "$0")/lib.sh"

cd "$WORK" || exit 2
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home" GIT_CONFIG_NOSYSTEM=1 LC_ALL=C
export GIT_AUTHOR_NAME=Alice GIT_AUTHOR_EMAIL=alice@example.com
export GIT_COMMITTER_NAME=Alice GIT_COMMITTER_EMAIL=alice@example.com
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
mkdir -p "$HOME"

# Tokens are put together at run time, so this file holds none a scanner flags.
tok() { printf 'glpat-%s' "$1"; }
T1=$(tok oHAa4MHCSzRaMWSItaw9)
T2=$(tok Zk3mQ8rT1vXy7PaLwE5n)
T3=$(tok Qw8eR5tY2uI9oP4aS7dF)
T4=$(tok Lm4nB7vC1xZ9kJ3hG6fD)
T5=$(tok Pq2wE8rT5yU1iO7pA3sD)

# Failing findings of JSON results on stdin: "path:line suppression", sorted.
fails() {
	json_q '["%s:%s %s" % (f["location"].get("path"), f["location"].get("line"),
	  f.get("suppression")) for f in d["findings"] if f["status"] == "fail"]' | sort
}

# Lines on stdin joined with single spaces.
oneline() {
	tr '\n' ' ' | sed 's/ $//'
}

# Reasons of the skipped entries of JSON results on stdin.
skips() {
	json_q '[s["reason"] for s in d["skipped"]]'
}

# ---- baselines: CI fails only on new secrets ----
mkdir base && cd base || exit 2
printf 'a=1\nTOKEN=%s\n' "$T1" >app.env
run baseline create -o b.json
assert_exit "baseline create: exit 0 even with a failure" 0
assert_contains "says how many failures it records" "$ERR" "records 1 failing finding"
assert_true "the baseline is valid JSON" json_valid <b.json
assert_true "the baseline holds no raw secret" bash -c "! grep -qF -- '$T1' b.json"
assert_true "nor its redaction-free tail" bash -c "! grep -qF -- '${T1#glpat-}' b.json"
run scan --baseline b.json
assert_exit "nothing new: exit 0" 0
printf 'K=%s\n' "$T2" >new.env
run scan --baseline b.json
assert_exit "a new secret besides the baselined one: exit 1" 1
assert_contains "the new one is named" "$OUT" "new.env:1"
assert_not_contains "the baselined one is not listed as a failure" \
	"$(printf '%s' "$OUT" | sed -n '/^Waived or suppressed/q;p')" "app.env"
run scan --baseline b.json --format json
assert_eq "JSON: the new one fails, the baselined one is suppressed" \
	"app.env:2 baseline new.env:1 none" "$(printf '%s' "$OUT" | fails | oneline)"
rm new.env
printf 'inserted=1\ninserted=2\ninserted=3\na=1\nTOKEN=%s\n' "$T1" >app.env
run scan --baseline b.json --format json
assert_exit "the baselined secret moved down three lines: still exit 0" 0
assert_eq "and still suppressed by the baseline, at its new line" "app.env:5 baseline" \
	"$(printf '%s' "$OUT" | fails)"
printf 'TOKEN=%s\n' "$T1" >other.env
run scan --baseline b.json
assert_exit "the same secret in another file is a new finding" 1
rm other.env
printf '{"schema": "vigil-results", "findings": [' >bad.json
run scan --baseline bad.json
assert_exit "a malformed baseline: exit 2" 2
assert_contains "a clear message naming it" "$ERR" "baseline bad.json"
printf '[]' >bad.json
run scan --baseline bad.json
assert_exit "a baseline that is not results: exit 2" 2
run scan --baseline missing.json
assert_exit "a missing baseline: exit 2" 2
assert_contains "names the missing file" "$ERR" "missing.json"
run baseline create
assert_exit "baseline create without -o: exit 2" 2
run baseline
assert_exit "baseline without a subcommand: exit 2" 2
cd "$WORK" || exit 2

# ---- .gitignore inside a git work tree; .git is never descended ----
if command -v git >/dev/null 2>&1; then
	mkdir wt && cd wt && git init -q . || exit 2
	printf 'ignored.env\nbuild/\n' >.gitignore
	printf 'K=%s\n' "$T1" >ignored.env
	mkdir build sub
	printf 'K=%s\n' "$T2" >build/out.env
	printf 'clean\n' >sub/tracked.txt
	printf 'K=%s\n' "$T3" >.git/leak.env
	printf 'K=%s\n' "$T3" >.git/config.bak
	cd "$WORK" || exit 2
	run scan wt --format json
	assert_exit "ignored files are not scanned in a git work tree" 0
	assert_eq "nothing found" "" "$(printf '%s' "$OUT" | fails)"
	run scan wt --no-ignore --format json
	assert_exit "--no-ignore scans them" 1
	assert_eq "both ignored secrets, nothing from .git" \
		"build/out.env:1 none ignored.env:1 none" "$(printf '%s' "$OUT" | fails | oneline)"
	run scan wt/sub
	assert_exit "a subdirectory of the work tree" 0
	run scan wt/ignored.env
	assert_exit "a file named on the command line is scanned even when ignored" 1
else
	echo "git not found: .gitignore cases skipped"
fi
# outside a work tree a .gitignore file means nothing
mkdir nogit
printf 'ignored.env\n' >nogit/.gitignore
printf 'K=%s\n' "$T1" >nogit/ignored.env
run scan nogit
assert_exit ".gitignore outside a git work tree is not honoured" 1

# ---- inline markers ----
mkdir inline
printf 'K=%s # vigil:allow\n' "$T1" >inline/a.env
printf 'const k = "%s"; // gitleaks:allow\n' "$T2" >inline/b.js
printf 'k = "%s"  # pragma: allowlist secret\n' "$T3" >inline/c.py
run scan inline --format json
assert_exit "secrets marked on their line: exit 0" 0
assert_eq "reported as suppressed (inline)" "a.env:1 inline b.js:1 inline c.py:1 inline" \
	"$(printf '%s' "$OUT" | fails | oneline)"
printf '# vigil:allow\nK=%s\n' "$T4" >inline/d.env
run scan inline --format json
assert_exit "a marker on another line does not count" 1
assert_contains "the unmarked one fails" "$(printf '%s' "$OUT" | fails)" "d.env:2 none"
rm inline/d.env

# ---- .vigilignore: path globs and fingerprints ----
mkdir vi
mkdir vi/fixtures
printf 'K=%s\n' "$T1" >vi/fixtures/sample.env
printf 'K=%s\n' "$T2" >vi/real.env
run scan vi --format json
fp=$(printf '%s' "$OUT" | json_q '[f["fingerprint"] for f in d["findings"]
	if f["status"] == "fail" and f["location"]["path"] == "real.env"]')
printf '# test data\nfixtures/\n%s\n' "$fp" >vi/.vigilignore
run scan vi --format json
assert_exit ".vigilignore: exit 0" 0
assert_eq "the fingerprint suppresses, the glob prunes" "real.env:1 ignore" \
	"$(printf '%s' "$OUT" | fails)"
printf 'inserted\nK=%s\n' "$T2" >vi/real.env
run scan vi
assert_exit "a fingerprint survives the line moving" 0

# ---- redaction in every output format ----
mkdir red
printf 'TOKEN=%s\n' "$T5" >red/app.env
for f in text json sarif junit junit-gitlab html; do
	run scan red --format "$f" -o "$WORK/out.$f"
	assert_exit "--format $f: exit 1" 1
	assert_true "--format $f: written" test -s "$WORK/out.$f"
	assert_true "--format $f: no raw secret" bash -c "! grep -qF -- '$T5' '$WORK/out.$f'"
	assert_true "--format $f: no raw tail" bash -c "! grep -qF -- '${T5#glpat-}' '$WORK/out.$f'"
done
assert_true "text shows a redacted form" grep -qF 'glpa****' "$WORK/out.text"
run scan red --report sarif="$WORK/r.sarif" --report html="$WORK/r.html" -q
assert_true "--report files hold no raw secret" \
	bash -c "! grep -qF -- '$T5' '$WORK/r.sarif' '$WORK/r.html'"
assert_not_contains "nor does stdout or stderr" "$OUT$ERR" "$T5"
run scan red --show-secrets
assert_contains "--show-secrets: text shows it" "$OUT" "$T5"
run scan red --show-secrets --format json
assert_contains "--show-secrets: JSON shows it" "$OUT" "$T5"
run baseline create --show-secrets -o "$WORK/b2.json" red
assert_true "a baseline never holds the secret, even with --show-secrets" \
	bash -c "! grep -qF -- '$T5' '$WORK/b2.json'"

# ---- bad input ----
mkdir bad
printf 'PNG\000\001\002K=%s\n' "$T1" >bad/img.png
run scan bad --format json
assert_exit "a binary file with a token is skipped: exit 0" 0
assert_eq "listed as skipped (binary)" "img.png binary" \
	"$(printf '%s' "$OUT" | json_q '["%s %s" % (s["path"], s["reason"])
	  for s in d["skipped"]]')"
rm bad/img.png

printf '\377\376\303\050 K=%s \342\050\241 \300\257\n' "$T2" >bad/latin.txt
run scan bad --format json
assert_exit "invalid UTF-8 around a secret: exit 1" 1
assert_eq "found at its line" "latin.txt:1 none" "$(printf '%s' "$OUT" | fails)"
assert_true "the JSON is still valid" json_valid <<<"$OUT"
rm bad/latin.txt

# one 20 MB line, the secret near its end
python3 - "$T3" >bad/huge.txt <<'PY'
import sys
sys.stdout.write("x" * (20 * 1024 * 1024) + " K=" + sys.argv[1] + " end\n")
PY
start=$(date +%s)
run scan bad --max-file-size 64M --format json
assert_exit "a 20 MB single line: found, within the time bound" 1
assert_eq "at line 1" "huge.txt:1 none" "$(printf '%s' "$OUT" | fails)"
assert_true "the evidence is capped, not 20 MB" test "$(printf '%s' "$OUT" | wc -c)" -lt 1000000
assert_true "it took under 20 s" test $(($(date +%s) - start)) -lt 20
run scan bad --format json
assert_exit "over the default --max-file-size it is skipped: exit 0" 0
assert_contains "and listed" "$(printf '%s' "$OUT" | skips)" "larger than --max-file-size"
rm bad/huge.txt

# an empty file, a file of only newlines, CRLF lines
: >bad/empty.env
head -c 100000 /dev/zero | tr '\0' '\n' >bad/newlines.env
printf 'a=1\r\nK=%s\r\n' "$T4" >bad/crlf.env
run scan bad --format json
assert_exit "empty, newline-only and CRLF files" 1
assert_eq "the CRLF secret at line 2" "crlf.env:2 none" "$(printf '%s' "$OUT" | fails)"

finish
