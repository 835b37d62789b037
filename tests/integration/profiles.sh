#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Which rules run and with what outcome: --rule, --skip-rule, --profile
# (select, deselect, extends, vars, severity) and --var.
set -u
. "$(dirname "$0")/lib.sh"

cd "$WORK" || exit 2
cat >p.yaml <<'EOF'
pack: p
title: Profiles
version: "2.1"
targets: [tree]
vars:
  word: {default: secret, description: the forbidden word}
  max_size: 100
profiles:
  - id: base
    title: Words only
    select: ["p.word*"]
    vars: {word: hush}
  - id: strict
    title: Strict words
    extends: base
    deselect: ["p.word2"]
    severity: {"p.word": critical}
  - id: everything
    title: All rules
rules:
  - id: p.word
    title: forbidden word
    severity: low
    check:
      content:
        forbid: {var: word}
    examples: {fail: ["secret"], pass: ["x"]}
  - id: p.word2
    title: second word
    severity: low
    check:
      content:
        forbid: 'alsobad'
    examples: {fail: ["alsobad"], pass: ["x"]}
  - id: p.todo
    title: TODO
    severity: medium
    check:
      content:
        forbid: 'TODO'
    examples: {fail: ["TODO"], pass: ["x"]}
  - id: p.size
    title: small files
    severity: high
    check:
      file:
        paths: ["*.txt"]
        size: {max: {var: max_size}}
    examples:
      fail: [{files: {a.txt: {content: "0123456789"}}}]
      pass: [{files: {a.txt: {content: ""}}}]
EOF
mkdir t
printf 'secret\nhush\nalsobad\nTODO\n' >t/a.txt

ran() { # the ids of the rules that were evaluated, sorted, from a JSON report on stdin
	json_q '" ".join(sorted(set(f["rule"] for f in d["findings"])))'
}
failed() { # the ids of failing rules, sorted
	json_q '" ".join(sorted(set(f["rule"] for f in d["findings"] if f["status"] == "fail")))'
}

run scan --policy p.yaml --format json t
assert_exit "every rule by default" 1
assert_eq "every rule runs by default" "p.size p.todo p.word p.word2" "$(ran <<<"$OUT")"
assert_eq "the size rule passes with its default variable" "p.todo p.word p.word2" \
	"$(failed <<<"$OUT")"
assert_eq "the pack and its version are recorded" "p@2.1" "$(json_q 'd["scan"]["policies"][0]' <<<"$OUT")"

# ---- --rule / --skip-rule ----
run scan --policy p.yaml --rule p.todo --format json t
assert_eq "--rule selects one rule" "p.todo" "$(ran <<<"$OUT")"
run scan --policy p.yaml --rule 'p.word*' --format json t
assert_eq "--rule takes a glob" "p.word p.word2" "$(ran <<<"$OUT")"
run scan --policy p.yaml --rule p.todo --rule p.size --format json t
assert_eq "--rule is repeatable" "p.size p.todo" "$(ran <<<"$OUT")"
run scan --policy p.yaml --skip-rule 'p.word*' --format json t
assert_eq "--skip-rule leaves rules out" "p.size p.todo" "$(ran <<<"$OUT")"
run scan --policy p.yaml --rule 'p.*' --skip-rule p.todo --skip-rule p.size --format json t
assert_eq "--skip-rule wins over --rule" "p.word p.word2" "$(ran <<<"$OUT")"
run scan --policy p.yaml --skip-rule 'p.*' t
assert_exit "skipping every rule: nothing fails" 0
run scan --policy p.yaml --rule p.size t
assert_exit "only a passing rule selected: exit 0" 0
run scan --policy p.yaml --rule p.nosuch t
assert_exit "a --rule matching nothing is an error" 2

# ---- --profile ----
run scan --policy p.yaml --profile base --format json t
assert_eq "a profile selects its rules" "p.word p.word2" "$(ran <<<"$OUT")"
assert_eq "a profile sets variables" "2" \
	"$(json_q '[f["location"]["line"] for f in d["findings"] if f["rule"] == "p.word"][0]' <<<"$OUT")"
assert_eq "the profile is recorded" "base" "$(json_q 'd["scan"].get("profile")' <<<"$OUT")"
run scan --policy p.yaml --profile strict --format json t
assert_eq "extends inherits the selection; deselect removes" "p.word" "$(ran <<<"$OUT")"
assert_eq "extends inherits the variables" "2" \
	"$(json_q '[f["location"]["line"] for f in d["findings"] if f["rule"] == "p.word"][0]' <<<"$OUT")"
assert_eq "a profile overrides the severity" "critical" \
	"$(json_q '[f["severity"] for f in d["findings"] if f["rule"] == "p.word"][0]' <<<"$OUT")"
run scan --policy p.yaml --profile base --fail-on high t
assert_exit "low failures under --fail-on high pass" 0
run scan --policy p.yaml --profile strict --fail-on high t
assert_exit "the raised severity makes the same failure fail --fail-on high" 1
run scan --policy p.yaml --profile everything --format json t
assert_eq "a profile without select takes every rule" "p.size p.todo p.word p.word2" \
	"$(ran <<<"$OUT")"
run scan --policy p.yaml --profile strict --rule p.word2 t
assert_exit "--rule narrows a profile; a rule it does not select stays out" 0
run scan --policy p.yaml --profile nosuch t
assert_exit "an unknown profile is an error" 2
assert_contains "the unknown profile is named" "$ERR" "nosuch"

# ---- --var ----
run scan --policy p.yaml --var word=alsobad --rule p.word --format json t
assert_eq "--var changes what a rule looks for" "3" \
	"$(json_q '[f["location"]["line"] for f in d["findings"] if f["rule"] == "p.word"][0]' <<<"$OUT")"
run scan --policy p.yaml --profile base --var word=TODO --rule p.word --format json t
assert_eq "--var wins over the profile's value" "4" \
	"$(json_q '[f["location"]["line"] for f in d["findings"] if f["rule"] == "p.word"][0]' <<<"$OUT")"
run scan --policy p.yaml --var max_size=5 --rule p.size --format json t
assert_exit "a numeric --var makes the size rule fail" 1
assert_eq "the size rule fails at the file" "a.txt" \
	"$(json_q '[f["location"]["path"] for f in d["findings"] if f["status"] == "fail"][0]' <<<"$OUT")"
run scan --policy p.yaml --var word=nothing-like-it --rule p.word t
assert_exit "--var to a word not present: pass" 0
run scan --policy p.yaml --var nosuch=1 t
assert_exit "an unknown --var is an error" 2
run scan --policy p.yaml --var novalue t
assert_exit "a --var without '=' is an error" 2
run scan --policy p.yaml --var 'word=(' --rule p.word t
assert_exit "a --var that makes an invalid regex is an error" 2

# ---- rules list follows the selection ----
run rules list --policy p.yaml --profile strict
assert_contains "rules list shows the profile's rules" "$OUT" "p.word"
assert_not_contains "rules list leaves out deselected rules" "$OUT" "p.word2"
run rules list --policy p.yaml --skip-rule p.todo
assert_not_contains "rules list honours --skip-rule" "$OUT" "p.todo"

finish
