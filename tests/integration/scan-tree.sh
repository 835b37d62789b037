#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Tree scans: content matches and their positions, path filters, skipped
# files, symlinks and special files, awkward file names, --exclude, .git,
# .vigilignore, --jobs, redaction and fingerprints, and the file check on trees.
set -u
. "$(dirname "$0")/lib.sh"

cd "$WORK" || exit 2
write_tree_policy pol.yaml

# ---- content: every match, at its line and column ----
mkdir m
printf 'first line\n  password = hunter2\na password=xyz b password=q\n' >m/app.conf
printf 'x\r\npassword = crlf\r\n' >m/dos.conf
printf '\xc3\xa9\xc3\xa9 password = utf8' >m/utf.conf    # two 2-byte chars, no final newline
printf 'password = not-a-conf\n' >m/notes.txt
printf 'echo hi\n' >m/run.sh
printf '#!/bin/sh\numask 027\n' >m/ok.sh
mkdir m/sub
printf 'echo deep\n' >m/sub/deep.sh
run scan --policy pol.yaml --format json m
assert_exit "content failures exit 1" 1
f=$(json_findings <<<"$OUT")
assert_contains "first match: line 2, column of the value" "$f" "t.pw fail app.conf:2:14"
assert_contains "second match on a line" "$f" "t.pw fail app.conf:3:12"
assert_contains "third match on the same line" "$f" "t.pw fail app.conf:3:27"
assert_eq "every match is a finding, nothing more" 5 "$(grep -c '^t.pw fail' <<<"$f")"
assert_contains "CRLF lines count like LF lines" "$f" "t.pw fail dos.conf:2:12"
assert_contains "columns are bytes; a last line without newline matches" "$f" \
	"t.pw fail utf.conf:1:17"
assert_eq "the match's end is reported" "2:21" \
	"$(json_q '[str(f["location"]["end_line"]) + ":" + str(f["location"]["end_col"]) for f in d["findings"] if f["location"].get("path") == "app.conf"][0]' <<<"$OUT")"
assert_eq "the evidence is the matched line" "  password = hunter2" \
	"$(json_q '[f["evidence"] for f in d["findings"] if f["location"].get("path") == "app.conf"][0]' <<<"$OUT")"
assert_eq "CRLF: the evidence has no carriage return" "password = crlf" \
	"$(json_q '[f["evidence"] for f in d["findings"] if f["location"].get("path") == "dos.conf"][0]' <<<"$OUT")"
assert_not_contains "paths globs filter: a .txt file is not a .conf file" "$f" "t.pw fail notes.txt"
assert_contains "require: a file without a match fails" "$f" "t.umask fail run.sh:0:0"
assert_contains "require: a pattern without '/' applies at any depth" "$f" \
	"t.umask fail sub/deep.sh:0:0"
assert_not_contains "require: a file with a match passes" "$f" "ok.sh"
run scan --policy pol.yaml m
assert_contains "text shows path:line:col" "$OUT" "app.conf:2:14"
assert_contains "text has the summary line" "$OUT" "vigil: 7 failed (2 high, 5 medium)"

# ---- skipped files: binary, too large ----
mkdir sk
printf 'password = in-binary\0\n' >sk/bin.conf
head -c 5000 /dev/zero | tr '\0' 'a' >sk/big.conf
printf '\npassword = big\n' >>sk/big.conf
printf 'password = small\n' >sk/small.conf
run scan --policy pol.yaml --max-file-size 1k --format json sk
f=$(json_findings <<<"$OUT")
assert_contains "a small file is scanned" "$f" "t.pw fail small.conf:1:12"
assert_not_contains "a binary file is not scanned" "$f" "bin.conf"
assert_not_contains "a file over --max-file-size is not scanned" "$f" "big.conf"
assert_eq "the binary file is listed as skipped" "binary" \
	"$(json_q '[s["reason"] for s in d["skipped"] if s["path"] == "bin.conf"][0]' <<<"$OUT")"
assert_contains "the large file is listed as skipped for its size" \
	"$(json_q '[s["reason"] for s in d["skipped"] if s["path"] == "big.conf"][0]' <<<"$OUT")" \
	"max-file-size"
