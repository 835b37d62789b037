#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Git targets on repositories built here: the full history of every ref (each
# blob once, findings naming the commit that introduced them), commit ranges
# for pull requests, staged changes and the pre-commit hooks, shallow clones,
# damaged repositories and paths that are not repositories.
set -u
. "$(dirname "$0")/lib.sh"

command -v git >/dev/null 2>&1 || {
	echo "git not found: skipped"
	exit 77
}
cd "$WORK" || exit 2

# git must not read the user's configuration, and commits get fixed dates
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home" GIT_CONFIG_NOSYSTEM=1 LC_ALL=C
export GIT_AUTHOR_NAME=Alice GIT_AUTHOR_EMAIL=alice@example.com
export GIT_COMMITTER_NAME=Alice GIT_COMMITTER_EMAIL=alice@example.com
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
mkdir -p "$HOME"
git config --global init.defaultBranch main
git config --global commit.gpgsign false
git config --global tag.gpgsign false
git config --global advice.detachedHead false

# Commits everything in the current repository: date, message, [git commit options].
commit() {
	local d=$1 m=$2
	shift 2
	git add -A && GIT_AUTHOR_DATE="$d" GIT_COMMITTER_DATE="$d" git commit -q -m "$m" "$@"
}

# Tokens are put together at run time, so this file holds none a scanner flags.
tok() { printf 'glpat-%s' "$1"; }
T1=$(tok oHAa4MHCSzRaMWSItaw9)
T2=$(tok Zk3mQ8rT1vXy7PaLwE5n)
T3=$(tok Qw8eR5tY2uI9oP4aS7dF)
T4=$(tok Lm4nB7vC1xZ9kJ3hG6fD)
T5=$(tok Pq2wE8rT5yU1iO7pA3sD)
T6=$(tok Rt6yU2iO8pA4sD1fG7hJ)

# Failing findings of JSON results on stdin: "path:line commit|author|date|suppression".
fails() {
	json_q '["%s:%s %s|%s|%s|%s" % (f["location"].get("path"), f["location"].get("line"),
	  f.get("commit", ""), f.get("author", ""), f.get("date", ""), f.get("suppression"))
	  for f in d["findings"] if f["status"] == "fail"]'
}

# Findings with status error: "rule: message".
errors() {
	json_q '["%s: %s" % (f["rule"], f["message"]) for f in d["findings"]
	  if f["status"] == "error"]'
}

# Reasons of the skipped entries of JSON results on stdin.
skips() {
	json_q '[s["reason"] for s in d["skipped"]]'
}

# Lines on stdin joined with single spaces.
oneline() {
	tr '\n' ' ' | sed 's/ $//'
}

# ---- full history: a secret added, kept through edits, then deleted ----
mkdir hist && cd hist && git init -q . || exit 2
printf 'hello\n' >README
commit 2020-01-01T00:00:00Z one
printf 'x=1\nTOKEN=%s\n' "$T1" >config.env
commit 2020-02-01T00:00:00Z two --author='Bob <bob@example.com>'
intro=$(git rev-parse HEAD)
printf 'y=2\nx=1\nTOKEN=%s\n' "$T1" >config.env
commit 2020-03-01T00:00:00Z three
printf 'z=3\ny=2\nx=1\nTOKEN=%s\nw=4\n' "$T1" >config.env
commit 2020-04-01T00:00:00Z four
printf 'z=3\ny=2\nx=1\n' >config.env
commit 2020-05-01T00:00:00Z five
cd "$WORK" || exit 2

run scan hist
assert_exit "the deleted secret is not in the work tree" 0
run scan --git hist --format json
assert_exit "--git finds the deleted secret" 1
assert_eq "reported once, at the commit that introduced it" \
	"config.env:2 $intro|Bob <bob@example.com>|2020-02-01T00:00:00Z|none" \
	"$(printf '%s' "$OUT" | fails)"
