#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Malformed and hostile policies through the binary: `rules lint` and `scan
# --policy` exit 2 and list every problem as FILE:LINE:COL; `rules show`,
# `rules list --profile` and bad --profile/--var values.
set -u
. "$(dirname "$0")/lib.sh"

cd "$WORK" || exit 2
mkdir tree
printf 'password = hunter2\n' >tree/app.conf

# Every "WHERE: MESSAGE" given must be in ERR (WHERE is FILE:LINE:COL).
expect_diags() { # description, "where|message"...
	local d=$1 item
	shift
	for item in "$@"; do
		assert_contains "$d: ${item%%|*}" "$ERR" "${item%%|*}: ${item#*|}"
	done
}

# The number of "FILE:LINE:COL: " lines in ERR for file.
count_diags() { # file
	printf '%s\n' "$ERR" | grep -cE "^$1:[0-9]+:[0-9]+: " || true
}

# ---- a valid pack lints clean ----

cat >valid.yaml <<'EOF'
pack: valid
title: A valid pack
version: "1.0"
targets: [tree]
vars:
  word: {default: password, description: the word to look for}
profiles:
  - id: base
    select: ["valid.pw*"]
  - id: strict
    extends: base
    select: [valid.key]
    severity: {"valid.pw*": critical}
rules:
  - id: valid.pw
    title: Password in a config file
    severity: medium
    tags: [cwe-798, secrets]
    description: Passwords do not belong in config files.
    references: ["https://cwe.mitre.org/data/definitions/798.html"]
    precision: high
    security_severity: 7.5
    remediation:
      text: Move the password to a secret store.
      script: |
        sed -i '/password/d' app.conf
    check:
      content:
        paths: ["**/*.conf"]
        forbid: '(?i)password\s*=\s*\S+'
    examples:
      fail: [{path: a.conf, content: "password = x"}]
      pass: [{path: a.conf, content: "user = x"}]
  - id: valid.pw-word
    title: The configured word
    severity: low
    check: {content: {forbid: {var: word}}}
    examples:
      fail: ["password"]
      pass: ["nothing"]
  - id: valid.key
    title: Keys are private
    severity: high
    check:
      all:
        - file: {paths: ["*.key"], mode_max: "0600"}
        - not: {file: {path: "id_rsa", exists: true}}
    examples:
      fail: [{files: {a.key: {content: k, mode: "0644"}}}]
      pass: [{files: {a.key: {content: k, mode: "0600"}}}]
EOF

run rules lint valid.yaml
assert_exit 'a valid pack lints with exit 0' 0
assert_contains 'lint says ok' "$OUT" 'valid.yaml: ok (3 rules)'
assert_eq 'lint of a valid pack writes nothing to stderr' '' "$ERR"

run rules test --policy valid.yaml
assert_exit 'the valid pack passes its own examples' 0

# ---- many problems in one file, all listed at once ----

cat >many.yaml <<'EOF'
pack: many
title: Many problems
colour: blue
vars: {known: 1}
profiles:
  - id: loop1
    extends: loop2
  - id: loop2
    extends: loop1
  - id: orphan
    extends: nobody
rules:
  - id: many.a
    title: Unknown rule key and bad severity
    severity: hgh
    owner: me
    check: {file: {path: /etc/x, exists: true}}
  - id: many.a
    title: Duplicate id, bad regex
    severity: low
    check: {content: {forbid: 'abc(def'}}
  - id: Many.Upper
    title: Bad id, unknown check type
    severity: low
    check: {frobnicate: {x: 1}}
  - id: many.b
    title: Unknown target, two check keys
    severity: low
    applies: {target: [tree, moon]}
    check: {file: {path: x, exists: true}, content: {forbid: x}}
  - id: many.c
    title: Empty all, not with a list
    severity: low
    check: {any: [{all: []}, {not: [{file: {path: x, exists: true}}]}]}
  - id: many.d
    title: mode_max not octal, unknown variable
    severity: low
    check: {file: {path: x, mode_max: "0999", owner: {var: nope}}}
  - id: many.e
    title: Bad examples
    severity: low
    check: {file: {path: /etc/x, exists: true}}
    examples:
      fail:
        - {content: x, files: {/a: b}}
        - files:
            /l: {type: symlink}
  - id: many.f
    title: A check that cannot evaluate git
    severity: low
    applies: {target: git}
    check: {file: {path: x, exists: true}}
