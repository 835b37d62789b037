#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# --root: an offline image in a directory. Absolute paths in rules, absolute
# symlinks and ".." all stay inside the image; the embedded linux.files.*
# rules; content checks on absolute paths; applies.exists / os_family;
# not-evaluated without privileges.
set -u
. "$(dirname "$0")/lib.sh"

cd "$WORK" || exit 2
IMG=$WORK/image
# the four account-file rules of rules/linux/account-files.yaml (other
# linux.files.* rules look at more of the image)
ACCOUNT_RULES=(--rule linux.files.passwd --rule linux.files.shadow --rule linux.files.gshadow
	--rule linux.files.group)

# A minimal Debian-like image with correct modes.
mk_image() {
	rm -rf "$IMG"
	mkdir -p "$IMG/etc/ssh" "$IMG/usr/lib" "$IMG/root"
	printf 'root:x:0:0:root:/root:/bin/bash\nimgonly:x:1000:1000::/home/imgonly:/bin/sh\n' \
		>"$IMG/etc/passwd"
	printf 'root:x:0:\nshadow:x:42:\nimgonly:x:1000:\n' >"$IMG/etc/group"
	printf 'root:*:19000:0:99999:7:::\n' >"$IMG/etc/shadow-real"
	ln -s /etc/shadow-real "$IMG/etc/shadow"      # absolute: must resolve in the image
	printf 'root:*::\n' >"$IMG/etc/gshadow"
	printf 'PRETTY_NAME="Test"\nID=debian\n' >"$IMG/usr/lib/os-release"
	ln -s ../usr/lib/os-release "$IMG/etc/os-release"
	chmod 644 "$IMG/etc/passwd" "$IMG/etc/group"
	chmod 640 "$IMG/etc/shadow-real" "$IMG/etc/gshadow"
	if is_root; then
		chown -R 0:0 "$IMG"
		chgrp 42 "$IMG/etc/shadow-real" "$IMG/etc/gshadow"
	fi
}

# ---- the embedded linux.files.* rules ----
mk_image
run scan --root "$IMG" "${ACCOUNT_RULES[@]}" --format json
if is_root; then
	assert_exit "a correct image passes the embedded account-file rules" 0
	assert_eq "all four rules pass" "4" \
		"$(json_q 'len([f for f in d["findings"] if f["status"] == "pass"])' <<<"$OUT")"
else
	echo "SKIP: the owner checks of linux.files.* need files owned by root"
fi
assert_eq "the target is labelled root:DIR" "root:$IMG" "$(json_q 'd["scan"]["targets"][0]' <<<"$OUT")"

chmod 644 "$IMG/etc/shadow-real"
run scan --root "$IMG" "${ACCOUNT_RULES[@]}" --format json
assert_exit "a world-readable shadow (through an absolute symlink) fails" 1
f=$(json_findings <<<"$OUT")
assert_contains "the shadow finding is at /etc/shadow" "$f" "linux.files.shadow fail /etc/shadow"
if is_root; then
	assert_eq "only the shadow rule fails" 1 "$(grep -c ' fail ' <<<"$f")"
fi
chmod 666 "$IMG/etc/passwd"
chmod 664 "$IMG/etc/group"
chmod 604 "$IMG/etc/gshadow"
run scan --root "$IMG" "${ACCOUNT_RULES[@]}" --format json
f=$(json_findings <<<"$OUT")
assert_contains "a writable passwd fails" "$f" "linux.files.passwd fail /etc/passwd"
assert_contains "a writable group fails" "$f" "linux.files.group fail /etc/group"
assert_contains "a readable gshadow fails" "$f" "linux.files.gshadow fail /etc/gshadow"
run scan --root "$IMG" "${ACCOUNT_RULES[@]}" --fail-on critical
assert_exit "--fail-on critical ignores these" 0

# ownership is named from the image's own /etc/passwd
mk_image
if is_root; then
	chown 1000 "$IMG/etc/passwd"
	run scan --root "$IMG" --rule linux.files.passwd --format json
	assert_exit "passwd owned by uid 1000 fails" 1
	assert_contains "the owner is named from the image's passwd" \
		"$(json_q '[f["message"] for f in d["findings"] if f["status"] == "fail"][0]' <<<"$OUT")" \
		"imgonly"
	chown 0 "$IMG/etc/passwd"
fi

