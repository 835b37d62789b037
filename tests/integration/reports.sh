#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# SARIF, JUnit and HTML from a real scan of a tree with hostile names:
# several reports from one scan (--report), what GitHub's and the JUnit
# schemas' validators say about them, `vigil report` and `vigil diff`.
set -u
. "$(dirname "$0")/lib.sh"

cd "$WORK" || exit 2

cat >pol.yaml <<'YAML'
pack: rep
title: Report test pack
version: "1.0"
targets: [tree]
rules:
  - id: rep.secret
    title: Hard-coded secret
    severity: critical
    tags: [cwe-798, secret]
    description: A secret <b>value</b> written into a file.
    rationale: Anyone who reads the file can use it.
    references: ["https://example.org/secrets"]
    precision: high
    sensitive: true
    check:
      content:
        paths: ["**"]
        forbid: 'SECRET=(?<value>\S+)'
    remediation:
      text: Remove the secret & rotate it.
      script: |
        echo '</script><script>alert(1)</script>' rotate
    examples:
      fail: ["SECRET=abc"]
      pass: ["nothing here"]
  - id: rep.todo
    title: TODO left behind
    severity: low
    check:
      content:
        paths: ["**/*.txt"]
        forbid: 'TODO'
    examples:
      fail: [{path: a.txt, content: "TODO"}]
      pass: [{path: a.txt, content: "done"}]
  - id: rep.never
    title: A string that never occurs
    severity: high
    check:
      content:
        paths: ["**"]
        forbid: 'NEVER-EVER-0xdeadbeef'
    examples:
      fail: ["NEVER-EVER-0xdeadbeef"]
      pass: ["fine"]
YAML

hostile='<img src=x onerror=alert(1)>.txt'
mkdir -p t/legacy "t/dir with space"
printf 'a=1\nSECRET=abc123\n' >t/config.env
printf 'SECRET=</script><script>alert(1)</script>\n' >"t/$hostile"
printf 'x\nSECRET=spaced\n' >"t/dir with space/100% #x?.txt"
printf 'SECRET=unicode\n' >"t/$(printf '\xc3\xbcn\xc3\xaf.txt')"
printf 'TODO: "quote" & <tag>\n' >t/notes.txt
printf 'SECRET=old\n' >t/legacy/old.env
cat >waivers.yaml <<'EOF'
waivers:
  - rule: rep.secret
    path: "legacy/**"
    reason: Legacy <fixture> & accepted
    expires: 2999-12-31
EOF

# ---- several reports from one scan ----
run scan --policy pol.yaml --waivers waivers.yaml t --report sarif=out.sarif \
	--report junit=out.xml --report html=out.html --report json=out.json \
	--report junit-gitlab=gitlab.xml
assert_exit "--report: the exit status is the scan's" 1
assert_contains "--report: the text summary is still on standard output" "$OUT" "vigil: 5 failed"
for f in out.sarif out.xml out.html out.json gitlab.xml; do
	assert_true "--report: $f is written" test -s "$f"
done
assert_eq "--report: no temporary file is left" "" "$(ls -A | grep vigil- || true)"
umask_mode=$(printf '%o' $((0666 & ~$(umask))))
assert_eq "--report: a report gets the usual file mode" "$umask_mode" "$(stat -c %a out.sarif)"

# ---- SARIF ----
assert_true "sarif: valid JSON" json_valid <out.sarif
assert_eq "sarif: version and one run" "2.1.0 1" \
	"$(json_q 'd["version"] + " " + str(len(d["runs"]))' <out.sarif)"
sarif_q() { json_q "$1" <out.sarif; }
assert_eq "sarif: fail and waived findings are results" "6" \
	"$(sarif_q 'len(d["runs"][0]["results"])')"
assert_eq "sarif: rules with results only" "rep.secret rep.todo" \
	"$(sarif_q '" ".join(r["id"] for r in d["runs"][0]["tool"]["driver"]["rules"])')"
assert_eq "sarif: CWE tags in GitHub's form" "True" \
	"$(sarif_q '"external/cwe/cwe-798" in d["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["tags"]')"
assert_eq "sarif: security-severity of a critical rule" "9.5" \
	"$(sarif_q 'd["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["security-severity"]')"
uris=$(sarif_q '[r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in d["runs"][0]["results"]]')
assert_contains "sarif: a hostile name is percent-encoded" "$uris" \
	"%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E.txt"
assert_contains "sarif: spaces, % and # are percent-encoded" "$uris" \
	"dir%20with%20space/100%25%20%23x%3F.txt"
assert_contains "sarif: non-ASCII is percent-encoded UTF-8" "$uris" "%C3%BCn%C3%AF.txt"
assert_eq "sarif: the root is %SRCROOT%" "file://$(pwd)/t/" \
	"$(sarif_q 'd["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]')"
