#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Report output: the JSON document and its members, -o FILE (replaced only
# by a complete report), the text summary, -q/-v, colours, write errors.
set -u
. "$(dirname "$0")/lib.sh"

cd "$WORK" || exit 2
write_tree_policy pol.yaml
mkdir t
printf 'password = hunter2\n' >t/a.conf
printf 'echo\n' >t/run.sh
printf 'TODO\n' >t/n.txt
printf 'bin\0ary\n' >t/b.conf

# ---- JSON ----
run scan --policy pol.yaml --format json t
assert_exit "json: the exit code does not depend on the format" 1
assert_true "json: the report is valid JSON" json_valid <<<"$OUT"
assert_eq "json: the documented top-level members, in order" \
	"schema schema_version tool scan summary rules findings skipped errors" \
	"$(json_q '" ".join(d.keys())' <<<"$OUT")"
assert_eq "json: schema" "vigil-results" "$(json_q 'd["schema"]' <<<"$OUT")"
assert_eq "json: schema_version 1.x" "1" "$(json_q 'd["schema_version"].split(".")[0]' <<<"$OUT")"
assert_eq "json: tool name" "vigil" "$(json_q 'd["tool"]["name"]' <<<"$OUT")"
assert_eq "json: the summary's exit code matches the process" "1" \
	"$(json_q 'd["summary"]["exit_code"]' <<<"$OUT")"
assert_eq "json: the summary counts the failures" "3" \
	"$(json_q 'd["summary"]["by_status"]["fail"]' <<<"$OUT")"
assert_eq "json: fail_on is recorded" "low" "$(json_q 'd["scan"]["fail_on"]' <<<"$OUT")"
assert_eq "json: every finding's rule is in rules" "True" \
	"$(json_q 'all(f["rule"] in [r["id"] for r in d["rules"]] for f in d["findings"])' <<<"$OUT")"
assert_eq "json: findings are sorted by severity, highest first" "True" \
	"$(json_q '[["info","low","medium","high","critical"].index(f["severity"]) for f in d["findings"]] == sorted([["info","low","medium","high","critical"].index(f["severity"]) for f in d["findings"]], reverse=True)' <<<"$OUT")"
assert_eq "json: no null is ever written" "False" "$(json_q '"null" in json.dumps(d)' <<<"$OUT")"
assert_eq "json: skipped files are listed" "b.conf" "$(json_q 'd["skipped"][0]["path"]' <<<"$OUT")"
assert_eq "json: fingerprints are 32 hex digits" "True" \
	"$(json_q 'all(len(f["fingerprint"]) == 32 and int(f["fingerprint"], 16) >= 0 for f in d["findings"])' <<<"$OUT")"
if python3 -c 'import jsonschema' 2>/dev/null; then
	schema_ok() {
		python3 -c '
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.validate(json.load(sys.stdin), schema)
' "$SRCDIR/reporters/results-schema.json"
	}
	assert_true "json: the report validates against results-schema.json" schema_ok <<<"$OUT"
else
	echo "SKIP: python3 jsonschema is not installed"
fi

# ---- -o FILE ----
run scan --policy pol.yaml --format json -o report.json t
assert_exit "-o: the exit code is the scan's" 1
assert_eq "-o: nothing goes to standard output" "" "$OUT"
assert_true "-o: the file holds valid JSON" json_valid <report.json
assert_eq "-o: the file has the findings" "3" \
	"$(json_q 'd["summary"]["by_status"]["fail"]' <report.json)"
umask_mode=$(printf '%o' $((0666 & ~$(umask))))
assert_eq "-o: a new report gets the usual file mode" "$umask_mode" "$(stat -c %a report.json)"
run scan --policy pol.yaml -o report.txt --output report2.txt t
assert_true "--output is the long form" test -s report2.txt
printf 'previous report\n' >keep.txt
chmod 640 keep.txt
run scan --policy pol.yaml -o keep.txt t
assert_contains "-o replaces an existing file after a successful scan" "$(cat keep.txt)" \
	"vigil: 3 failed"
assert_eq "-o keeps the mode of the report it replaces" "640" "$(stat -c %a keep.txt)"
printf 'previous report\n' >keep.txt
run scan --policy nosuch.yaml -o keep.txt t
assert_exit "-o with a failing policy: exit 2" 2
assert_eq "-o: a failed scan leaves the old report" "previous report" "$(cat keep.txt)"
run scan --policy pol.yaml -o keep.txt nosuch-target
assert_eq "-o: a missing target leaves the old report" "previous report" "$(cat keep.txt)"
mkdir outdir
run scan --policy pol.yaml -o outdir t
assert_exit "-o naming a directory: exit 2" 2
assert_true "-o naming a directory leaves it a directory" test -d outdir
run scan --policy pol.yaml -o nosuch-dir/report.txt t
assert_exit "-o into a missing directory: exit 2" 2
assert_contains "-o: the error names the file" "$ERR" "nosuch-dir/report.txt"
if pfx=$(unprivileged); then
	chmod 755 "$WORK"
	mkdir ro
	printf 'previous report\n' >ro/report.txt
	chmod 555 ro
	RUN_PREFIX=$pfx run scan --policy pol.yaml -o ro/report.txt t
	assert_exit "-o into a read-only directory: exit 2" 2
	assert_eq "-o: an unwritable place leaves the old report" "previous report" \
		"$(cat ro/report.txt)"
	chmod 755 ro