# ---- absolute paths and symlinks resolve inside the image ----
mk_image
ln -s /etc/passwd "$IMG/etc/alias"
ln -s ../../../../../../../../etc/passwd "$IMG/etc/dotdot"
ln -s /../../etc/passwd "$IMG/etc/absdotdot"
mkdir -p "$IMG/srv"
ln -s / "$IMG/srv/rootlink"
cat >r.yaml <<'EOF'
pack: r
title: Root rules
version: "1"
targets: [root]
rules:
  - id: r.alias
    title: image user in the aliased file
    severity: high
    check:
      content:
        paths: [/etc/alias, /etc/dotdot, /etc/absdotdot, /srv/rootlink/etc/passwd]
        forbid: '^(?<value>imgonly):'
    examples:
      fail: [{files: {/etc/alias: {content: "imgonly:x"}}}]
      pass: [{files: {/etc/alias: {content: "other:x"}}}]
  - id: r.escape
    title: dotdot stays in the image
    severity: high
    check:
      file: {path: /../../../etc/shadow-real, exists: true}
    examples:
      fail: [{files: {/etc/x: {content: "x"}}}]
      pass: [{files: {/etc/shadow-real: {content: "x"}}}]
  - id: r.link
    title: shadow is a symlink to the real file
    severity: medium
    check:
      file: {path: /etc/shadow, type: symlink, link_target: /etc/shadow-real}
    examples:
      fail: [{files: {/etc/shadow: {content: "x"}}}]
      pass: [{files: {/etc/shadow: {type: symlink, target: /etc/shadow-real}}}]
  - id: r.debian
    title: Debian-only rule
    severity: high
    applies: {os_family: [debian]}
    check: {file: {path: /etc/debian-marker, exists: true}}
    examples:
      fail: [{files: {/etc/os-release: {content: "ID=debian\n"}}}]
      pass: [{files: {/etc/os-release: {content: "ID=debian\n"}, /etc/debian-marker: {content: ""}}}]
  - id: r.fedora
    title: Fedora-only rule
    severity: high
    applies: {os_family: [fedora, rhel]}
    check: {file: {path: /etc/fedora-marker, exists: true}}
    examples:
      fail: [{files: {/etc/os-release: {content: "ID=fedora\n"}}}]
      pass: [{files: {/etc/os-release: {content: "ID=debian\n"}}}]
  - id: r.sshd
    title: Needs sshd_config
    severity: high
    applies: {exists: /etc/ssh/sshd_config}
    check: {content: {paths: [/etc/ssh/sshd_config], forbid: '^PermitRootLogin yes'}}
    examples:
      fail: [{files: {/etc/ssh/sshd_config: {content: "PermitRootLogin yes\n"}}}]
      pass: [{files: {/etc/ssh/sshd_config: {content: "PermitRootLogin no\n"}}}]
EOF
run rules test --policy r.yaml
assert_exit "the root test pack's own examples pass" 0
run scan --root "$IMG" --policy r.yaml --format json
assert_true "the report is valid JSON" json_valid <<<"$OUT"
f=$(json_findings <<<"$OUT")
assert_contains "an absolute symlink to /etc/passwd reads the image's file" "$f" \
	"r.alias fail /etc/alias:2:1"
assert_contains "a relative symlink climbing past / stays in the image" "$f" \
	"r.alias fail /etc/dotdot:2:1"
assert_contains "an absolute symlink with .. stays in the image" "$f" \
	"r.alias fail /etc/absdotdot:2:1"
assert_contains "a symlink to / is the image's root" "$f" \
	"r.alias fail /srv/rootlink/etc/passwd:2:1"
assert_eq "the evidence is the image's line" "imgonly:x:1000:1000::/home/imgonly:/bin/sh" \
	"$(json_q '[f["evidence"] for f in d["findings"] if f["rule"] == "r.alias"][0]' <<<"$OUT")"
assert_contains "a rule path with .. resolves inside the image" "$f" "r.escape pass"
assert_contains "link_target reads the symlink as stored" "$f" "r.link pass"
assert_contains "os_family matches ID=debian (through a relative os-release link)" "$f" \
	"r.debian fail file:/etc/debian-marker"
assert_contains "another os_family is not applicable" "$f" "r.fedora not-applicable"
assert_contains "applies.exists unmet (no sshd_config yet): not applicable" "$f" \
	"r.sshd not-applicable"
printf 'PermitRootLogin yes\n' >"$IMG/etc/ssh/sshd_config"
run scan --root "$IMG" --policy r.yaml --format json
assert_contains "content checks read absolute paths inside the image" \
	"$(json_findings <<<"$OUT")" "r.sshd fail /etc/ssh/sshd_config:1:1"
