#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The command line: subcommands, usage errors, exit codes and --fail-on,
# errors outranking findings, targets (default ".", files, several paths),
# and `vigil rules test`.
set -u
. "$(dirname "$0")/lib.sh"

cd "$WORK" || exit 2
write_tree_policy pol.yaml

mkdir clean dirty
printf 'user = alice\n' >clean/app.conf
printf 'umask 027\n' >clean/run.sh
printf 'user = bob\npassword = hunter2\n' >dirty/app.conf
printf 'notes\nTODO fix\n' >dirty/notes.txt

# ---- subcommands ----
run version
assert_exit "vigil version exits 0" 0
assert_contains "vigil version prints the version" "$OUT" "vigil "
run --help
assert_exit "vigil --help exits 0" 0
assert_contains "help lists the scan command" "$OUT" "vigil scan"
run scan --help
assert_exit "vigil scan --help exits 0" 0
run
assert_exit "vigil without a command is a usage error" 2
run frobnicate
assert_exit "an unknown command is a usage error" 2
assert_contains "an unknown command is named" "$ERR" "frobnicate"

# ---- exit codes and --fail-on ----
run scan --policy pol.yaml clean
assert_exit "a clean tree exits 0" 0
assert_contains "the text report ends with a summary" "$OUT" "vigil: 0 failed"

run scan --policy pol.yaml dirty
assert_exit "a medium failure exits 1 with the default --fail-on low" 1
run scan --policy pol.yaml --rule t.todo dirty
assert_exit "a low failure exits 1 with the default --fail-on low" 1
run scan --policy pol.yaml --fail-on medium --rule t.todo dirty
assert_exit "--fail-on medium ignores a low failure" 0
run scan --policy pol.yaml --fail-on high dirty
assert_exit "--fail-on high ignores a medium failure" 0
assert_contains "--fail-on high still reports the medium failure" "$OUT" "t.pw"
run scan --policy pol.yaml --fail-on medium dirty
assert_exit "--fail-on medium fails on a medium failure" 1
run scan --policy pol.yaml --fail-on info --rule t.todo dirty
assert_exit "--fail-on info fails on a low failure" 1
run scan --policy pol.yaml --fail-on none dirty
assert_exit "--fail-on none never fails on findings" 0
printf 'tok_0123456789abcdef\n' >dirty/tok.txt
run scan --policy pol.yaml --fail-on critical dirty
assert_exit "--fail-on critical ignores high and medium failures" 0
run scan --policy pol.yaml --fail-on high dirty
assert_exit "--fail-on high fails on a high failure" 1
rm dirty/tok.txt

# ---- usage errors: exit 2 with a message ----
usage_error() { # description, args...
	local d=$1
	shift
	run "$@"
	assert_exit "$d exits 2" 2
	assert_contains "$d says why" "$ERR" "vigil: error:"
}
usage_error "an unknown option" scan --policy pol.yaml --frobnicate clean
usage_error "an option without its value" scan --policy pol.yaml clean --fail-on
usage_error "--policy without a value" scan --policy
usage_error "an unknown --fail-on" scan --policy pol.yaml --fail-on severe clean
usage_error "--jobs 0" scan --policy pol.yaml --jobs 0 clean
usage_error "--jobs 257" scan --policy pol.yaml --jobs 257 clean
usage_error "--jobs abc" scan --policy pol.yaml --jobs abc clean
usage_error "--max-file-size 0" scan --policy pol.yaml --max-file-size 0 clean
usage_error "--max-file-size 10Q" scan --policy pol.yaml --max-file-size 10Q clean
usage_error "--max-file-size above 4G" scan --policy pol.yaml --max-file-size 5G clean
usage_error "an unknown --color" scan --policy pol.yaml --color sometimes clean
usage_error "an unknown --format" scan --policy pol.yaml --format xml clean
usage_error "a --rule that matches no rule" scan --policy pol.yaml --rule t.nosuch clean
assert_contains "the unmatched --rule is named" "$ERR" "t.nosuch"
usage_error "an unknown profile" scan --policy pol.yaml --profile nosuch clean
usage_error "an unknown rules subcommand" rules frobnicate
usage_error "rules show without an id" rules show
usage_error "rules show of an unknown rule" rules show --policy pol.yaml t.nosuch