assert_not_contains "no raw secret in --git JSON" "$OUT" "$T1"
run scan --git hist
assert_exit "--git text: exit 1" 1
assert_contains "text names the path and line" "$OUT" "config.env:2:"
assert_contains "text names commit, author and date" "$OUT" \
	"commit $intro by Bob <bob@example.com> on 2020-02-01T00:00:00Z"
run scan --git hist/.git
assert_exit "--git on the .git directory itself" 1
run scan --git=HEAD~3 hist --format json
assert_exit "--git=REV scans REV and its ancestors" 1
assert_eq "a single revision: same commit" "$intro" "$(printf '%s' "$OUT" | fails | cut -d' ' -f2 |
	cut -d'|' -f1)"

# ---- secrets that only a side branch, a tag or a detached HEAD reach ----
mkdir refs && cd refs && git init -q . || exit 2
printf 'main\n' >a.txt
commit 2021-01-01T00:00:00Z base
git checkout -q -b side
printf 'K=%s\n' "$T2" >side.env
commit 2021-01-02T00:00:00Z side
side=$(git rev-parse HEAD)
git checkout -q --detach main
printf 'K=%s\n' "$T3" >tag.env
commit 2021-01-03T00:00:00Z tagged
tagged=$(git rev-parse HEAD)
GIT_COMMITTER_DATE=2021-01-03T00:00:00Z git tag -a -m release v1
git checkout -q main
cd "$WORK" || exit 2

run scan --git refs --format json
assert_exit "secrets off the default branch: exit 1" 1
found=$(printf '%s' "$OUT" | fails | sort)
assert_contains "a secret only on a side branch" "$found" "side.env:1 $side|"
assert_contains "a secret only in a tagged, detached commit" "$found" "tag.env:1 $tagged|"
run scan --git=main refs
assert_exit "--git=main does not see the side branch or the tag" 0

# ---- ranges: only what the range adds ----
mkdir range && cd range && git init -q . || exit 2
printf 'a=1\nTOKEN=%s\n' "$T1" >old.env
printf 'one\ntwo\nthree\nfour\nK=%s\n' "$T5" >keep.env
commit 2022-01-01T00:00:00Z base
git tag base
printf 'b=2\na=1\nTOKEN=%s\nc=3\n' "$T1" >old.env
commit 2022-01-02T00:00:00Z "edit a file that held a secret"
printf 'K=%s\n' "$T4" >new.env
commit 2022-01-03T00:00:00Z "add a secret"
added=$(git rev-parse HEAD)
git mv keep.env renamed.env
printf 'five\n' >>renamed.env
commit 2022-01-04T00:00:00Z "rename a file that held a secret"
cd "$WORK" || exit 2

run scan --git=base..HEAD range --format json
assert_exit "a range that adds a secret: exit 1" 1
assert_eq "only the secret the range added" \
	"new.env:1 $added|Alice <alice@example.com>|2022-01-03T00:00:00Z|none" \
	"$(printf '%s' "$OUT" | fails)"
run scan --git=base..HEAD~2 range
assert_exit "a range that only edits around an old secret: exit 0" 0
run scan --git=HEAD~1..HEAD range
assert_exit "a range that renames a file holding an old secret: exit 0" 0
run scan --git=base...HEAD range -q
assert_exit "A...B (since the merge base) works" 1
run scan --git range -q
assert_exit "the full history still has them all" 1
run scan --git=nosuch..HEAD range
assert_exit "an unknown revision in a range: exit 2" 2
assert_contains "the message names the unknown revision" "$ERR" "nosuch"
run scan --git=HEAD..nosuch range
assert_exit "an unknown end of a range: exit 2" 2
run scan --git=nosuch range
assert_exit "an unknown revision: exit 2" 2
run scan --git= range
assert_exit "an empty range: exit 2" 2

# ---- paths that are not repositories ----
mkdir plain
printf 'K=%s\n' "$T1" >plain/a.env
run scan --git plain
assert_exit "--git on a directory outside any repository: exit 2" 2
assert_contains "a clear message" "$ERR" "not in a git repository"
run scan --staged plain
assert_exit "--staged outside any repository: exit 2" 2
run scan --git "$WORK/nonexistent"
assert_exit "--git on a missing path: exit 2" 2
run scan --git --staged hist
assert_exit "--git and --staged together: exit 2" 2

