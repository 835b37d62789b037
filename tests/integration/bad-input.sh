#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Hostile or broken input: special files where files are expected, runaway
# regular expressions, huge lines and match counts, deep trees, odd
# .vigilignore files, and rule examples that try to write outside their
# temporary directory. Every case ends quickly with a clear status.
set -u
. "$(dirname "$0")/lib.sh"

cd "$WORK" || exit 2
write_tree_policy pol.yaml
mkdir t
printf 'password = x\n' >t/a.conf

# ---- special files where vigil expects a file ----
mkfifo fifo.yaml
run scan --policy fifo.yaml t
assert_exit "a FIFO as --policy: exit 2 without blocking" 2
run scan --policy /dev/zero t
assert_exit "a device as --policy: exit 2" 2
run scan --policy /dev/null t
assert_exit "/dev/null as --policy: exit 2" 2
run rules lint fifo.yaml
assert_exit "rules lint of a FIFO: exit 2 without blocking" 2
head -c 4096 /dev/urandom >junk.yaml
run scan --policy junk.yaml t
assert_exit "random bytes as a policy: exit 2" 2
printf 'pack: big\n# %s\n' "$(head -c 9000000 /dev/zero | tr '\0' x)" >big.yaml
run scan --policy big.yaml t
assert_exit "a policy over the size cap: exit 2" 2
# a billion-laughs alias bomb
{
	echo 'a: &a ["x","x","x","x","x","x","x","x","x","x"]'
	prev=a
	for n in b c d e f g h i j; do
		printf '%s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n' \
			$n $n $prev $prev $prev $prev $prev $prev $prev $prev $prev $prev
		prev=$n
	done
} >bomb.yaml
run scan --policy bomb.yaml t
assert_exit "a YAML alias bomb: exit 2, quickly" 2
printf '%s\n' "$(head -c 20000 /dev/zero | tr '\0' '[')" >deep.yaml
run scan --policy deep.yaml t
assert_exit "deeply nested YAML: exit 2" 2
mkdir emptydir
run scan --policy emptydir t
assert_exit "a policy directory without packs: exit 2" 2

# ---- runaway patterns, many matches, long lines ----
cat >re.yaml <<'EOF'
pack: re
title: Regex stress
version: "1"
targets: [tree]
rules:
  - id: re.slow
    title: catastrophic backtracking
    severity: low
    check: {content: {paths: ["*.slow"], forbid: '(a|aa)+$'}}
    examples: {fail: [{path: x.slow, content: "aa"}], pass: [{path: x.slow, content: "b"}]}
  - id: re.many
    title: one finding per byte
    severity: low
    check: {content: {paths: ["*.many"], forbid: 'x'}}
    examples: {fail: [{path: x.many, content: "x"}], pass: [{path: x.many, content: "b"}]}
  - id: re.empty
    title: a pattern that matches the empty string
    severity: low
    check: {content: {paths: ["*.empty"], forbid: 'q*'}}
    examples: {fail: [{path: x.empty, content: "q"}]}
  - id: re.tok
    title: a token at the end of a long line
    severity: low
    sensitive: true
    check: {content: {paths: ["*.long"], forbid: 'tok_(?<secret>[a-z0-9]{16})'}}
    examples:
      fail: [{path: x.long, content: "tok_0123456789abcdef"}]
      pass: [{path: x.long, content: "b"}]
EOF
mkdir re
head -c 30000 /dev/zero | tr '\0' a >re/x.slow
printf '!' >>re/x.slow
head -c 25000 /dev/zero | tr '\0' x >re/x.many
{
	head -c 2000000 /dev/zero | tr '\0' y
	printf ' tok_0123456789abcdef '
	head -c 1000 /dev/zero | tr '\0' z
	printf '\n'
} >re/x.long
start=$(date +%s)
run scan --policy re.yaml --format json re
assert_true "regex stress ends quickly" test $(($(date +%s) - start)) -lt 15
assert_exit "a pattern stopped at its match limit is an error: exit 2" 2
assert_contains "the match limit is named" \
	"$(json_q '[f["message"] for f in d["findings"] if f["rule"] == "re.slow"][0]' <<<"$OUT")" \
	"match limit"
assert_eq "findings per rule are capped" 10000 \
	"$(json_q 'len([f for f in d["findings"] if f["rule"] == "re.many" and f["status"] == "fail"])' <<<"$OUT")"
assert_contains "the cap is reported, not silent" \
	"$(json_q '[f["message"] for f in d["findings"] if f["rule"] == "re.many" and f["status"] == "error"][0]' <<<"$OUT")" \
	"limit"