fi
assert_eq "-o leaves no temporary files behind" "" \
	"$(find . -name '*.vigil-*' -print)"
# -o naming something that is not a regular file (/dev/null, a pipe) writes
# into it; a report renamed over it would replace /dev/null for everyone
mkfifo out.fifo
timeout 20 cat out.fifo >from-fifo.json &
run scan --policy pol.yaml --format json -o out.fifo t
wait
assert_true "-o to a FIFO leaves it a FIFO" test -p out.fifo
assert_true "... and the report went through it" json_valid <from-fifo.json
if [ -w /dev/full ]; then
	timeout 20 "$VIGIL" scan --policy pol.yaml t >/dev/full 2>err.txt
	assert_eq "a full disk on standard output: exit 2" 2 "$?"
	assert_contains "a failed write is reported" "$(cat err.txt)" "vigil: error:"
	timeout 20 "$VIGIL" scan --policy pol.yaml --format json t >/dev/full 2>/dev/null
	assert_eq "a full disk for JSON: exit 2" 2 "$?"
fi

# ---- text ----
run scan --policy pol.yaml t
assert_contains "text: failures are listed with their severity" "$OUT" "HIGH t.umask"
last=$(tail -n 1 <<<"$OUT")
assert_contains "text: the last line is the summary" "$last" \
	"vigil: 3 failed (1 high, 1 medium, 1 low), 2 passed, 0 waived, 0 errors"
assert_contains "text: the summary counts files" "$last" "3 files scanned, 1 skipped"
run scan --policy pol.yaml -q t
assert_eq "-q: only the summary line" 1 "$(wc -l <<<"$OUT")"
assert_contains "-q: the summary" "$OUT" "vigil: 3 failed"
run scan --policy pol.yaml -v t
assert_contains "-v: passing rules are listed" "$OUT" "Passed:"
assert_contains "-v: not-applicable rules are listed" "$OUT" "t.key"
run scan --policy pol.yaml --format text t
assert_exit "--format text is the default format" 1

# ---- colours ----
run scan --policy pol.yaml --color never t
assert_not_contains "--color never: no ESC byte" "$OUT" $'\033'
run scan --policy pol.yaml t
assert_not_contains "no colour when standard output is not a terminal" "$OUT" $'\033'
run scan --policy pol.yaml --color always t
assert_contains "--color always: ANSI colours" "$OUT" $'\033['
run scan --policy pol.yaml --color always -o coloured.txt t
assert_not_contains "colours never go into a report file" "$(cat coloured.txt)" $'\033'
run scan --policy pol.yaml --color always --format json t
assert_not_contains "JSON never has colours" "$OUT" $'\033'
if command -v script >/dev/null 2>&1; then
	NO_COLOR=1 script -qec "$VIGIL scan --policy pol.yaml t" /dev/null >tty.txt 2>&1 </dev/null
	assert_not_contains "NO_COLOR turns colours off on a terminal" "$(cat tty.txt)" $'\033[3'
	TERM=xterm script -qec "$VIGIL scan --policy pol.yaml t" /dev/null >tty.txt 2>&1 </dev/null
	assert_contains "a terminal gets colours by default" "$(cat tty.txt)" $'\033['
	TERM=xterm script -qec "$VIGIL scan --policy pol.yaml --color never t" /dev/null \
		>tty.txt 2>&1 </dev/null
	assert_not_contains "--color never on a terminal: no ESC" "$(cat tty.txt)" $'\033'
fi

# ---- formats ----
run scan --policy pol.yaml --format xml t
assert_exit "an unknown --format: exit 2" 2
assert_contains "the unknown format is named" "$ERR" "xml"
run scan --policy pol.yaml --format JSON t
assert_exit "formats are lower-case names" 2
run scan --policy pol.yaml --format json --fail-on none t
assert_eq "json: exit_code follows --fail-on" "0" "$(json_q 'd["summary"]["exit_code"]' <<<"$OUT")"
assert_eq "json: fail_on none is recorded" "none" "$(json_q 'd["scan"]["fail_on"]' <<<"$OUT")"

# -o never replaces what the user points it at with a file of its own:
# a device is written into, a symlink is written through, a directory refused.
mkfifo_dev=$(stat -c '%t:%T:%F' /dev/null)
run scan --policy pol.yaml --format json -o /dev/null t
assert_exit "-o /dev/null: the scan's own exit status" 1
assert_eq "-o /dev/null: /dev/null is still the null device" "$mkfifo_dev" "$(stat -c '%t:%T:%F' /dev/null)"
echo old > target.json
ln -s target.json link.json
run scan --policy pol.yaml --format json -o link.json t
[ -L link.json ] && ok || bad "-o SYMLINK: the symlink is kept"
assert_eq "-o SYMLINK: the report lands in the link's target" "vigil-results" \
	"$(json_q 'd["schema"]' < target.json)"
mkdir -p outdir
run scan --policy pol.yaml -o outdir t
assert_exit "-o DIRECTORY: exit 2" 2
assert_contains "-o DIRECTORY: says why" "$ERR" "outdir"

finish