# ---- --exclude and .vigilignore apply to history ----
mkdir excl && cd excl && git init -q . || exit 2
mkdir -p vendor/lib docs
printf 'K=%s\n' "$T1" >vendor/lib/x.env
printf 'K=%s\n' "$T2" >docs/example.env
printf 'K=%s\n' "$T3" >real.env
commit 2022-02-01T00:00:00Z one
cd "$WORK" || exit 2
run scan --git excl --exclude vendor --format json
assert_eq "--exclude DIR prunes what is below it in history" "docs/example.env:1 real.env:1" \
	"$(printf '%s' "$OUT" | fails | cut -d' ' -f1 | sort | oneline)"
fp=$(printf '%s' "$OUT" | json_q '[f["fingerprint"] for f in d["findings"]
	if f["status"] == "fail" and f["location"]["path"] == "real.env"]')
printf 'vendor\ndocs/*.env\n%s\n' "$fp" >excl/.vigilignore
run scan --git excl --format json
assert_exit ".vigilignore in the work tree applies to --git" 0
assert_eq "its fingerprint suppresses, its globs prune" "real.env:1 |||ignore" \
	"$(printf '%s' "$OUT" | fails | sed 's/ [0-9a-f]*|Alice[^|]*|[^|]*|/ |||/')"

# ---- a secret kept over thousands of commits is one finding, and a later one is not lost ----
mkdir many && cd many && git init -q . || exit 2
python3 - "$T1" "$T2" <<'PY' | git fast-import --quiet
import sys
t1, t2 = sys.argv[1], sys.argv[2]
n = 10050  # more commits than the per-rule finding cap
for i in range(n):
    data = "count=%d\nT=%s\n" % (i, t1)
    when = 1577836800 + i * 60
    print("commit refs/heads/main\nmark :%d" % (i + 1))
    print("author A <a@example.com> %d +0000\ncommitter A <a@example.com> %d +0000" % (when, when))
    print("data 1\nc")
    if i:
        print("from :%d" % i)
    print("M 100644 inline a.env\ndata %d\n%s" % (len(data), data))
    if i == n - 1:
        d2 = "K=%s\n" % t2
        print("M 100644 inline b.env\ndata %d\n%s" % (len(d2), d2))
PY
cd "$WORK" || exit 2
run scan --git many --format json
assert_exit "10,050 commits: exit 1, not 2" 1
assert_eq "the kept secret once, the late one found" "a.env:2 b.env:1" \
	"$(printf '%s' "$OUT" | fails | cut -d' ' -f1 | sort | oneline)"
assert_eq "no finding was dropped" "" "$(printf '%s' "$OUT" | errors)"

# ---- binary and large blobs in history are skipped and said so ----
mkdir blobs && cd blobs && git init -q . || exit 2
printf 'PNG\000\001K=%s\n' "$T1" >img.png
head -c 2048 /dev/zero | tr '\0' x >big.txt
printf 'K=%s\n' "$T2" >>big.txt
printf 'fine\n' >a.txt
commit 2022-03-01T00:00:00Z one
cd "$WORK" || exit 2
run scan --git blobs --max-file-size 1k --format json
assert_exit "only skipped blobs hold secrets: exit 0" 0
skipped=$(printf '%s' "$OUT" | skips)
assert_contains "binary blobs are listed as skipped" "$skipped" "1 binary blob"
assert_contains "large blobs are listed as skipped" "$skipped" "larger than --max-file-size"

# ---- a bare clone ----
git clone -q --bare range bare.git
run scan --git bare.git -q
assert_exit "--git on a bare repository" 1
run scan --staged bare.git
assert_exit "--staged on a bare repository: exit 2" 2
assert_contains "says why" "$ERR" "bare"