rm -rf "$IMG/etc/ssh"
run scan --root "$IMG" --policy r.yaml --format json
assert_eq "applies.exists unmet: not-applicable, with the reason" \
	"not-applicable" \
	"$(json_q '[f["status"] for f in d["findings"] if f["rule"] == "r.sshd"][0]' <<<"$OUT")"
assert_contains "the not-applicable reason names the path" \
	"$(json_q '[f["message"] for f in d["findings"] if f["rule"] == "r.sshd"][0]' <<<"$OUT")" \
	"/etc/ssh/sshd_config"
rm "$IMG/etc/os-release" "$IMG/usr/lib/os-release"
run scan --root "$IMG" --policy r.yaml --format json
assert_eq "without os-release an os_family rule is not applicable" "not-applicable" \
	"$(json_q '[f["status"] for f in d["findings"] if f["rule"] == "r.debian"][0]' <<<"$OUT")"
printf 'ID=ubuntu\nID_LIKE="debian"\n' >"$IMG/etc/os-release"
run scan --root "$IMG" --policy r.yaml --format json
assert_eq "ID_LIKE counts for os_family" "fail" \
	"$(json_q '[f["status"] for f in d["findings"] if f["rule"] == "r.debian"][0]' <<<"$OUT")"

# a content glob over a directory with special files: never opened, never an error
mkdir -p "$IMG/var/spool"
mkfifo "$IMG/var/spool/fifo"
printf 'imgonly\0binary\n' >"$IMG/var/spool/bin"
printf 'imgonly text\n' >"$IMG/var/spool/text"
ln -s /etc "$IMG/var/spool/dirlink"
ln -s /var/spool/fifo "$IMG/var/spool/fifolink"
ln -s /nowhere "$IMG/var/spool/dangling"
cat >spool.yaml <<'EOF'
pack: spool
title: Spool
version: "1"
targets: [root]
rules:
  - id: spool.word
    title: word in spool
    severity: low
    check: {content: {paths: ["/var/spool/*"], forbid: 'imgonly'}}
    examples:
      fail: [{files: {/var/spool/a: {content: "imgonly"}}}]
      pass: [{files: {/var/spool/a: {content: "x"}}}]
EOF
start=$(date +%s)
run scan --root "$IMG" --policy spool.yaml --format json
assert_true "special files in a root glob do not block" test $(($(date +%s) - start)) -lt 15
assert_exit "special files in a root glob: no error, the text file fails" 1
assert_eq "only the text file is read (binary files are skipped)" \
	"spool.word fail /var/spool/text:1:1" "$(json_findings <<<"$OUT")"
rm "$IMG/var/spool/text"
run scan --root "$IMG" --policy spool.yaml --format json
assert_exit "special files, a binary and a symlink to a directory: a pass, not an error" 0

# the --root itself given through a symlink
ln -s "$IMG" imglink
run scan --root imglink --policy r.yaml --rule r.link
assert_exit "a --root named through a symlink is opened" 0

# tree rules do not run on a root target and root rules not on a tree
run scan --root "$IMG" --policy r.yaml --format json "$IMG/etc"
assert_eq "root rules are not evaluated on a tree target" "" \
	"$(json_q '[f["rule"] for f in d["findings"] if f["target"] != "root:'"$IMG"'"]' <<<"$OUT")"

# ---- missing privileges: not-evaluated ----
mk_image
if pfx=$(unprivileged); then
	chmod 755 "$WORK" "$IMG"
	chmod 700 "$IMG/etc"
	is_root && chown 0:0 "$IMG/etc"
	if ! is_root; then
		# as a normal user the owner's bits still let us in; take them away too
		chmod 000 "$IMG/etc"
	fi
	RUN_PREFIX=$pfx run scan --root "$IMG" "${ACCOUNT_RULES[@]}" --format json
	assert_eq "an unreadable /etc: every account rule is not-evaluated" \
		"not-evaluated not-evaluated not-evaluated not-evaluated" \
		"$(json_q '" ".join(f["status"] for f in d["findings"])' <<<"$OUT")"
	assert_contains "the reason says permission denied" \
		"$(json_q '[f["message"] for f in d["findings"]][0]' <<<"$OUT")" "permission denied"
	assert_exit "not-evaluated alone does not fail the run" 0
	RUN_PREFIX=$pfx run scan --root "$IMG" "${ACCOUNT_RULES[@]}"
	assert_contains "the text report lists them" "$OUT" "Not evaluated:"
	chmod 755 "$IMG/etc"
else
	echo "SKIP: not-evaluated without privileges (running as root without setpriv)"
fi

finish