run scan --policy pol.yaml --max-file-size 1k -v sk
assert_contains "-v lists skipped files" "$OUT" "Skipped:"
assert_contains "-v names the binary file" "$OUT" "bin.conf: binary"
assert_contains "the summary counts skipped files" "$OUT" "2 skipped"
run scan --policy pol.yaml --max-file-size 1k sk
assert_not_contains "without -v skipped files are not listed" "$OUT" "Skipped:"
run scan --policy pol.yaml --max-file-size 10k --format json sk
assert_contains "a larger --max-file-size scans the file" "$(json_findings <<<"$OUT")" \
	"t.pw fail big.conf:2:12"

# ---- symlinks are never followed; FIFOs and devices never opened ----
mkdir outside ln
printf 'password = OUTSIDE-SECRET\n' >outside/secret.conf
printf 'password = inside\n' >ln/real.conf
ln -s /etc/passwd ln/passwd.conf
ln -s "$WORK/outside/secret.conf" ln/abs.conf
ln -s ../outside/secret.conf ln/rel.conf
ln -s "$WORK/ln/real.conf" ln/abs-inside.conf
ln -s real.conf ln/rel-inside.conf
ln -s loop1.conf ln/loop2.conf
ln -s loop2.conf ln/loop1.conf
ln -s ../outside ln/dirlink
ln -s . ln/self
mkfifo ln/fifo.conf
cat >all.yaml <<'EOF'
pack: all
title: Everything
version: "1"
targets: [tree]
rules:
  - id: all.root
    title: root account line
    severity: high
    check: {content: {forbid: '^root:'}}
    examples: {fail: ["root:x:0:0"], pass: ["x"]}
EOF
start=$(date +%s)
run scan --policy pol.yaml --format json ln
assert_exit "symlinks, a loop and a FIFO: the scan ends with the one real failure" 1
assert_true "the scan with a FIFO in the tree finishes quickly" test $(($(date +%s) - start)) -lt 15
f=$(json_findings <<<"$OUT")
assert_eq "only the real file is reported" "t.pw fail real.conf:1:12" \
	"$(grep '^t.pw' <<<"$f")"
assert_not_contains "nothing outside the tree is read" "$OUT" "OUTSIDE-SECRET"
assert_eq "the FIFO is listed as skipped" "fifo" \
	"$(json_q '[s["reason"] for s in d["skipped"] if s["path"] == "fifo.conf"][0]' <<<"$OUT")"
run scan --policy all.yaml ln
assert_exit "a symlink to /etc/passwd is not followed" 0
run scan --policy all.yaml --show-secrets ln/passwd.conf
assert_exit "named on the command line, the symlink to /etc/passwd is read" 1

# a device node in the tree (needs mknod; root only)
if is_root && mknod ln/null.conf c 1 3 2>/dev/null; then
	run scan --policy pol.yaml --format json ln
	assert_eq "a device in the tree is skipped, not opened" "char-device" \
		"$(json_q '[s["reason"] for s in d["skipped"] if s["path"] == "null.conf"][0]' <<<"$OUT")"
	rm ln/null.conf
fi

# ---- awkward file names ----
mkdir names
printf 'password = space\n' >"names/with space.conf"
printf 'password = newline\n' >"names/new
line.conf"
printf 'password = html\n' >'names/<img src=x onerror=alert(1)>.conf'
printf 'password = esc\n' >"names/$(printf 'e\033[31mred')".conf
printf 'password = bad\n' >"names/$(printf 'bad\xff')".conf
run scan --policy pol.yaml names
assert_exit "awkward names: the scan works" 1
assert_contains "a name with a space is shown as is" "$OUT" "with space.conf:1:12"
assert_contains "a newline in a name is escaped in text" "$OUT" 'new\x0aline.conf:1:12'
assert_contains "an HTML-like name is shown as is in text" "$OUT" \
	"<img src=x onerror=alert(1)>.conf:1:12"
assert_not_contains "no raw ESC reaches the terminal from a name" "$OUT" $'\033'
assert_contains "ESC in a name is escaped" "$OUT" 'e\x1b[31mred.conf'
assert_contains "an invalid UTF-8 byte is escaped" "$OUT" 'bad\xff.conf'
assert_eq "no report line is forged by a newline in a name" 5 "$(grep -c '^MEDIUM t.pw' <<<"$OUT")"
run scan --policy pol.yaml --format json names
assert_true "awkward names: the JSON is valid" json_valid <<<"$OUT"
paths=$(json_q 'sorted(repr(f["location"]["path"]) for f in d["findings"] if f["status"] == "fail")' <<<"$OUT")
assert_contains "JSON keeps the newline in the name" "$paths" "'new\\nline.conf'"
assert_contains "JSON keeps the HTML-like name" "$paths" "'<img src=x onerror=alert(1)>.conf'"
assert_contains "JSON keeps the space" "$paths" "'with space.conf'"
assert_contains "JSON keeps the escape character" "$paths" "'e\\x1b[31mred.conf'"