# ---- shallow clones: what they hold is scanned, and the history is said to be partial ----
git clone -q --depth 1 "file://$WORK/range" shallow
run scan --git shallow --format json
assert_exit "a shallow clone with a secret at HEAD: exit 1" 1
head=$(git -C shallow rev-parse HEAD)
assert_eq "the boundary commit holds what it has" \
	"new.env:1 $head old.env:3 $head renamed.env:5 $head" \
	"$(printf '%s' "$OUT" | fails | cut -d'|' -f1 | sort | oneline)"
assert_contains "the partial history is listed in skipped" \
	"$(printf '%s' "$OUT" | skips)" "shallow clone"
git clone -q --depth 2 "file://$WORK/range" shallow2
run scan --git shallow2 --format json
assert_exit "two commits deep" 1
assert_eq "the boundary holds three; the renamed path is a new place" \
	"keep.env:5 new.env:1 old.env:3 renamed.env:5" \
	"$(printf '%s' "$OUT" | fails | cut -d' ' -f1 | sort | oneline)"
run scan --git=HEAD~1..HEAD shallow2
assert_exit "a range inside a shallow clone" 0

# ---- damaged repositories: exit 2 naming the object, never a crash ----
for what in blob tree commit; do
	rm -rf broken && cp -r hist broken
	case $what in
	blob) id=$(git -C broken rev-parse HEAD~2:config.env) ;;
	tree) id=$(git -C broken rev-parse 'HEAD~2^{tree}') ;;
	commit) id=$(git -C broken rev-parse HEAD~2) ;;
	esac
	obj="broken/.git/objects/${id:0:2}/${id:2}"
	chmod u+w "$obj" && printf 'not zlib data' >"$obj"
	run scan --git broken
	assert_exit "a corrupt $what: exit 2" 2
	assert_contains "the message names the corrupt $what" "$ERR" "$id"
	assert_contains "the message says the repository is damaged" "$ERR" "damaged repository"
done
rm -rf broken && cp -r hist broken
id=$(git -C broken rev-parse HEAD~4)
rm -f "broken/.git/objects/${id:0:2}/${id:2}"
run scan --git broken
assert_exit "a missing commit: exit 2" 2
assert_contains "the message names the missing commit" "$ERR" "$id"

# ---- staged changes (pre-commit) ----
mkdir stage && cd stage && git init -q . || exit 2
cd "$WORK" || exit 2
run scan --staged stage
assert_exit "an unborn branch with nothing staged: exit 0" 0
printf 'a=1\nb=2\nK=%s\n' "$T1" >stage/s.env
git -C stage add s.env
run scan --staged stage --format json
assert_exit "an unborn branch with a staged secret: exit 1" 1
assert_eq "the staged secret, at its line" "s.env:3 |||none" "$(printf '%s' "$OUT" | fails)"
(cd stage && commit 2023-01-01T00:00:00Z first)
run scan --staged stage
assert_exit "nothing staged after the commit: exit 0" 0

printf 'new=0\nnew=1\na=1\nb=2\nK=%s\n' "$T1" >stage/s.env
git -C stage add s.env
run scan --staged stage
assert_exit "other lines staged in a file whose secret HEAD already has: exit 0" 0
printf 'K2=%s\n' "$T2" >>stage/s.env
printf 'K=%s\n' "$T3" >stage/untracked.env
run scan --staged stage --show-secrets
assert_exit "a secret only in the unstaged work tree: exit 0" 0
assert_not_contains "and it is not reported" "$OUT" "$T2"

printf 'one\nK=%s\n' "$T4" >stage/n.env
git -C stage add n.env
printf 'w\nw\nw\nw\nK=%s\n' "$T4" >stage/n.env
run scan --staged stage --format json
assert_exit "a staged new secret: exit 1" 1
assert_eq "reported at its line in the staged version, not the work tree's" "n.env:2 |||none" \
	"$(printf '%s' "$OUT" | fails)"
mkdir -p stage/sub
run scan --staged stage/sub --format json
assert_eq "from a subdirectory: paths from the repository's top" "n.env:2 |||none" \
	"$(printf '%s' "$OUT" | fails)"
