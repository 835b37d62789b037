#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The HTML report in headless Chromium (Debian's chromium package; this
# script installs nothing and is skipped without it): the page loads, its one
# script runs under the CSP, the filters work from the URL fragment, hostile
# names stay text, and the page tries to load nothing.
set -u
. "$(dirname "$0")/lib.sh"

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
	echo "SKIP: chromium is not installed (Debian package chromium)"
	exit 77
fi

cd "$WORK" || exit 2
cat >pol.yaml <<'YAML'
pack: web
title: Browser test pack
version: "1.0"
targets: [tree]
rules:
  - id: web.secret
    title: Hard-coded secret
    severity: critical
    references: ["https://example.org/never-fetched"]
    check:
      content:
        paths: ["**"]
        forbid: 'SECRET=(?<value>\S+)'
    remediation: {text: Rotate it., script: "echo '</script><img src=x>'\n"}
    examples:
      fail: ["SECRET=abc"]
      pass: ["nothing"]
  - id: web.todo
    title: TODO left behind
    severity: low
    check:
      content:
        paths: ["**/*.txt"]
        forbid: 'TODO'
    examples:
      fail: [{path: a.txt, content: "TODO"}]
      pass: [{path: a.txt, content: "done"}]
  - id: web.never
    title: Never there
    severity: high
    check:
      content:
        paths: ["**"]
        forbid: 'NEVER-EVER-0xdeadbeef'
    examples:
      fail: ["NEVER-EVER-0xdeadbeef"]
      pass: ["fine"]
YAML
mkdir -p t/legacy
# names that would run script if they became markup
printf 'SECRET=</script><script>document.body.setAttribute("data-pwned",1)</script>\n' \
	>"t/<img src=x onerror=document.body.setAttribute('data-pwned',2)>.txt"
printf 'SECRET=plain\n' >t/config.env
printf 'SECRET=old\n' >t/legacy/old.env
printf 'TODO\n' >t/notes.txt
cat >waivers.yaml <<'EOF'
waivers:
  - {rule: web.secret, path: "legacy/**", reason: accepted, expires: 2999-12-31}
EOF
run scan --policy pol.yaml --waivers waivers.yaml t --report html=report.html
assert_exit "the scan fails as expected" 1
assert_true "the report is written" test -s report.html

# Loads the report with a URL fragment; DOM in $DOM, browser log in $LOG,
# net log in $NET. Name resolution is disabled, so nothing could be fetched
# anyway; the log and the net log show whether anything was tried.
load() { # fragment, name
	local profile
	profile=$(mktemp -d "$WORK/profile-XXXXXX")
	DOM="$WORK/$2.dom"
	LOG="$WORK/$2.log"
	NET="$WORK/$2.net.json"
	timeout 60 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--disable-default-apps --user-data-dir="$profile" \
		--host-resolver-rules="MAP * ~NOTFOUND" --log-net-log="$NET" \
		--enable-logging=stderr --v=0 \
		--dump-dom "file://$WORK/report.html$1" >"$DOM" 2>"$LOG" </dev/null
	assert_eq "$2: chromium exits 0" "0" "$?"
	assert_contains "$2: the page loaded" "$(cat "$DOM")" "vigil security report"
	# the script ran under the CSP and nothing was blocked or tried
	assert_not_contains "$2: no CSP violation" "$(cat "$LOG")" "Content Security Policy"
	assert_not_contains "$2: no script error" "$(cat "$LOG")" "Uncaught"
	assert_eq "$2: no hostile script ran" "" "$(grep -o '<body[^>]*data-pwned' "$DOM" || true)"
	assert_not_contains "$2: no image element" "$(cat "$DOM")" "<img"
	assert_not_contains "$2: the references were not fetched" "$(cat "$NET")" "example.org"
	assert_eq "$2: nothing next to the report was requested" "" \
		"$(grep -o "file://$WORK/[^\"]*" "$NET" | grep -v "/report.html" || true)"
	assert_contains "$2: the filters are shown by the script" "$(cat "$DOM")" '<div id="filters">'
}

# visible rule rows, as "severity:status-list" words
visible_rows() {
	grep -o '<tr data-rule="[^"]*"[^>]*>' "$DOM" | grep -v 'hidden=' |
		sed 's/.*data-severity="\([^"]*\)".*data-statuses="\([^"]*\)".*/\1:\2/' | tr ' ' '+' |
		sort | tr '\n' ' '
}

load "" all
assert_contains "all: every rule counted" "$(cat "$DOM")" 'Showing 3 of 3 rules'
assert_eq "all: every rule shown" "critical:fail+waived high:pass low:fail " "$(visible_rows)"

load "#severity=low" low
assert_eq "severity filter: only the low rule" "low:fail " "$(visible_rows)"
assert_contains "severity filter: the count" "$(cat "$DOM")" 'Showing 1 of 3 rules'

load "#status=waived" waived
assert_eq "status filter: rules with a waived finding" "critical:fail+waived " "$(visible_rows)"
assert_eq "status filter: only the waived finding rows" "1" \
	"$(grep -o '<tr data-status="[^"]*">' "$DOM" | wc -l)"

load "#q=notes.txt" search
assert_eq "text search: finds the rule by a path in its findings" "low:fail " "$(visible_rows)"

load "#q=no-such-text&pack=nope" none
assert_eq "no match: no rows" "" "$(visible_rows)"
assert_contains "no match: says so" "$(cat "$DOM")" '<p id="no-match">No rule matches'

load "#rule-1" anchor
assert_eq "an anchor is not a filter" "critical:fail+waived high:pass low:fail " "$(visible_rows)"

finish
