# SPDX-License-Identifier: Apache-2.0
# Shared helpers for the integration scripts: a private work directory removed
# on exit, assertions that count passes and failures, and a final summary.
# Source it after `set -u`; the script ends with `finish`.

: "${VIGIL:?VIGIL must name the vigil binary}"
: "${SRCDIR:?SRCDIR must name the source root}"

VG_PASS=0
VG_FAIL=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/vigil-it-XXXXXX") || exit 2

cleanup() {
	# directories a test made unreadable must be opened again to be removed
	chmod -R u+rwx "$WORK" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

ok() {
	VG_PASS=$((VG_PASS + 1))
}

bad() { # description, detail...
	VG_FAIL=$((VG_FAIL + 1))
	printf 'FAIL: %s\n' "$1"
	shift
	[ $# -gt 0 ] && printf '  %s\n' "$@"
	return 0
}

assert_eq() { # description, expected, actual
	if [ "$2" = "$3" ]; then
		ok
	else
		bad "$1" "expected: $2" "actual:   $3"
	fi
}

assert_ne() { # description, unexpected, actual
	if [ "$2" != "$3" ]; then
		ok
	else
		bad "$1" "did not expect: $2"
	fi
}

assert_contains() { # description, haystack, needle
	case "$2" in
	*"$3"*) ok ;;
	*) bad "$1" "missing: $3" "in: $(printf '%s' "$2" | head -c 2000)" ;;
	esac
}

assert_not_contains() { # description, haystack, needle
	case "$2" in
	*"$3"*) bad "$1" "unexpected: $3" "in: $(printf '%s' "$2" | head -c 2000)" ;;
	*) ok ;;
	esac
}

assert_true() { # description, command...
	local d=$1
	shift
	if "$@"; then
		ok
	else
		bad "$d" "command failed: $*"
	fi
}

# Runs vigil with the given arguments; leaves stdout in OUT, stderr in ERR and
# the exit status in RC. Never hangs for long: a scan that does not end in
# 20 seconds is killed (RC 124). RUN_PREFIX, when set, goes in front (e.g. the
# command that drops privileges).
run() {
	local o="$WORK/.out" e="$WORK/.err"
	# shellcheck disable=SC2086
	timeout 20 ${RUN_PREFIX:-} "$VIGIL" "$@" >"$o" 2>"$e" </dev/null
	RC=$?
	OUT=$(cat "$o")
	ERR=$(cat "$e")
	if grep -qE 'runtime error:|AddressSanitizer|LeakSanitizer' "$e"; then
		bad "sanitizer report from: vigil $*" "$(head -20 "$e")"
	fi
}

assert_exit() { # description, expected status (uses RC from run)
	if [ "$RC" = "$2" ]; then
		ok
	else
		bad "$1" "expected exit $2, got $RC" "stdout: $(printf '%s' "$OUT" | head -c 1500)" \
			"stderr: $(printf '%s' "$ERR" | head -c 1500)"
	fi
}

# Validates JSON on stdin; prints nothing.
json_valid() {
	python3 -c 'import json,sys; json.load(sys.stdin)'
}

# Evaluates a Python expression over the parsed JSON document `d` read from
# stdin and prints the result (lists one item per line).
json_q() { # expression
	python3 -c '
import json, sys
d = json.load(sys.stdin)
r = eval(sys.argv[1])
if isinstance(r, (list, tuple)):
    for x in r:
        print(x)
else:
    print(r)
' "$1"
}

is_root() {
	[ "$(id -u)" = 0 ]
}

finish() {
	echo "$VG_PASS passed, $VG_FAIL failed"
	[ "$VG_FAIL" -eq 0 ] || exit 1
	exit 0
}

# A small tree policy most scripts use:
#   t.pw     medium  content forbid in **/*.conf, the value as the secret group
#   t.umask  high    content require in *.sh
#   t.todo   low     content forbid in *.txt
#   t.token  high    content forbid anywhere, sensitive (redacted evidence)
#   t.key    critical file mode_max 0600 for *.key
write_tree_policy() { # file
	cat >"$1" <<'YAML'
pack: t
title: Test pack
version: "1.0"
targets: [tree]
rules:
  - id: t.pw
    title: Password in a config file
    severity: medium
    check:
      content:
        paths: ["**/*.conf"]
        forbid: 'password\s*=\s*(?<value>\S+)'
    examples:
      fail: [{path: a.conf, content: "password = x"}]
      pass: [{path: a.conf, content: "user = x"}, {path: a.txt, content: "password = x"}]
  - id: t.umask
    title: Scripts set a umask
    severity: high
    check:
      content:
        paths: ["*.sh"]
        require: '^umask 0[27]7'
    examples:
      fail: [{path: a.sh, content: "echo hi\n"}]
      pass: [{path: a.sh, content: "umask 027\n"}]
  - id: t.todo
    title: TODO left in notes
    severity: low
    check:
      content:
        paths: ["*.txt"]
        forbid: 'TODO'
    examples:
      fail: [{path: a.txt, content: "TODO"}]
      pass: [{path: a.txt, content: "done"}]
  - id: t.token
    title: Test token
    severity: high
    sensitive: true
    check:
      content:
        forbid: 'tok_(?<secret>[a-z0-9]{16})'
    examples:
      fail: ["t = tok_0123456789abcdef"]
      pass: ["t = tok_short"]
  - id: t.key
    title: Key files are private
    severity: critical
    check:
      file:
        paths: ["*.key"]
        mode_max: "0600"
    examples:
      fail: [{files: {a.key: {content: "k", mode: "0644"}}}]
      pass: [{files: {a.key: {content: "k", mode: "0600"}}}]
YAML
}

# Findings of a JSON report on stdin as "rule status path:line:col" lines.
json_findings() {
	python3 -c '
import json, sys
d = json.load(sys.stdin)
for f in d["findings"]:
    l = f.get("location", {})
    print("%s %s %s:%s:%s" % (f["rule"], f["status"], l.get("path", l.get("object", "-")),
                              l.get("line", 0), l.get("col", 0)))
'
}

# Runs the rest of a test as an unprivileged user when running as root, so
# permission checks bite. Prints the command prefix, or nothing when there
# is no way to drop privileges (the caller then skips).
unprivileged() {
	if ! is_root; then
		return 0
	fi
	if command -v setpriv >/dev/null 2>&1; then
		printf 'setpriv --reuid=65534 --regid=65534 --clear-groups'
		return 0
	fi
	return 1
}
