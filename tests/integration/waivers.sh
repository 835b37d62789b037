#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# --waivers: waived failures, path and target globs, expiry, and malformed
# waivers files.
set -u
. "$(dirname "$0")/lib.sh"

cd "$WORK" || exit 2
write_tree_policy pol.yaml
mkdir -p tree/legacy tree/app other
printf 'password = old\n' >tree/legacy/a.conf
printf 'password = new\n' >tree/app/b.conf
printf 'echo\n' >tree/run.sh
printf 'password = other\n' >other/c.conf

status_of() { # rule, path (JSON report on stdin)
	json_q "[f['status'] for f in d['findings'] if f['rule'] == '$1' and f['location'].get('path') == '$2'][0]"
}

# ---- a waived failure ----
cat >all.yaml <<'EOF'
waivers:
  - rule: "t.*"
    reason: Accepted until the rewrite (T-1)
    expires: 2999-12-31
EOF
run scan --policy pol.yaml --waivers all.yaml --format json tree
assert_exit "every failure waived: exit 0" 0
assert_eq "a waived failure has status waived" "waived" "$(status_of t.pw legacy/a.conf <<<"$OUT")"
assert_eq "the waiver's reason is the justification" "Accepted until the rewrite (T-1)" \
	"$(json_q '[f["justification"] for f in d["findings"] if f["status"] == "waived"][0]' <<<"$OUT")"
assert_eq "the suppression is a waiver" "waiver" \
	"$(json_q '[f["suppression"] for f in d["findings"] if f["status"] == "waived"][0]' <<<"$OUT")"
run scan --policy pol.yaml --waivers all.yaml tree
assert_contains "text lists waived findings" "$OUT" "Waived or suppressed:"
assert_contains "the summary counts them" "$OUT" "3 waived"

# a waiver without expiry never expires
printf 'waivers:\n  - rule: t.umask\n    reason: no shell policy here\n' >noexp.yaml
run scan --policy pol.yaml --waivers noexp.yaml --rule t.umask tree
assert_exit "a waiver without expiry applies" 0

# ---- path and target globs narrow a waiver ----
cat >narrow.yaml <<'EOF'
waivers:
  - rule: t.pw
    path: "legacy/**"
    reason: legacy code
  - rule: t.umask
    target: "nomatch*"
    reason: only for another target
EOF
run scan --policy pol.yaml --waivers narrow.yaml --format json tree
assert_exit "a narrowed waiver leaves other failures: exit 1" 1
assert_eq "path glob: the matching path is waived" "waived" "$(status_of t.pw legacy/a.conf <<<"$OUT")"
assert_eq "path glob: another path still fails" "fail" "$(status_of t.pw app/b.conf <<<"$OUT")"
assert_eq "target glob: another target's waiver does not apply" "fail" \
	"$(status_of t.umask run.sh <<<"$OUT")"
cat >target.yaml <<'EOF'
waivers:
  - rule: t.pw
    target: "oth*"
    reason: the other tree is a fixture
EOF
run scan --policy pol.yaml --waivers target.yaml --rule t.pw --format json tree other
assert_eq "target glob: the matching target is waived" "waived" \
	"$(status_of t.pw c.conf <<<"$OUT")"
assert_eq "target glob: the other target still fails" "fail" \
	"$(status_of t.pw app/b.conf <<<"$OUT")"
printf 'waivers:\n  - rule: t.pw\n    path: "*.conf"\n    reason: any conf file\n' >name.yaml
run scan --policy pol.yaml --waivers name.yaml --rule t.pw tree
assert_exit "a path glob without '/' matches a name at any depth" 0

# ---- expiry ----
cat >expired.yaml <<'EOF'
waivers:
  - rule: t.pw
    reason: was accepted last decade
    expires: 2015-06-30
EOF
run scan --policy pol.yaml --waivers expired.yaml --rule t.pw --format json tree
assert_exit "an expired waiver suppresses nothing" 1
assert_eq "the failure it matched still fails" "fail" "$(status_of t.pw legacy/a.conf <<<"$OUT")"
assert_eq "the expired waiver is a failure of vigil.waiver.expired" "fail" \
	"$(json_q '[f["status"] for f in d["findings"] if f["rule"] == "vigil.waiver.expired"][0]' <<<"$OUT")"
assert_eq "the expired waiver points at its line in the waivers file" "expired.yaml:2" \
	"$(json_q '[f["location"]["path"] + ":" + str(f["location"]["line"]) for f in d["findings"] if f["rule"] == "vigil.waiver.expired"][0]' <<<"$OUT")"
assert_contains "vigil.waiver.expired is listed among the rules" \
	"$(json_q '[r["id"] for r in d["rules"]]' <<<"$OUT")" "vigil.waiver.expired"