assert_eq "sarif: GitHub's line hash for config.env line 2" "True" \
	"$(sarif_q '[r for r in d["runs"][0]["results"] if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "config.env"][0]["partialFingerprints"]["primaryLocationLineHash"].endswith(":1")')"
assert_eq "sarif: the waived finding is a suppressed result" "external Legacy <fixture> & accepted" \
	"$(sarif_q '[r["suppressions"][0]["kind"] + " " + r["suppressions"][0]["justification"] for r in d["runs"][0]["results"] if "suppressions" in r][0]')"
assert_eq "sarif: the scan category" "vigil/tree/" \
	"$(sarif_q 'd["runs"][0]["automationDetails"]["id"]')"
assert_not_contains "sarif: secrets stay redacted" "$(cat out.sarif)" "abc123"

# ---- JUnit ----
if command -v xmllint >/dev/null; then
	assert_true "junit: well-formed XML" xmllint --noout out.xml
	assert_true "junit-gitlab: well-formed XML" xmllint --noout gitlab.xml
else
	echo "SKIP: xmllint is not installed (Debian package libxml2-utils)"
fi
junit=$(cat out.xml)
assert_contains "junit: one suite per pack" "$junit" '<testsuite name="rep" package="rep" id="0" tests="7" failures="5" errors="0" skipped="1"'
assert_contains "junit: failure type and message" "$junit" \
	'<failure type="rep.secret" message="[CRITICAL] Hard-coded secret">'
assert_contains "junit: hostile names are escaped" "$junit" \
	'name="rep.secret &lt;img src=x onerror=alert(1)&gt;.txt:1:8"'
assert_contains "junit: waived is skipped with the reason" "$junit" \
	'<skipped message="waived: Legacy &lt;fixture&gt; &amp; accepted"/>'
assert_contains "junit: passing rules pass" "$junit" '<testcase name="rep.never" classname="rep" time="0"/>'
assert_not_contains "junit: no file attribute by default" "$junit" ' file="'
assert_contains "junit-gitlab: file and line attributes" "$(cat gitlab.xml)" \
	'file="config.env" line="2"'

# ---- the validators GitHub and Jenkins users run ----
validator="$SRCDIR/../shared/tools/validate-reports"
if [ ! -x "$validator" ]; then
	echo "SKIP: $validator is not there"
elif ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "SKIP: the SARIF validators need node and npm (Debian packages nodejs, npm)"
else
	v=$("$validator" "$WORK/out.sarif" "$WORK/out.xml" 2>&1)
	printf '%s\n' "$v"
	assert_contains "validate-reports: SARIF passes the schema and the multitool" "$v" \
		"out.sarif: SARIF ok"
	assert_contains "validate-reports: JUnit passes both schemas" "$v" "out.xml: JUnit ok"
	assert_contains "validate-reports: nothing failed" "$v" "2 passed, 0 failed"
fi

# ---- HTML ----
html=$(cat out.html)
assert_contains "html: a CSP that forbids everything but the page's script" "$html" \
	"content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-"
assert_not_contains "html: the hostile name is no element" "$html" "<img"
assert_contains "html: the hostile name is text" "$html" "&lt;img src=x onerror=alert(1)&gt;.txt"
assert_eq "html: one script element" "1" "$(grep -o '<script' out.html | wc -l)"
assert_eq "html: one end of script" "1" "$(grep -o '</script>' out.html | wc -l)"
assert_not_contains "html: no link leaves the page" "$html" 'href="http'
assert_not_contains "html: nothing is loaded" "$html" 'src="'
assert_contains "html: remediation script" "$html" "echo &#39;&lt;/script&gt;&lt;script&gt;"

# ---- vigil report: the same bytes from saved results ----
run report out.json --format sarif -o again.sarif
assert_exit "report: exit 0" 0
assert_true "report: SARIF from saved results is the scan's" cmp -s out.sarif again.sarif
run report out.json --format junit -o again.xml
assert_true "report: JUnit from saved results is the scan's" cmp -s out.xml again.xml
run report out.json --format html
assert_eq "report: HTML from saved results is the scan's" "$html" "$OUT"
run report out.json --report html=r.html --report sarif=r.sarif
assert_exit "report: several outputs" 0
assert_contains "report: text on standard output" "$OUT" "vigil: 5 failed"
assert_true "report: --report html" cmp -s out.html r.html
assert_true "report: --report sarif" cmp -s out.sarif r.sarif
run report out.json --format json
assert_eq "report: JSON from saved results is the same" "$(cat out.json)" "$OUT"