ev=$(json_q '[f["evidence"] for f in d["findings"] if f["rule"] == "re.tok"][0]' <<<"$OUT")
assert_true "evidence of a 2 MB line is cut to a few hundred bytes" test ${#ev} -le 512
assert_contains "the cut evidence still holds the (redacted) secret" "$ev" "tok_0123****"
assert_not_contains "the secret itself is not in the report" "$OUT" "tok_0123456789abcdef"
assert_eq "the column of a match far into a line" 2000006 \
	"$(json_q '[f["location"]["col"] for f in d["findings"] if f["rule"] == "re.tok"][0]' <<<"$OUT")"
printf 'q\n' >re/x.empty
run scan --policy re.yaml --rule re.empty --format json re
assert_exit "an empty-matching pattern ends" 1
assert_true "an empty-matching pattern: bounded findings" \
	test "$(json_q 'len(d["findings"])' <<<"$OUT")" -le 10001

# ---- content that is not clean text ----
mkdir enc
printf 'password = \xff\xfe\xc3\x28 end\n' >enc/bad-utf8.conf
printf 'password = \x1b[2J\x1b]0;pwned\x07\n' >enc/ansi.conf
printf 'password = \xe2\x80\xae}reversed\n' >enc/bidi.conf
: >enc/empty.conf
printf '\n\n\n' >enc/newlines.sh
{
	head -c 9000 /dev/zero | tr '\0' a
	printf '\0 password = after-nul\n'
} >enc/late-nul.conf
run scan --policy pol.yaml --format json enc
assert_true "invalid UTF-8 and control bytes: the JSON is valid" json_valid <<<"$OUT"
assert_contains "a NUL past the sniffed prefix: the file is still scanned" \
	"$(json_findings <<<"$OUT")" "late-nul.conf"
run scan --policy pol.yaml enc
assert_not_contains "no raw ESC from file content reaches the terminal" "$OUT" $'\033'
assert_not_contains "no raw bidi override reaches the terminal" "$OUT" $'\xe2\x80\xae'
assert_contains "an empty .sh file fails a require" "$OUT" "newlines.sh"

# ---- deep trees, many entries ----
deep=deep
for _ in $(seq 1 300); do deep=$deep/d; done
mkdir -p "$deep"
printf 'password = deep\n' >"$deep/x.conf"
printf 'password = shallow\n' >deep/s.conf
run scan --policy pol.yaml --format json deep
assert_exit "a tree deeper than the walk limit: exit 2 (part not scanned)" 2
assert_contains "the shallow part is still scanned" "$(json_findings <<<"$OUT")" \
	"t.pw fail s.conf:1:12"
mkdir wide
for i in $(seq 1 2000); do : >"wide/f$i.txt"; done
start=$(date +%s)
run scan --policy pol.yaml wide
assert_exit "2000 empty files: exit 0" 0
assert_true "2000 files scan quickly" test $(($(date +%s) - start)) -lt 15

# ---- odd .vigilignore files ----
mkdir -p ig1 ig2 ig3 ig4 outside
printf 'password = x\n' | tee ig1/a.conf ig2/a.conf ig3/a.conf ig4/a.conf >/dev/null
mkfifo ig1/.vigilignore
run scan --policy pol.yaml --format json ig1
assert_exit "a FIFO .vigilignore does not block; it is an error (the ignores are unknown)" 2
assert_contains "the FIFO .vigilignore is an error finding, the scan goes on" \
	"$(json_findings <<<"$OUT")" "vigil.scan.unreadable error .vigilignore"
assert_contains "the scan goes on past the FIFO .vigilignore" \
	"$(json_findings <<<"$OUT")" "t.pw fail a.conf:1:12"
printf 'a.conf\n' >outside/ignore
ln -s "$WORK/outside/ignore" ig2/.vigilignore
run scan --policy pol.yaml --format json ig2
assert_contains "a .vigilignore symlinked from outside is not read" \
	"$(json_findings <<<"$OUT")" "t.pw fail a.conf:1:12"
printf '**\r\n' >ig3/.vigilignore
run scan --policy pol.yaml ig3
assert_exit "a CRLF '**' .vigilignore ignores everything" 0
{
	printf '#%s\n' "$(head -c 200000 /dev/zero | tr '\0' x)"
	printf '[\n]]\n\\\n/\n//\n'
	printf '0123456789abcdef0123456789abcdeg\n'
} >ig4/.vigilignore
run scan --policy pol.yaml ig4
assert_exit "junk lines in .vigilignore are harmless" 1

# ---- hostile rule examples cannot write outside their directory ----
mkdir -p victim extmp
chmod 755 victim
cat >hostile.yaml <<EOF
pack: hostile
title: Hostile examples
version: "1"
targets: [root]
rules:
  - id: hostile.x
    title: never mind the check
    severity: low
    check: {file: {path: /etc/x, exists: true}}
    examples:
      pass:
        - files:
            /etc/x: {content: "x"}
      fail:
        - files:
            /a: {type: symlink, target: /}
            /a$WORK/victim/pwned-file: {content: "x"}
        - files:
            /b: {type: symlink, target: $WORK/victim}
            /b/pwned-dir/f: {content: "x"}
        - files:
            /c: {type: symlink, target: $WORK/victim}
            /c/pwned-leaf: {content: "x"}
        - files:
            d: {type: symlink, target: $WORK/victim}
            /d: {type: directory, mode: "0777"}
        - files:
            /e: {type: symlink, target: $WORK/victim/pwned-link}
            /e/x: {content: "x"}
EOF
TMPDIR=$WORK/extmp run rules test --policy hostile.yaml
assert_exit "hostile examples fail (they cannot be laid out)" 1
assert_eq "nothing was created outside the example directory" "" "$(ls -A victim)"
assert_eq "nothing was chmod-ed outside the example directory" 755 "$(stat -c %a victim)"
assert_eq "the example directories are removed" "" "$(ls -A extmp)"
cat >dotdot.yaml <<'EOF'
pack: dotdot
title: Dot-dot examples
version: "1"
targets: [root]
rules:
  - id: dotdot.x
    title: never mind the check
    severity: low
    check: {file: {path: /etc/x, exists: true}}
    examples:
      fail:
        - files:
            /../../../pwned: {content: "x"}
EOF
TMPDIR=$WORK/extmp run rules test --policy dotdot.yaml
assert_ne "an example path with .. is refused" 0 "$RC"
assert_true "nothing was written above the example directory" test ! -e "$WORK/pwned"
assert_true "nothing was written above the temporary directory" test ! -e "$WORK/extmp/../pwned"

finish