run scan --policy pol.yaml --waivers expired.yaml --rule t.pw tree
assert_contains "text names the expiry date" "$OUT" "2015-06-30"
# an expired waiver that matches nothing still asks to be renewed or removed
printf 'waivers:\n  - rule: t.nothing\n    reason: gone\n    expires: 2016-01-01\n' >stale.yaml
run scan --policy pol.yaml --waivers stale.yaml --rule t.pw --format json other
assert_contains "an expired waiver that matches nothing is reported" \
	"$(json_findings <<<"$OUT")" "vigil.waiver.expired fail"
run scan --policy pol.yaml --waivers stale.yaml --rule t.umask tree --fail-on medium
assert_exit "the expired-waiver failure is low: --fail-on medium ignores it" 1
# (exit 1 above comes from t.umask, high); with nothing else failing:
printf 'umask 027\n' >tree/run.sh
run scan --policy pol.yaml --waivers stale.yaml --rule t.umask --fail-on medium tree
assert_exit "an expired waiver alone passes --fail-on medium" 0
run scan --policy pol.yaml --waivers stale.yaml --rule t.umask tree
assert_exit "an expired waiver alone fails the default --fail-on low" 1
printf 'echo\n' >tree/run.sh

# a waiver that expires today still applies; tomorrow's date is in the future
today=$(date -u +%Y-%m-%d)
printf 'waivers:\n  - rule: t.umask\n    reason: last day\n    expires: %s\n' "$today" >today.yaml
run scan --policy pol.yaml --waivers today.yaml --rule t.umask tree
assert_exit "a waiver is valid through its expiry day" 0

# waivers never hide errors
if pfx=$(unprivileged); then
	chmod 755 "$WORK"
	mkdir locked
	printf 'password = x\n' >locked/x.conf
	chmod 000 locked/x.conf
	printf 'waivers:\n  - rule: "*"\n    reason: everything\n' >star.yaml
	RUN_PREFIX=$pfx run scan --policy pol.yaml --waivers star.yaml locked
	assert_exit "a waiver for every rule does not hide an unreadable file" 2
	chmod 644 locked/x.conf
fi

# ---- malformed waivers files: exit 2 with file:line:col ----
bad_waivers() { # description, expected position, content
	printf '%s' "$3" >bad.yaml
	run scan --policy pol.yaml --waivers bad.yaml tree
	assert_exit "$1: exit 2" 2
	assert_contains "$1: reported at file:line:col" "$ERR" "bad.yaml:$2"
}
bad_waivers "a YAML syntax error" "2:" $'waivers: [\n'
bad_waivers "not a mapping" "1:1" $'- rule: x\n'
bad_waivers "no waivers list" "1:" $'waivers: 3\n'
bad_waivers "an unknown top-level key" "2:1" $'waivers: []\nwaiver: []\n'
bad_waivers "an unknown key in a waiver" "4:5" $'waivers:\n  - rule: t.pw\n    reason: r\n    pth: x\n'
bad_waivers "a waiver without a rule" "2:5" $'waivers:\n  - reason: r\n'
bad_waivers "a waiver without a reason" "2:5" $'waivers:\n  - rule: t.pw\n'
bad_waivers "a malformed date" "4:14" $'waivers:\n  - rule: t.pw\n    reason: r\n    expires: 31/12/2030\n'
bad_waivers "an impossible date" "4:14" $'waivers:\n  - rule: t.pw\n    reason: r\n    expires: 2030-02-30\n'
bad_waivers "a date with a sign in it" "4:14" $'waivers:\n  - rule: t.pw\n    reason: r\n    expires: 2030-+1-01\n'
bad_waivers "a list as a value" "3:13" $'waivers:\n  - rule: t.pw\n    reason: [a, b]\n'
bad_waivers "a waiver that is a string" "2:5" $'waivers:\n  - t.pw\n'
printf 'waivers:\n  - rule: t.pw\n    reason: r\n    bogus: 1\n  - rule: t.umask\n' >bad.yaml
run scan --policy pol.yaml --waivers bad.yaml tree
assert_contains "every problem is reported: the first" "$ERR" "bad.yaml:4:5"
assert_contains "every problem is reported: the second" "$ERR" "bad.yaml:5:5"
assert_eq "a parse error is not printed twice" 1 "$(
	printf 'waivers: [\n' >bad.yaml
	timeout 20 "$VIGIL" scan --policy pol.yaml --waivers bad.yaml tree 2>&1 >/dev/null |
		grep -c 'bad.yaml:2:')"
run scan --policy pol.yaml --waivers nosuch.yaml tree
assert_exit "a missing waivers file: exit 2" 2
assert_contains "a missing waivers file is named" "$ERR" "nosuch.yaml"
mkfifo fifo.yaml
run scan --policy pol.yaml --waivers fifo.yaml tree
assert_exit "a FIFO as waivers file: exit 2 without blocking" 2
printf 'waivers: []\n' >empty.yaml
run scan --policy pol.yaml --waivers empty.yaml tree
assert_exit "an empty waivers list is valid (the failures remain)" 1

finish