# ---- bad input ----
run report missing.json
assert_exit "report: a missing file" 2
assert_contains "report: says which" "$ERR" "missing.json"
printf '{"schema": "vigil-results", "schema_version": "1.0",' >bad.json
run report bad.json --format html -o bad.html
assert_exit "report: truncated JSON" 2
assert_true "report: nothing written from bad input" test ! -e bad.html
run report out.json --format pdf
assert_exit "report: unknown format" 2
run report
assert_exit "report: no file" 2
run scan --policy pol.yaml t --report pdf=x.pdf
assert_exit "--report: unknown format" 2
assert_contains "--report: names the format list" "$ERR" "sarif"
run scan --policy pol.yaml t --report sarif=
assert_exit "--report: empty path" 2
run scan --policy pol.yaml t --report sarif
assert_exit "--report: no path" 2
run scan --policy pol.yaml t --report sarif=same --report html=same
assert_exit "--report: one path twice" 2
run scan --policy pol.yaml t --report sarif=nodir/x.sarif --report html=ok.html
assert_exit "--report: a report that cannot be written makes it exit 2" 2
assert_contains "--report: says which" "$ERR" "nodir/x.sarif"
assert_true "--report: the other reports are still written" test -s ok.html
printf 'pack: [\n' >broken.yaml
run scan --policy broken.yaml t --report sarif=never.sarif
assert_exit "--report: a policy error" 2
assert_true "--report: no results, no report" test ! -e never.sarif

# reports are written when nothing fails too
run scan --policy pol.yaml --rule rep.never t --report sarif=clean.sarif --report junit=clean.xml
assert_exit "--report: a clean scan" 0
assert_eq "sarif: a clean scan has no results" "0" \
	"$(json_q 'len(d["runs"][0]["results"])' <clean.sarif)"
assert_contains "junit: a clean scan passes" "$(cat clean.xml)" 'failures="0" errors="0"'

# and when parts of the tree cannot be read (exit 2)
if is_root; then
	echo "SKIP: unreadable files cannot be tested as root"
else
	mkdir t2
	printf 'SECRET=x\n' >t2/a.env
	printf 'SECRET=y\n' >t2/locked.env
	chmod 000 t2/locked.env
	run scan --policy pol.yaml t2 --report sarif=err.sarif --report junit=err.xml
	assert_exit "unreadable file: exit 2" 2
	assert_eq "sarif: the scan is marked unsuccessful" "False" \
		"$(json_q 'd["runs"][0]["invocations"][0]["executionSuccessful"]' <err.sarif)"
	assert_contains "junit: the error is an error" "$(cat err.xml)" "<error "
	chmod 600 t2/locked.env
fi

# ---- vigil diff ----
run scan --policy pol.yaml --waivers waivers.yaml t --format json -o old.json
printf 'SECRET=fresh\n' >t/new.env
rm "t/$hostile"
printf 'a=1\na=2\nSECRET=abc123\n' >t/config.env
run scan --policy pol.yaml t --format json -o new.json
run diff old.json new.json
assert_exit "diff: something new exits 1" 1
assert_contains "diff: lists the new findings" "$OUT" "New (2):"
assert_contains "diff: new.env is new" "$OUT" "new.env"
assert_contains "diff: the removed secret is fixed" "$OUT" "Fixed (1):"
assert_contains "diff: a moved line is unchanged" "$OUT" "Unchanged (4):"
assert_contains "diff: the waiver no longer applies" "$(grep old.env <<<"$OUT")" "(was waived)"
assert_contains "diff: the summary line" "$OUT" "vigil diff: 2 new, 1 fixed, 4 unchanged"
run diff old.json old.json
assert_exit "diff: nothing new exits 0" 0
assert_contains "diff: all unchanged" "$OUT" "0 new, 0 fixed, 5 unchanged"
run diff new.json old.json --format json
assert_exit "diff: the other way round, one is new" 1
assert_eq "diff --format json: counts" "1 2 4" \
	"$(json_q '" ".join(str(d["summary"][k]) for k in ("new", "fixed", "unchanged"))' <<<"$OUT")"
assert_eq "diff --format json: now waived" "waived" \
	"$(json_q '[f["now"] for f in d["fixed"] if "now" in f][0]' <<<"$OUT")"
run diff old.json new.json -o diff.txt
assert_exit "diff -o: the exit status stays" 1
assert_contains "diff -o: the file holds the diff" "$(cat diff.txt)" "vigil diff: 2 new"
run diff old.json missing.json
assert_exit "diff: a missing file exits 2" 2
run diff old.json
assert_exit "diff: one file is a usage error" 2
run diff old.json new.json --format html
assert_exit "diff: text or json only" 2

finish