# ---- invalid policies ----
printf 'pack: bad\ntitle: Bad\nversion: "1"\nrules:\n  - id: bad.x\n    title: X\n    severity: extreme\n    check: {content: {forbid: x}}\n' >bad.yaml
run scan --policy bad.yaml clean
assert_exit "an invalid policy exits 2" 2
assert_contains "an invalid policy is reported at file:line:col" "$ERR" "bad.yaml:7:"
run scan --policy nosuch.yaml clean
assert_exit "a missing policy file exits 2" 2
assert_contains "a missing policy file is named" "$ERR" "nosuch.yaml"
printf 'pack: [unclosed\n' >syntax.yaml
run scan --policy syntax.yaml clean
assert_exit "a policy with a YAML syntax error exits 2" 2
assert_contains "a YAML syntax error has a position" "$ERR" "syntax.yaml:"
run rules lint bad.yaml
assert_exit "rules lint of an invalid pack exits 2" 2
run rules lint pol.yaml
assert_exit "rules lint of a valid pack exits 0" 0

# ---- targets ----
run scan --policy pol.yaml nosuch-dir
assert_exit "a nonexistent target exits 2" 2
assert_contains "a nonexistent target is named" "$ERR" "nosuch-dir"
mkfifo pipe
run scan --policy pol.yaml pipe
assert_exit "a FIFO target exits 2 without blocking" 2
assert_contains "a FIFO target is called one" "$ERR" "fifo"
run scan --policy pol.yaml /dev/null
assert_exit "a device target exits 2" 2
run scan --policy pol.yaml --root nosuch-root
assert_exit "a nonexistent --root exits 2" 2
run scan --policy pol.yaml --root clean/app.conf
assert_exit "a --root that is a file exits 2" 2
run scan --policy pol.yaml clean nosuch-dir
assert_exit "one bad target among good ones exits 2" 2

# the default target is "."
(cd dirty && timeout 20 "$VIGIL" scan --policy ../pol.yaml --format json >../dot.json 2>../dot.err)
assert_eq "no PATH scans '.' (exit 1 on its failure)" 1 "$?"
assert_contains "no PATH scans '.'" "$(json_findings <dot.json)" "t.pw fail app.conf:2:12"
assert_eq "no PATH: the target is '.'" "." "$(json_q 'd["scan"]["targets"][0]' <dot.json)"

# one file
run scan --policy pol.yaml --format json dirty/app.conf
assert_exit "scanning one file exits 1 on its failure" 1
assert_contains "a single file is scanned" "$(json_findings <<<"$OUT")" "t.pw fail app.conf:2:12"
assert_not_contains "only that file is scanned" "$(json_findings <<<"$OUT")" "notes.txt"
assert_eq "one file scanned" 1 "$(json_q 'd["scan"]["files_scanned"]' <<<"$OUT")"
assert_eq "the root of a single-file scan is its directory" "$(cd dirty && pwd -P)" \
	"$(json_q 'd["scan"]["root"]' <<<"$OUT")"
run scan --policy pol.yaml clean/app.conf
assert_exit "scanning one clean file exits 0" 0

# a file named through a symlink on the command line is scanned (a
# directory named through one is too); inside a tree, symlinks never are
ln -s "$WORK/dirty/app.conf" link.conf
run scan --policy pol.yaml --format json link.conf
assert_exit "a file named through a symlink is scanned" 1
assert_contains "the file behind the symlink is reported" "$(json_findings <<<"$OUT")" \
	"t.pw fail app.conf:2:12"
ln -s dirty linkdir
run scan --policy pol.yaml linkdir
assert_exit "a directory named through a symlink is scanned" 1