# ---- --exclude, .git ----
mkdir -p ex/vendor/lib ex/src ex/.git/objects
printf 'password = vendored\n' >ex/vendor/lib/v.conf
printf 'password = src\n' >ex/src/s.conf
printf 'password = gen\n' >ex/src/gen.conf
printf 'password = git\n' >ex/.git/config.conf
printf 'password = obj\n' >ex/.git/objects/o.conf
run scan --policy pol.yaml --format json ex
f=$(json_findings <<<"$OUT")
assert_contains "without --exclude the vendored file is scanned" "$f" "vendor/lib/v.conf"
assert_not_contains ".git is never descended" "$f" ".git/"
run scan --policy pol.yaml --format json --exclude vendor --exclude 'gen.*' ex
f=$(json_findings <<<"$OUT")
assert_not_contains "--exclude prunes a directory" "$f" "vendor"
assert_not_contains "--exclude skips a file glob" "$f" "gen.conf"
assert_contains "--exclude leaves the rest" "$f" "t.pw fail src/s.conf:1:12"
run scan --policy pol.yaml --format json --exclude 'src/**' ex
assert_not_contains "--exclude with a path glob" "$(json_findings <<<"$OUT")" "src/"

# ---- .vigilignore: path globs and fingerprints ----
mkdir -p ig/build ig/keep
printf 'password = built\n' >ig/build/out.conf
printf 'password = one\n' >ig/keep/a.conf
printf 'password = two\n' >ig/keep/b.conf
printf '# generated output\nbuild/\n\n' >ig/.vigilignore
run scan --policy pol.yaml --format json ig
f=$(json_findings <<<"$OUT")
assert_not_contains ".vigilignore: a directory glob prunes it" "$f" "build/"
assert_contains ".vigilignore: the rest is scanned" "$f" "t.pw fail keep/a.conf:1:12"
fp=$(json_q '[f["fingerprint"] for f in d["findings"] if f["location"].get("path") == "keep/a.conf"][0]' <<<"$OUT")
printf '%s   # accepted\n' "$fp" >/dev/null
printf '%s\n' "$fp" >>ig/.vigilignore
run scan --policy pol.yaml --format json ig
assert_exit "a fingerprint in .vigilignore: b.conf still fails" 1
assert_eq "a fingerprint in .vigilignore suppresses that finding" "ignore" \
	"$(json_q '[f["suppression"] for f in d["findings"] if f["location"].get("path") == "keep/a.conf"][0]' <<<"$OUT")"
assert_eq "other findings are not suppressed" "none" \
	"$(json_q '[f["suppression"] for f in d["findings"] if f["location"].get("path") == "keep/b.conf"][0]' <<<"$OUT")"
rm ig/keep/b.conf
run scan --policy pol.yaml ig
assert_exit "with its only failure ignored the scan exits 0" 0
assert_contains "the text report counts it as suppressed" "$OUT" "1 suppressed"

# ---- --jobs gives the same findings ----
mkdir jobs
for i in $(seq 1 120); do
	d=jobs/d$((i % 7))
	mkdir -p "$d"
	printf 'x\npassword = p%s\nTODO %s\n' "$i" "$i" >"$d/f$i.conf"
	printf 'TODO %s\n' "$i" >"$d/n$i.txt"
done
run scan --policy pol.yaml --format json --jobs 1 jobs
j1=$(json_q 'json.dumps(d["findings"], sort_keys=True)' <<<"$OUT")
n1=$(json_q 'len(d["findings"])' <<<"$OUT")
run scan --policy pol.yaml --format json --jobs 4 jobs
j4=$(json_q 'json.dumps(d["findings"], sort_keys=True)' <<<"$OUT")
assert_eq "--jobs 1 finds 240 failures (and 3 other results)" 243 "$n1"
assert_eq "--jobs 1 and --jobs 4 give identical findings" "$j1" "$j4"
run scan --policy pol.yaml --format json --jobs 256 jobs
assert_eq "--jobs 256 gives identical findings" "$j1" \
	"$(json_q 'json.dumps(d["findings"], sort_keys=True)' <<<"$OUT")"