printf 'n.env\n' >stage/.vigilignore
run scan --staged stage
assert_exit ".vigilignore applies to --staged" 0
rm stage/.vigilignore
printf 'one\nK=%s  # vigil:allow\n' "$T4" >stage/n.env
git -C stage add n.env
run scan --staged stage --format json
assert_exit "an inline marker in the staged version: exit 0" 0
assert_eq "reported as suppressed" "n.env:2 |||inline" "$(printf '%s' "$OUT" | fails)"

git -C stage reset -q
(cd stage && git checkout -q -- s.env && rm -f n.env untracked.env)
git -C stage rm -q s.env
run scan --staged stage
assert_exit "a staged deletion: exit 0" 0
git -C stage reset -q --hard
git -C stage mv s.env moved.env
run scan --staged stage
assert_exit "a staged rename of a file holding a committed secret: exit 0" 0
git -C stage reset -q --hard

# pre-commit performance sanity (the benchmark is separate): a small repository is quick
for i in $(seq 1 200); do printf 'line %s\n' "$i" >"stage/f$i.txt"; done
git -C stage add -A
printf 'K=%s\n' "$T5" >stage/late.env
git -C stage add late.env
run scan --staged stage -q
assert_exit "a staged scan of 200 files ends well within run's 20 s timeout" 1
git -C stage reset -q --hard

# ---- the plain git hook and the pre-commit framework manifest ----
hook="$SRCDIR/ci/hooks/pre-commit"
assert_true "ci/hooks/pre-commit is executable" test -x "$hook"
mkdir hooked && cd hooked && git init -q . || exit 2
cp "$hook" .git/hooks/pre-commit
printf 'fine\n' >ok.txt
git add ok.txt
VIGIL="$VIGIL" git commit -q -m clean >"$WORK/hook.out" 2>&1
assert_eq "the hook lets a clean commit through" 0 "$?"
printf 'K=%s\n' "$T6" >leak.env
git add leak.env
VIGIL="$VIGIL" git commit -q -m leak >"$WORK/hook.out" 2>&1
assert_eq "the hook stops a commit that adds a secret" 1 "$?"
hookout=$(cat "$WORK/hook.out")
assert_contains "the hook shows where the secret is" "$hookout" "leak.env:1"
assert_contains "the hook says how to bypass it" "$hookout" "--no-verify"
assert_not_contains "the hook does not print the secret" "$hookout" "$T6"
assert_not_contains "no sanitizer report from the hook's scans" "$hookout" "Sanitizer"
assert_eq "nothing was committed" 1 "$(git rev-list --count HEAD)"
VIGIL="$VIGIL" git commit -q --no-verify -m bypass >/dev/null 2>&1
assert_eq "--no-verify bypasses it" 2 "$(git rev-list --count HEAD)"
printf 'x\n' >more.txt
git add more.txt
VIGIL="$WORK/no-such-vigil" git commit -q -m missing >"$WORK/hook.out" 2>&1
assert_eq "a missing vigil stops the commit (exit 2)" 2 "$(git rev-list --count HEAD)"
assert_contains "and says so" "$(cat "$WORK/hook.out")" "not found"
cd "$WORK" || exit 2

manifest="$SRCDIR/.pre-commit-hooks.yaml"
assert_true ".pre-commit-hooks.yaml exists" test -f "$manifest"
assert_eq "the pre-commit manifest" "vigil-secrets|vigil scan --staged|system|False|True" \
	"$(python3 - "$manifest" <<'PY'
import sys
try:
    import yaml
    hooks = yaml.safe_load(open(sys.argv[1]))
except ImportError:  # no PyYAML: read the flat "key: value" lines
    hooks, h = [], None
    for line in open(sys.argv[1]):
        s = line.strip()
        if s.startswith("- "):
            h = {}
            hooks.append(h)
            s = s[2:]
        if h is not None and ":" in s and not s.startswith("#"):
            k, v = s.split(":", 1)
            v = v.strip()
            h[k.strip()] = {"true": True, "false": False}.get(v, v)
h = hooks[0]
print("%s|%s|%s|%s|%s" % (h["id"], h["entry"], h["language"], h["pass_filenames"], h["always_run"]))
PY
)"

finish