EOF

many=(
	"many.yaml:3:1|unknown key 'colour'"
	"many.yaml:7:14|profile 'loop1': 'extends' chain is circular"
	"many.yaml:9:14|profile 'loop2': 'extends' chain is circular"
	"many.yaml:11:14|profile 'orphan' extends unknown profile 'nobody'"
	"many.yaml:15:15|rule many.a: severity must be one of info, low, medium, high, critical"
	"many.yaml:16:5|rule many.a: unknown key 'owner'"
	"many.yaml:18:9|rule many.a: duplicate rule id 'many.a' (first defined at many.yaml:13)"
	"many.yaml:21:39|rule many.a: invalid regular expression: missing closing parenthesis"
	"many.yaml:22:9|rule Many.Upper: rule ids are dotted lower-case names"
	"many.yaml:25:13|rule Many.Upper: unknown check type 'frobnicate' (known: all, any, not, file"
	"many.yaml:29:30|rule many.b: unknown target kind 'moon'"
	"many.yaml:30:12|rule many.b: a check is a mapping with exactly one key"
	"many.yaml:34:25|rule many.c: 'all' takes a non-empty list of checks"
	"many.yaml:34:36|rule many.c: a check is a mapping with exactly one key"
	"many.yaml:38:39|rule many.d: mode_max must be octal permission bits"
	"many.yaml:45:11|rule many.e: an example has either 'content' (with an optional 'path') or 'files'"
	"many.yaml:47:17|rule many.e: a symlink example needs 'target'"
	"many.yaml:52:12|rule many.f: this check cannot evaluate target kind 'git'"
)

run rules lint many.yaml
assert_exit 'lint of a broken pack exits 2' 2
expect_diags 'lint lists' "${many[@]}"
assert_eq 'lint lists each problem once' "${#many[@]}" "$(count_diags many.yaml)"
assert_contains 'lint sums up' "$ERR" "many.yaml: invalid (invalid policy: ${#many[@]} problems)"
assert_not_contains 'lint does not call the pack ok' "$OUT" 'ok ('

run scan --policy many.yaml tree
assert_exit 'scan with a broken policy exits 2' 2
expect_diags 'scan lists' "${many[@]}"
assert_eq 'scan lists each problem once' "${#many[@]}" "$(count_diags many.yaml)"
assert_not_contains 'scan scans nothing with a broken policy' "$OUT" 'app.conf'

# many.d's unknown variable is reported once file.c's own checks stop short of it
cat >vars.yaml <<'EOF'
pack: v
title: Variables
vars: {word: x}
rules:
  - id: v.a
    title: {var: nope}
    severity: {var: word}
    check: {content: {forbid: {var: missing}}}
EOF
run rules lint vars.yaml
assert_exit 'unknown variables fail lint' 2
expect_diags 'variables' \
	"vars.yaml:6:18|rule v.a: unknown variable 'nope'" \
	"vars.yaml:7:15|rule v.a: severity must be one of" \
	"vars.yaml:8:37|rule v.a: unknown variable 'missing'"
assert_eq 'each variable problem once' 3 "$(count_diags vars.yaml)"

# ---- several files: every file checked, problems across packs found ----

run rules lint valid.yaml many.yaml
assert_exit 'lint of a good and a bad file exits 2' 2
assert_contains 'the good file is still checked' "$OUT" 'valid.yaml: ok (3 rules)'
assert_contains 'the bad file is reported' "$ERR" 'many.yaml: invalid'

mkdir packs packs/sub
cat >packs/a.yaml <<'EOF'
pack: a
title: A
vars: {port: 22}
rules:
  - {id: x.shared, title: A, severity: low, check: {file: {path: x, exists: true}}}