# several paths
run scan --policy pol.yaml --format json clean dirty
assert_exit "several paths: a failure in one fails the run" 1
assert_eq "several paths: both are targets" "clean dirty" \
	"$(json_q '" ".join(d["scan"]["targets"])' <<<"$OUT")"
assert_eq "several paths: the failure is in the dirty target" "dirty" \
	"$(json_q '[f["target"] for f in d["findings"] if f["status"] == "fail"][0]' <<<"$OUT")"
run scan --policy pol.yaml clean clean/app.conf
assert_exit "several clean paths exit 0" 0

# a directory whose name starts with '-' after --
mkdir -- -odd
printf 'password = x\n' >./-odd/a.conf
run scan --policy pol.yaml -- -odd
assert_exit "a target after -- may start with '-'" 1

# ---- errors outrank findings ----
# An unreadable file is an error finding; the scan goes on and still reports
# the other findings. Root reads everything, so drop privileges when root.
if pfx=$(unprivileged); then
	chmod 755 "$WORK"
	mkdir unread
	printf 'password = visible\n' >unread/a.conf
	printf 'password = hidden\n' >unread/b.conf
	chmod 000 unread/b.conf
	mkdir unread/closed
	printf 'password = inside\n' >unread/closed/c.conf
	chmod 000 unread/closed
	RUN_PREFIX=$pfx run scan --policy pol.yaml --format json unread
	assert_exit "an unreadable file makes the scan exit 2 (errors outrank findings)" 2
	f=$(json_findings <<<"$OUT")
	assert_contains "the unreadable file is an error finding" "$f" \
		"vigil.scan.unreadable error b.conf"
	assert_contains "the unreadable directory is an error finding" "$f" \
		"vigil.scan.unreadable error closed"
	assert_contains "the readable file's failure is still reported" "$f" "t.pw fail a.conf:1:12"
	RUN_PREFIX=$pfx run scan --policy pol.yaml --fail-on none unread
	assert_exit "an error exits 2 even with --fail-on none" 2
	assert_contains "the text report lists the error" "$OUT" "Errors:"
	RUN_PREFIX=$pfx run scan --policy pol.yaml --exclude b.conf --exclude closed unread
	assert_exit "excluding the unreadable parts leaves only the failure" 1
	chmod 700 unread/closed
else
	echo "SKIP: unreadable-file checks (running as root without setpriv)"
fi

# ---- rules test ----
run rules test
assert_exit "rules test passes on the embedded packs" 0
assert_contains "rules test prints its counts" "$OUT" "0 failed"
run rules test --policy pol.yaml
assert_exit "rules test passes on a good pack" 0
cat >wrong.yaml <<'EOF'
pack: wrong
title: Wrong examples
version: "1"
targets: [tree]
rules:
  - id: wrong.x
    title: X
    severity: low
    check: {content: {forbid: 'secret'}}
    examples:
      fail: ["nothing here"]
      pass: ["x"]
  - id: wrong.none
    title: No examples
    severity: low
    check: {content: {forbid: 'other'}}
EOF
run rules test --policy wrong.yaml
assert_exit "rules test exits 1 when an example is wrong" 1
assert_contains "the wrong example is named, numbered within its kind" "$OUT" \
	"FAIL wrong.x fail example 1 ("
assert_contains "a rule without examples fails" "$OUT" "FAIL wrong.none"
run rules test --policy wrong.yaml wrong.x
assert_exit "rules test of one rule still fails on its wrong example" 1
run rules test --policy wrong.yaml nosuch.rule
assert_exit "rules test of no matching rule is an error" 2
run rules list --policy pol.yaml
assert_exit "rules list exits 0" 0
assert_contains "rules list lists the rules" "$OUT" "t.umask"
run rules show --policy pol.yaml t.pw
assert_exit "rules show exits 0" 0
assert_contains "rules show shows the title" "$OUT" "Password in a config file"

finish