# ---- secrets: redacted unless --show-secrets; stable fingerprints ----
mkdir sec
printf 'a\ntoken: tok_0123456789abcdef end\n' >sec/app.yml
run scan --policy pol.yaml --format json sec
assert_exit "a secret fails" 1
assert_not_contains "the secret is redacted by default" "$OUT" "0123456789abcdef"
assert_eq "the redacted evidence keeps a short prefix" "token: tok_0123**** end" \
	"$(json_q '[f["evidence"] for f in d["findings"] if f["rule"] == "t.token"][0]' <<<"$OUT")"
assert_eq "JSON marks it redacted" "True" \
	"$(json_q '[f["redacted"] for f in d["findings"] if f["rule"] == "t.token"][0]' <<<"$OUT")"
fp1=$(json_q '[f["fingerprint"] for f in d["findings"] if f["rule"] == "t.token"][0]' <<<"$OUT")
run scan --policy pol.yaml sec
assert_not_contains "the text report redacts too" "$OUT" "0123456789abcdef"
run scan --policy pol.yaml --show-secrets sec
assert_contains "--show-secrets shows the secret" "$OUT" "tok_0123456789abcdef"
run scan --policy pol.yaml --show-secrets --format json sec
assert_eq "--show-secrets does not change the fingerprint" "$fp1" \
	"$(json_q '[f["fingerprint"] for f in d["findings"] if f["rule"] == "t.token"][0]' <<<"$OUT")"
printf 'new 1\nnew 2\nnew 3\na\ntoken: tok_0123456789abcdef end\n' >sec/app.yml
run scan --policy pol.yaml --format json sec
assert_eq "the finding moved down three lines" 5 \
	"$(json_q '[f["location"]["line"] for f in d["findings"] if f["rule"] == "t.token"][0]' <<<"$OUT")"
assert_eq "the fingerprint does not change when lines are inserted above" "$fp1" \
	"$(json_q '[f["fingerprint"] for f in d["findings"] if f["rule"] == "t.token"][0]' <<<"$OUT")"
printf 'token: tok_fedcba9876543210\n' >sec/app.yml
run scan --policy pol.yaml --format json sec
assert_ne "a different secret has a different fingerprint" "$fp1" \
	"$(json_q '[f["fingerprint"] for f in d["findings"] if f["rule"] == "t.token"][0]' <<<"$OUT")"
# the embedded packs apply without --policy, redacted as well
mkdir emb
printf 'AWS_ACCESS_KEY_ID=AKIAZDOCIS2JHTLGMXGE\n' >emb/.env
run scan emb
assert_exit "the embedded packs find an AWS key" 1
assert_contains "the embedded secret rule is reported" "$OUT" "secrets.aws.access-key-id"
assert_not_contains "the AWS key is redacted" "$OUT" "AKIAZDOCIS2JHTLGMXGE"

# ---- the file check on a tree ----
mkdir -p fk/sub/deep fk/vendor fk/.git
for k in top.key sub/s.key sub/deep/d.key vendor/v.key .git/g.key; do
	printf 'k\n' >"fk/$k"
	chmod 644 "fk/$k"
done
chmod 600 fk/top.key
ln -s /etc/passwd fk/sub/link.key
run scan --policy pol.yaml --rule t.key --format json fk
f=$(json_findings <<<"$OUT")
assert_exit "a key file with mode 0644 fails" 1
assert_contains "file check paths are relative to the tree" "$f" "t.key fail sub/s.key:0:0"
assert_contains "a pattern without '/' matches at any depth" "$f" "t.key fail sub/deep/d.key:0:0"
assert_not_contains "a 0600 key passes" "$f" "top.key"
assert_not_contains "the file check does not look into .git" "$f" ".git"
run scan --policy pol.yaml --rule t.key --format json --exclude vendor fk
assert_not_contains "the file check honours --exclude" "$(json_findings <<<"$OUT")" "vendor"
run scan --policy pol.yaml --rule t.key --format json fk/sub/s.key
f=$(json_findings <<<"$OUT")
assert_contains "a single file: the file check sees it" "$f" "t.key fail s.key:0:0"
assert_not_contains "a single file: the file check sees nothing else" "$f" "d.key"
chmod 600 fk/sub/s.key fk/sub/deep/d.key fk/vendor/v.key
rm fk/sub/link.key
run scan --policy pol.yaml --rule t.key fk
assert_exit "every key 0600 (.git aside): the file check passes" 0

finish