EOF
cat >packs/sub/b.yml <<'EOF'
pack: b
title: B
vars:
  port: 2222
rules:
  - {id: x.mine, title: B, severity: low, check: {file: {path: x, exists: true}}}
  - {id: x.shared, title: B, severity: low, check: {file: {path: x, exists: true}}}
EOF
printf 'not yaml: [[[' >packs/notes.txt
run rules lint packs
assert_exit 'duplicates across packs in a directory exit 2' 2
first='(first defined at packs/a.yaml:5)'
expect_diags 'directory' \
	"packs/sub/b.yml:7:10|rule x.shared: duplicate rule id 'x.shared' $first" \
	"packs/sub/b.yml:4:3|variable 'port' is already defined by pack 'a'"
run scan --policy packs tree
assert_exit 'scan with duplicates across packs exits 2' 2
assert_contains 'scan names the duplicate' "$ERR" "packs/sub/b.yml:7:10: rule x.shared: duplicate"

# ---- hostile input: a clear diagnostic and exit 2, never a crash or a hang ----

hostile() { # description, path, expected text in stderr
	run rules lint "$2"
	assert_exit "lint $1 exits 2" 2
	assert_contains "lint $1 says where" "$ERR" "$2:"
	assert_contains "lint $1 says what" "$ERR" "$3"
	run scan --policy "$2" tree
	assert_exit "scan --policy $1 exits 2" 2
	assert_contains "scan --policy $1 says what" "$ERR" "$3"
}

: >empty.yaml
hostile 'an empty file' empty.yaml 'empty.yaml:1:1: empty policy file'

head -c 5000 /dev/urandom >garbage.yaml
printf '\0\377\376binary' >>garbage.yaml
hostile 'binary garbage' garbage.yaml 'garbage.yaml:'

python3 -c 'import sys; sys.stdout.write("#" * (9 * 1024 * 1024))' >huge.yaml
hostile 'a file over the size cap' huge.yaml 'larger than'

{
	echo 'a: &a [x, x, x, x, x, x, x, x, x, x]'
	prev=a
	for n in b c d e f g h i; do
		echo "$n: &$n [*$prev, *$prev, *$prev, *$prev, *$prev, *$prev, *$prev, *$prev, *$prev, *$prev]"
		prev=$n
	done
} >laughs.yaml
hostile 'billion laughs' laughs.yaml 'nodes'

python3 -c 'print("[" * 5000 + "]" * 5000)' >deep.yaml
hostile 'deep nesting' deep.yaml 'nesting deeper than'

printf 'pack: a\npack: b\ntitle: T\nrules: []\n' >dupkey.yaml
hostile 'a duplicate key' dupkey.yaml 'dupkey.yaml:2:1:'

printf 'pack: a\ntitle: T\nrules: []\n---\npack: b\n' >twodocs.yaml
hostile 'two documents' twodocs.yaml 'twodocs.yaml:'

hostile 'a missing file' missing.yaml 'missing.yaml:1:1:'

mkdir noyaml
printf 'pack: x\n' >noyaml/readme.txt
hostile 'a directory without yaml' noyaml 'no policy files (*.yaml) in directory'

mkdir fifo
mkfifo fifo/x.yaml
hostile 'a FIFO named x.yaml' fifo 'fifo/x.yaml:1:1:'
hostile 'a FIFO given directly' fifo/x.yaml 'fifo'

printf 'pack: s\ntitle: S\nrules: []\n' >secret.yaml
chmod 000 secret.yaml
if prefix=$(unprivileged) && [ -n "$prefix" ] || ! is_root; then
	chmod 755 "$WORK"
	RUN_PREFIX=${prefix:-} run rules lint "$WORK/secret.yaml"
	assert_exit 'lint of an unreadable file exits 2' 2
	assert_contains 'lint of an unreadable file says where' "$ERR" "$WORK/secret.yaml:1:1:"
	chmod 700 "$WORK"
else
	echo 'SKIP: unreadable file (running as root without setpriv)'
fi

# ---- rules show / list / profiles ----

run rules show --policy valid.yaml valid.pw
assert_exit 'rules show exits 0' 0
assert_contains 'show: id' "$OUT" 'valid.pw'
assert_contains 'show: title' "$OUT" 'Password in a config file'
assert_contains 'show: severity' "$OUT" 'medium'
assert_contains 'show: tags' "$OUT" 'cwe-798 secrets'
assert_contains 'show: source' "$OUT" 'valid.yaml:15'
assert_contains 'show: remediation' "$OUT" 'Move the password to a secret store.'
assert_contains 'show: script' "$OUT" "sed -i '/password/d' app.conf"
assert_contains 'show: check' "$OUT" '- content'

run rules show --policy valid.yaml valid.key
assert_exit 'rules show of a combinator rule exits 0' 0
assert_contains 'show: the check tree' "$OUT" '- all'
assert_contains 'show: a nested not' "$OUT" '- not'

run rules show --policy valid.yaml valid.nope
assert_exit 'rules show of an unknown id exits 2' 2
assert_contains 'show: unknown id' "$ERR" "no rule 'valid.nope'"

run rules show --policy many.yaml many.a
assert_exit 'rules show with a broken policy exits 2' 2

run rules list --policy valid.yaml
assert_exit 'rules list exits 0' 0
assert_eq 'rules list without a profile lists every rule' 3 \
	"$(printf '%s\n' "$OUT" | grep -c '^valid\.')"

run rules list --policy valid.yaml --profile base
assert_exit 'rules list --profile exits 0' 0
assert_contains 'base selects valid.pw' "$OUT" 'valid.pw '
assert_contains 'base selects valid.pw-word' "$OUT" 'valid.pw-word'
assert_not_contains 'base leaves out valid.key' "$OUT" 'valid.key'

run rules list --policy valid.yaml --profile strict
assert_exit 'rules list with an extending profile exits 0' 0
assert_eq 'strict adds to base' 3 "$(printf '%s\n' "$OUT" | grep -c '^valid\.')"
assert_true 'strict raises valid.pw to critical' \
	grep -qE '^valid\.pw +critical' <<<"$OUT"
assert_true 'strict leaves valid.key at high' grep -qE '^valid\.key +high' <<<"$OUT"

run rules list --policy valid.yaml --profile strict --skip-rule 'valid.pw*'
assert_exit 'profile with --skip-rule exits 0' 0
assert_eq '--skip-rule removes from a profile' 'valid.key' \
	"$(printf '%s\n' "$OUT" | awk '{print $1}')"

run rules list --policy valid.yaml --profile base --rule valid.key
assert_exit 'profile with --rule exits 0' 0
assert_eq '--rule never adds what the profile leaves out' '' "$OUT"

run rules list --policy valid.yaml --profile nope
assert_exit 'an unknown --profile exits 2' 2
assert_contains 'an unknown --profile is named' "$ERR" \
	"--profile:1:1: unknown profile 'nope' (known: base, strict)"

run scan --policy valid.yaml --profile nope tree
assert_exit 'scan with an unknown --profile exits 2' 2
assert_contains 'scan names the unknown profile' "$ERR" "unknown profile 'nope'"

run rules list --policy valid.yaml --var nosuch=1 --var novalue --var =x
assert_exit 'bad --var values exit 2' 2
expect_diags '--var' \
	"--var:1:1|unknown variable 'nosuch'" \
	"--var:1:1|'novalue' is not NAME=VALUE" \
	"--var:1:1|'=x' is not NAME=VALUE"

run scan --policy valid.yaml --var 'word=(unclosed' tree
assert_exit 'a --var value that breaks a regex exits 2' 2
assert_contains 'the broken regex is traced to its variable' "$ERR" \
	"valid.yaml:37:31: rule valid.pw-word: invalid regular expression in variable 'word'"

run scan --policy valid.yaml --rule valid.pw-word --var word=hunter2 tree
assert_exit 'a --var value is used by the scan' 1
assert_contains 'the variable found its match' "$OUT" 'app.conf'

finish
