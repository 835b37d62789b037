#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Host and root scanning with the whole embedded Linux pack: a small Debian-like
# image gives the expected status for a sample of rules of every check type;
# absolute symlinks resolve inside the image; live-only checks are
# not-applicable offline; unreadable files make rules not-evaluated; bad input
# (truncated shadow lines, binary garbage, enormous files) gives clear errors;
# `vigil scan --host` on this machine completes and spares protected keys.
set -u
. "$(dirname "$0")/lib.sh"

cd "$WORK" || exit 2
IMG=$WORK/image

# A Debian-like image: a mix of compliant and non-compliant settings, so that
# each check type has a passing and a failing rule in the sample below.
mk_image() {
	rm -rf "$IMG"
	mkdir -p "$IMG/etc/ssh/sshd_config.d" "$IMG/etc/sysctl.d" "$IMG/usr/lib/sysctl.d" \
		"$IMG/etc/modprobe.d" "$IMG/etc/pam.d" "$IMG/var/lib/dpkg" \
		"$IMG/etc/systemd/system/multi-user.target.wants" "$IMG/lib/systemd/system" \
		"$IMG/etc/systemd/journald.conf.d" "$IMG/etc/rsyslog.d" "$IMG/etc/ssl/private" \
		"$IMG/root" "$IMG/home/alice" "$IMG/tmp" "$IMG/usr/bin" "$IMG/usr/sbin" "$IMG/srv"
	printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n' \
		>"$IMG/etc/os-release"
	# toor: a second uid 0 with an empty password; games: a system account with a shell
	cat >"$IMG/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
games:x:5:60:games:/usr/games:/bin/bash
alice:x:1000:1000:Alice:/home/alice:/bin/bash
toor:x:0:0:backdoor:/root:/bin/sh
EOF
	cat >"$IMG/etc/shadow" <<'EOF'
root:$y$j9T$abc$def:19500:1:365:7:30::
daemon:*:19500:0:99999:7:::
games:*:19500:0:99999:7:::
alice:$y$j9T$ghi$jkl:19500:1:365:7:30::
toor::19500:0:99999:7:::
EOF
	printf 'root:x:0:\ndaemon:x:1:\ngames:x:60:\nshadow:x:42:\nalice:x:1000:\n' \
		>"$IMG/etc/group"
	printf 'root:*::\ndaemon:*::\ngames:*::\nshadow:*::\nalice:!::\n' >"$IMG/etc/gshadow"
	cat >"$IMG/etc/login.defs" <<'EOF'
# login.defs
UMASK		022
PASS_MAX_DAYS	99999
PASS_MIN_DAYS	1
PASS_WARN_AGE	7
UID_MIN		1000
UID_MAX		60000
ENCRYPT_METHOD	YESCRYPT
EOF
	# Debian's layout: the drop-ins are read first and the first value wins,
	# so the cloud-init drop-in beats the main file's PermitRootLogin
	cat >"$IMG/etc/ssh/sshd_config" <<'EOF'
Include /etc/ssh/sshd_config.d/*.conf
PermitRootLogin no
MaxAuthTries 3
X11Forwarding yes
UsePAM yes
EOF
	printf 'PermitRootLogin yes\n' >"$IMG/etc/ssh/sshd_config.d/50-cloud-init.conf"
	printf 'private\n' >"$IMG/etc/ssh/ssh_host_ed25519_key"
	printf 'ssh-ed25519 AAAA root@image\n' >"$IMG/etc/ssh/ssh_host_ed25519_key.pub"
	printf 'private\n' >"$IMG/etc/ssl/private/ssl-cert-snakeoil.key"
	# sysctl: a drop-in enables forwarding; /etc/sysctl.d/50-vendor.conf
	# replaces the vendor file of the same name in /usr/lib/sysctl.d
	printf 'net.ipv4.ip_forward = 1\n' >"$IMG/etc/sysctl.d/99-forward.conf"
	printf 'net.ipv4.tcp_syncookies = 0\n' >"$IMG/usr/lib/sysctl.d/50-vendor.conf"
	printf 'net.ipv4.tcp_syncookies = 1\n' >"$IMG/etc/sysctl.d/50-vendor.conf"
	printf 'kernel.randomize_va_space = 2\n' >"$IMG/etc/sysctl.conf"
	printf 'UUID=1 / ext4 defaults 0 1\ntmpfs /tmp tmpfs defaults,nodev,nosuid,noexec 0 0\n' \
		>"$IMG/etc/fstab"
	printf 'install cramfs /bin/false\nblacklist cramfs\n' >"$IMG/etc/modprobe.d/cramfs.conf"
	cat >"$IMG/etc/pam.d/common-auth" <<'EOF'
auth	[success=1 default=ignore]	pam_unix.so nullok
auth	requisite			pam_deny.so
auth	required			pam_permit.so
EOF
	cat >"$IMG/etc/pam.d/common-password" <<'EOF'
password	requisite			pam_pwquality.so retry=3
password	[success=1 default=ignore]	pam_unix.so obscure use_authtok try_first_pass yescrypt
password	requisite			pam_deny.so
EOF
	cat >"$IMG/var/lib/dpkg/status" <<'EOF'
Package: telnet
Status: install ok installed
Architecture: amd64
Version: 0.17+2.4-2

Package: avahi-daemon
Status: install ok installed
Architecture: amd64
Version: 0.8-10

Package: cron
Status: install ok installed
Architecture: amd64
Version: 3.0pl1-162

Package: rsh-client
Status: deinstall ok config-files
Architecture: amd64
Version: 0.17-24

EOF
	printf '[Unit]\nDescription=Avahi\n[Install]\nWantedBy=multi-user.target\n' \
		>"$IMG/lib/systemd/system/avahi-daemon.service"
	printf '[Unit]\nDescription=cron\n[Install]\nWantedBy=multi-user.target\n' \
		>"$IMG/lib/systemd/system/cron.service"
	ln -s /lib/systemd/system/avahi-daemon.service \
		"$IMG/etc/systemd/system/multi-user.target.wants/avahi-daemon.service"
	ln -s /lib/systemd/system/cron.service \
		"$IMG/etc/systemd/system/multi-user.target.wants/cron.service"
	# the drop-in turns persistent storage off again
	printf '[Journal]\nStorage=persistent\n' >"$IMG/etc/systemd/journald.conf"
	printf '[Journal]\nStorage=volatile\n' >"$IMG/etc/systemd/journald.conf.d/50-ram.conf"
	printf 'module(load="imtcp")\ninput(type="imtcp" port="514")\n' \
		>"$IMG/etc/rsyslog.d/remote.conf"
	printf '#!/bin/sh\n' >"$IMG/usr/bin/sneaky"
	printf '\177ELF\n' >"$IMG/usr/sbin/cron"
	printf 'x\n' >"$IMG/srv/open"
	chmod 666 "$IMG/srv/open"
	chmod 644 "$IMG/etc/passwd" "$IMG/etc/group" "$IMG/etc/gshadow"
	chmod 640 "$IMG/etc/shadow"
	chmod 600 "$IMG/etc/ssh/ssh_host_ed25519_key"
	chmod 700 "$IMG/etc/ssl/private"
	chmod 640 "$IMG/etc/ssl/private/ssl-cert-snakeoil.key"
	chmod 1777 "$IMG/tmp"
	chmod 750 "$IMG/home/alice"
	if is_root; then
		chown -R 0:0 "$IMG"
		chgrp 42 "$IMG/etc/shadow"
		chown 1000:1000 "$IMG/home/alice"
	fi
	chmod 4755 "$IMG/usr/bin/sneaky" # after chown, which clears the bit
}

# "rule status" for every rule of a JSON report on stdin (a failing rule
# appears once), sorted.
rule_statuses() {
	python3 -c '
import json, sys
d = json.load(sys.stdin)
seen = {}
for f in d["findings"]:
    seen.setdefault(f["rule"], f["status"])
for r in sorted(seen):
    print(r, seen[r])
'
}

# The status of one rule in the statuses $S.
status_of() { # rule
	awk -v r="$1" '$1 == r { print $2 }' <<<"$S"
}

expect_status() { # rule status [description]
	assert_eq "${3:-$1 is $2}" "$2" "$(status_of "$1")"
}

# The message of the first finding of a rule in the report in $OUT.
message_of() { # rule
	json_q '[f["message"] for f in d["findings"] if f["rule"] == "'"$1"'"][0]' <<<"$OUT"
}

# ---- the whole pack on the image ----
mk_image
run scan --root "$IMG" --format json
assert_exit "the image has failures and no errors (exit 1)" 1
assert_true "the report is valid JSON" json_valid <<<"$OUT"
S=$(rule_statuses <<<"$OUT")
F=$(json_findings <<<"$OUT")
NRULES=$("$VIGIL" rules list | grep -c '^linux\.')
assert_true "the pack has at least 100 rules ($NRULES)" test "$NRULES" -ge 100
assert_eq "every linux rule has a status" "$NRULES" "$(grep -c '^linux\.' <<<"$S")"
assert_eq "no rule errs on a well-formed image" "" "$(awk '$2 == "error"' <<<"$S")"
assert_eq "nothing is not-evaluated (every file is readable)" "" \
	"$(awk '$2 == "not-evaluated"' <<<"$S")"

# file
if is_root; then
	expect_status linux.files.shadow pass "shadow root:shadow 0640 passes"
	expect_status linux.ssh.private-host-keys pass "a host key with mode 0600 is not flagged"
	expect_status linux.files.ssl-private-keys pass "a key in /etc/ssl/private with 0640 passes"
fi
expect_status linux.files.gshadow fail "a world-readable gshadow fails"
assert_contains "the gshadow finding names the file" "$F" "linux.files.gshadow fail /etc/gshadow"
# accounts
expect_status linux.accounts.uid0-only-root fail "a second uid 0 fails"
assert_contains "... at its passwd line" "$F" "linux.accounts.uid0-only-root fail /etc/passwd:5:"
expect_status linux.accounts.no-empty-passwords fail "an empty shadow password fails"
assert_contains "... at its shadow line" "$F" \
	"linux.accounts.no-empty-passwords fail /etc/shadow:5:"
assert_not_contains "evidence never holds a password field" "$OUT" 'j9T$abc'
expect_status linux.accounts.unique-user-names pass "unique user names pass"
expect_status linux.accounts.password-hashing pass "ENCRYPT_METHOD YESCRYPT passes"
expect_status linux.accounts.password-max-days fail "PASS_MAX_DAYS 99999 fails"
expect_status linux.accounts.well-formed pass "well-formed account files pass"
# keyvalue
expect_status linux.password.umask fail "UMASK 022 fails"
assert_contains "... at its login.defs line" "$F" "linux.password.umask fail /etc/login.defs:2"
# sshd: the drop-in is read first and wins; defaults are modelled
expect_status linux.ssh.permit-root-login fail "PermitRootLogin yes in a drop-in fails"
assert_contains "... at the drop-in, not the main file" "$F" \
	"linux.ssh.permit-root-login fail /etc/ssh/sshd_config.d/50-cloud-init.conf:1"
expect_status linux.ssh.max-auth-tries pass "MaxAuthTries 3 passes"
expect_status linux.ssh.permit-empty-passwords pass "the default PermitEmptyPasswords no passes"
assert_contains "X11Forwarding yes fails at its line" "$F" \
	"linux.ssh.x11-forwarding fail /etc/ssh/sshd_config:4"
# sysctl: precedence across directories, defaults
expect_status linux.network.ipv4-forwarding fail "ip_forward=1 in sysctl.d fails"
assert_contains "... at the sysctl.d file" "$F" \
	"linux.network.ipv4-forwarding fail /etc/sysctl.d/99-forward.conf:1"
expect_status linux.network.tcp-syncookies pass \
	"/etc/sysctl.d/50-vendor.conf replaces /usr/lib/sysctl.d/50-vendor.conf"
expect_status linux.kernel.randomize-va-space pass "a value from /etc/sysctl.conf passes"
# kernel_modules
expect_status linux.filesystems.module-cramfs pass "cramfs disabled and blacklisted passes"
expect_status linux.filesystems.module-freevxfs fail "freevxfs not disabled fails"
# mounts
expect_status linux.filesystems.tmp-separate pass "/tmp in fstab is a separate mount"
expect_status linux.filesystems.tmp-noexec pass "/tmp with noexec passes"
expect_status linux.filesystems.var-separate fail "/var not in fstab fails"
expect_status linux.filesystems.var-nodev not-applicable \
	"options of a mount that does not exist are not applicable"
# pam
expect_status linux.pam.unix-no-nullok fail "pam_unix nullok fails"
assert_contains "... at its pam.d line" "$F" \
	"linux.pam.unix-no-nullok fail /etc/pam.d/common-auth:1"
expect_status linux.pam.pwquality-enabled pass "pam_pwquality in common-password passes"
# pam_faillock not configured at all: its settings fail, as pwhistory's do
for r in linux.pam.faillock-deny linux.pam.faillock-unlock-time linux.pam.faillock-root \
	linux.pam.pwhistory-remember; do
	expect_status "$r" fail "without the module in its stack, $r fails"
done
assert_contains "... saying the module is not there" \
	"$(message_of linux.pam.faillock-deny)" "common-auth has no auth line with pam_faillock.so"
assert_eq "... once per rule, even for a rule with alternatives" 1 \
	"$(json_q 'len([f for f in d["findings"] if f["rule"] == "linux.pam.faillock-root"])' \
	<<<"$OUT")"
# packages: an installed package; one removed with its config files left
expect_status linux.services.telnet-client fail "an installed telnet client fails"
assert_contains "... at its dpkg status entry" "$F" \
	"linux.services.telnet-client fail /var/lib/dpkg/status:1"
expect_status linux.services.rsh-client pass "a removed package (config-files) is not installed"
# services: .wants links
expect_status linux.services.avahi fail "avahi installed and enabled fails"
assert_contains "... at its .wants link" "$F" \
	"multi-user.target.wants/avahi-daemon.service"
expect_status linux.services.cron-enabled pass "cron enabled passes (running is live-only)"
# filesystem sweeps
expect_status linux.files.world-writable fail "a world-writable file fails"
assert_contains "... at the file" "$F" "linux.files.world-writable fail /srv/open"
assert_not_contains "a sticky /tmp is not world-writable" "$F" \
	"linux.files.world-writable fail /tmp:"
expect_status linux.files.suid-review fail "an unknown SUID program fails"
assert_contains "... at the program" "$F" "linux.files.suid-review fail /usr/bin/sneaky"
# ini with drop-ins
expect_status linux.logging.journald-storage fail \
	"a journald drop-in setting Storage=volatile fails"
assert_contains "... at the drop-in" "$F" \
	"/etc/systemd/journald.conf.d/50-ram.conf"
# content
assert_contains "rsyslog network input fails at its line" "$F" \
	"linux.logging.rsyslog-no-network-input fail /etc/rsyslog.d/remote.conf:1"
# listening is live-only
expect_status linux.services.mta-local-only not-applicable "listening sockets are live-only"
expect_status linux.services.approved-listeners not-applicable "the allowed-port set is live-only"

if is_root; then
	chown 4242:4242 "$IMG/srv/open"
	run scan --root "$IMG" --rule linux.files.unowned --format json
	assert_contains "a file owned by an unknown uid fails linux.files.unowned" \
		"$(json_findings <<<"$OUT")" "linux.files.unowned fail /srv/open"
	chown 0:0 "$IMG/srv/open"
fi

# the same image without its problems
cp "$IMG/etc/ssh/sshd_config" sshd_config.bad
sed -i 's/^X11Forwarding yes/X11Forwarding no/' "$IMG/etc/ssh/sshd_config"
printf 'PermitRootLogin no\n' >"$IMG/etc/ssh/sshd_config.d/50-cloud-init.conf"
rm "$IMG/etc/sysctl.d/99-forward.conf" "$IMG/etc/systemd/journald.conf.d/50-ram.conf"
sed -i 's/ nullok$//' "$IMG/etc/pam.d/common-auth"
sed -i 's/^UMASK.*/UMASK 027/' "$IMG/etc/login.defs"
chmod 640 "$IMG/etc/gshadow"
chmod 644 "$IMG/srv/open"
run scan --root "$IMG" --format json
S=$(rule_statuses <<<"$OUT")
fixed=(linux.ssh.permit-root-login linux.ssh.x11-forwarding linux.network.ipv4-forwarding
	linux.logging.journald-storage linux.pam.unix-no-nullok linux.password.umask
	linux.files.world-writable)
# the gshadow rule also wants root as the owner
is_root && fixed+=(linux.files.gshadow)
for r in "${fixed[@]}"; do
	expect_status "$r" pass "$r passes once fixed"
done

# ---- cron: not applicable without it; when not enabled, one finding about that ----
mk_image
rm "$IMG/etc/systemd/system/multi-user.target.wants/cron.service"
run scan --root "$IMG" --rule linux.services.cron-enabled --format json
assert_eq "cron installed and not enabled: one finding" \
	"linux.services.cron-enabled fail systemd:cron.service:0:0" "$(json_findings <<<"$OUT")"
assert_contains "... about the unit, not the package" \
	"$(message_of linux.services.cron-enabled)" "cron.service is installed but not enabled"
rm "$IMG/usr/sbin/cron"
run scan --root "$IMG" --rule linux.services.cron-enabled --format json
S=$(rule_statuses <<<"$OUT")
expect_status linux.services.cron-enabled not-applicable "without cron the rule is not applicable"
assert_contains "... saying why" "$(message_of linux.services.cron-enabled)" \
	"/usr/sbin/cron does not exist"

# ---- absolute symlinks inside the image ----
mk_image
# sshd_config and the drop-in directory are absolute symlinks within the image
mv "$IMG/etc/ssh/sshd_config" "$IMG/etc/ssh/sshd_config.real"
ln -s /etc/ssh/sshd_config.real "$IMG/etc/ssh/sshd_config"
mv "$IMG/etc/ssh/sshd_config.d" "$IMG/etc/ssh/dropins"
ln -s /etc/ssh/dropins "$IMG/etc/ssh/sshd_config.d"
mkdir -p "$IMG/usr/share/base"
mv "$IMG/etc/login.defs" "$IMG/usr/share/base/login.defs"
ln -s /usr/share/base/login.defs "$IMG/etc/login.defs"
# a symlink to a file that exists on this machine only: read inside the image,
# it dangles; read on the host it would turn tcp_syncookies off
printf 'net.ipv4.tcp_syncookies = 0\nnet.ipv4.ip_forward = 0\n' >"$WORK/outside.conf"
ln -s "$WORK/outside.conf" "$IMG/etc/sysctl.d/90-outside.conf"
ln -s "/../../../../..$WORK/outside.conf" "$IMG/etc/sysctl.d/91-outside.conf"
run scan --root "$IMG" --format json
S=$(rule_statuses <<<"$OUT")
F=$(json_findings <<<"$OUT")
expect_status linux.ssh.permit-root-login fail "sshd_config through an absolute symlink is read"
assert_contains "... the drop-in through a directory symlink wins" "$F" \
	"linux.ssh.permit-root-login fail /etc/ssh/sshd_config.d/50-cloud-init.conf:1"
assert_contains "X11Forwarding is read from the symlinked main file" "$F" \
	"linux.ssh.x11-forwarding fail /etc/ssh/sshd_config"
expect_status linux.password.umask fail "login.defs through an absolute symlink is read"
expect_status linux.network.tcp-syncookies pass "a symlink to a host path dangles inside the image"
expect_status linux.network.ipv4-forwarding fail "... and the image's own drop-in still counts"
assert_eq "no errors from dangling links" "" "$(awk '$2 == "error"' <<<"$S")"

# ---- live-only checks are not-applicable offline, never pass ----
mk_image
cat >live.yaml <<'EOF'
pack: live
title: Live-only checks
version: "1"
targets: [root, host]
rules:
  - id: live.sysctl
    title: runtime sysctl
    severity: low
    check: {sysctl: {key: net.ipv4.ip_forward, expect: "0", source: runtime}}
  - id: live.module
    title: module not loaded
    severity: low
    check: {kernel_modules: {module: cramfs, loaded: false}}
  - id: live.mount
    title: live mount
    severity: low
    check: {mounts: {mountpoint: /tmp, options: {includes: [noexec]}, source: live}}
  - id: live.service
    title: running unit
    severity: low
    check: {services: {unit: cron.service, running: true}}
  - id: live.listen
    title: nothing on 23
    severity: low
    check: {listening: {port: 23}}
  - id: live.allowed
    title: nothing listens
    severity: low
    check: {listening: {allowed_ports: []}}
  - id: live.not-listen
    title: negation of a live-only check
    severity: low
    check: {not: {listening: {port: 23}}}
EOF
run scan --root "$IMG" --policy live.yaml --format json
assert_exit "live-only checks offline: nothing fails" 0
assert_eq "every live-only rule is not-applicable on --root" \
	"live.allowed not-applicable
live.listen not-applicable
live.module not-applicable
live.mount not-applicable
live.not-listen not-applicable
live.service not-applicable
live.sysctl not-applicable" "$(rule_statuses <<<"$OUT")"
assert_contains "the reason says the live system is needed" \
	"$(message_of live.listen)" \
	"live system"

# ---- the structured-config check types on a root ----
mkdir -p "$IMG/etc/docker" "$IMG/etc/netplan" "$IMG/etc/app" "$IMG/etc/default"
printf '{"icc": true, "log-driver": "json-file", "live-restore": false}\n' \
	>"$IMG/etc/docker/daemon.json"
printf 'network:\n  version: 2\n  ethernets:\n    eth0: {dhcp4: true}\n' \
	>"$IMG/etc/netplan/01.yaml"
printf '<Server port="8005" shutdown="SHUTDOWN">\n  <Service name="C"/>\n</Server>\n' \
	>"$IMG/etc/app/server.xml"
printf 'GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX="audit=1 quiet"\n' >"$IMG/etc/default/grub"
cat >cfg.yaml <<'EOF'
pack: cfg
title: Structured config checks
version: "1"
targets: [root]
rules:
  - id: cfg.docker-icc
    title: inter-container traffic off
    severity: low
    check: {json: {paths: [/etc/docker/daemon.json], path: icc, expect: "false", default: "true"}}
  - id: cfg.docker-log
    title: logging driver set
    severity: low
    check: {json: {paths: [/etc/docker/daemon.json], path: log-driver, expect: {exists: true}}}
  - id: cfg.netplan
    title: netplan version 2
    severity: low
    check: {yaml: {paths: ["/etc/netplan/*.yaml"], path: network.version, expect: "2"}}
  - id: cfg.shutdown
    title: Tomcat shutdown port disabled
    severity: low
    check: {xml: {paths: [/etc/app/server.xml], xpath: "string(/Server/@port)", expect: "-1"}}
  - id: cfg.grub
    title: audit=1 on the kernel command line
    severity: low
    check:
      keyvalue:
        paths: [/etc/default/grub]
        key: GRUB_CMDLINE_LINUX
        separator: "="
        unquote: true
        expect: {matches: '\baudit=1\b'}
  - id: cfg.journal
    title: journald compresses (default yes)
    severity: low
    check:
      ini: {paths: [/etc/systemd/journald.conf], section: Journal, key: Compress,
            default: "yes", expect: "yes"}
EOF
run scan --root "$IMG" --policy cfg.yaml --format json
S=$(rule_statuses <<<"$OUT")
expect_status cfg.docker-icc fail "json: icc true fails"
expect_status cfg.docker-log pass "json: a present key passes"
expect_status cfg.netplan pass "yaml: a value at a path passes"
expect_status cfg.shutdown fail "xml: an XPath attribute value fails"
expect_status cfg.grub pass "keyvalue: '=' separator and quotes"
expect_status cfg.journal pass "ini: an unset key takes its default"
assert_contains "json findings point at the file" "$(json_findings <<<"$OUT")" \
	"cfg.docker-icc fail /etc/docker/daemon.json:1"

# ---- unreadable files: not-evaluated, never pass ----
mk_image
if pfx=$(unprivileged); then
	chmod 755 "$WORK"
	# readable only by their owner (root when we are root, us otherwise)
	chmod 600 "$IMG/etc/shadow" "$IMG/etc/ssh/sshd_config" "$IMG/etc/pam.d/common-auth" \
		"$IMG/etc/sysctl.d/99-forward.conf" "$IMG/var/lib/dpkg/status" "$IMG/etc/login.defs"
	chmod 700 "$IMG/etc/modprobe.d"
	if ! is_root; then
		chmod 000 "$IMG/etc/shadow" "$IMG/etc/ssh/sshd_config" "$IMG/etc/pam.d/common-auth" \
			"$IMG/etc/sysctl.d/99-forward.conf" "$IMG/var/lib/dpkg/status" \
			"$IMG/etc/login.defs" "$IMG/etc/modprobe.d"
	fi
	RUN_PREFIX=$pfx run scan --root "$IMG" --format json
	S=$(rule_statuses <<<"$OUT")
	for r in linux.accounts.no-empty-passwords linux.ssh.permit-root-login \
		linux.ssh.permit-empty-passwords linux.pam.unix-no-nullok linux.network.ipv4-forwarding \
		linux.network.tcp-syncookies linux.services.rsh-client linux.password.umask \
		linux.accounts.password-hashing linux.filesystems.module-cramfs; do
		expect_status "$r" not-evaluated "unreadable input: $r is not-evaluated"
	done
	assert_contains "the reason says permission denied" \
		"$(message_of linux.ssh.permit-root-login)" \
		"ermission denied"
	assert_contains "... and names the file" \
		"$(message_of linux.accounts.no-empty-passwords)" \
		"/etc/shadow"
	# rules on readable files still give their verdicts
	expect_status linux.files.gshadow fail "rules on readable files still give verdicts"
	chmod -R u+rwX "$IMG"
else
	echo "SKIP: unreadable files (running as root without setpriv)"
fi

# ---- bad input ----
# truncated shadow lines: reported by line, the other lines still judged
mk_image
printf 'root:$y$j9T$abc$def:19500:1:365:7:30::\ndaemon:*:195\ngames\n' >"$IMG/etc/shadow"
printf 'alice:$y$j9T$ghi$jkl:19500:1:365:7:30::\ntoor::19500:0:99999:7:::' >>"$IMG/etc/shadow"
run scan --root "$IMG" --rule 'linux.accounts.*' --format json
assert_exit "truncated shadow lines: findings, no crash" 1
F=$(json_findings <<<"$OUT")
assert_contains "a truncated line is reported at its line" "$F" \
	"linux.accounts.well-formed fail /etc/shadow:2"
assert_contains "a line with one field is reported" "$F" \
	"linux.accounts.well-formed fail /etc/shadow:3"
assert_contains "the message says truncated" \
	"$(message_of linux.accounts.well-formed)" "truncated"
assert_contains "the last line without its end still counts" "$F" \
	"linux.accounts.no-empty-passwords fail /etc/shadow:5"
# glibc reads a five-field shadow line (the old format): its empty password counts
mk_image
sed -i 's/^toor:.*/toor::19500:0:99/' "$IMG/etc/shadow"
run scan --root "$IMG" --rule 'linux.accounts.*' --format json
F=$(json_findings <<<"$OUT")
S=$(rule_statuses <<<"$OUT")
assert_contains "a five-field shadow line with an empty password fails" "$F" \
	"linux.accounts.no-empty-passwords fail /etc/shadow:5"
expect_status linux.accounts.well-formed pass "... and is well-formed"

# binary garbage in a shadow file and in sshd_config: errors that say so
mk_image
printf 'root:*:19500::::::\n\001\002\377\376garbage\000\n' >"$IMG/etc/shadow"
# binary from the first line on, so the message's line number is fixed
{ printf '\001\002\377\376garbage\n'; head -c 4096 /dev/urandom; } >"$IMG/etc/ssh/sshd_config"
run scan --root "$IMG" --format json
assert_exit "binary garbage: exit 2 (errors), no crash" 2
S=$(rule_statuses <<<"$OUT")
expect_status linux.ssh.permit-root-login error "binary sshd_config: the sshd rules err"
expect_status linux.accounts.no-empty-passwords error "binary shadow: the shadow rules err"
assert_contains "the sshd error names the file and says binary" \
	"$(message_of linux.ssh.permit-root-login)" "/etc/ssh/sshd_config:1: binary"
assert_contains "the shadow error names the file" \
	"$(message_of linux.accounts.no-empty-passwords)" "/etc/shadow"
expect_status linux.accounts.uid0-only-root fail "rules on other files still give verdicts"
run scan --root "$IMG" --rule 'linux.ssh.*'
assert_contains "the text report lists the errors" "$OUT$ERR" "binary"

# an sshd drop-in full of garbage, a NUL in a sysctl.d file, garbage in pam.d
mk_image
{ printf 'x\000'; head -c 2048 /dev/urandom; } >"$IMG/etc/ssh/sshd_config.d/50-cloud-init.conf"
printf 'net.ipv4.ip_forward = 0\n\000\001\002\n' >"$IMG/etc/sysctl.d/99-forward.conf"
{ printf 'x\000'; head -c 2048 /dev/urandom; } >"$IMG/etc/pam.d/common-auth"
{ printf 'x\000'; head -c 2048 /dev/urandom; } >"$IMG/var/lib/dpkg/status"
run scan --root "$IMG" --format json
assert_true "garbage in drop-ins: no crash (exit 1 or 2)" test "$RC" = 1 -o "$RC" = 2
S=$(rule_statuses <<<"$OUT")
for r in linux.ssh.permit-root-login linux.pam.unix-no-nullok linux.services.telnet-client; do
	assert_ne "garbage input: $r does not pass" pass "$(status_of "$r")"
done
assert_ne "a sysctl file with binary data does not pass silently" pass \
	"$(status_of linux.network.ipv4-forwarding)"

# enormous files: over the cap a clear error, under it a normal result
mk_image
truncate -s 20M "$IMG/etc/ssh/sshd_config"
python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    for i in range(400000):
        f.write("# padding comment line %d\n" % i)
    f.write("UMASK 077\n")
' "$IMG/etc/login.defs"
start=$(date +%s)
run scan --root "$IMG" --format json
assert_true "enormous files are handled quickly" test $(($(date +%s) - start)) -lt 15
assert_exit "an sshd_config over the cap: exit 2" 2
S=$(rule_statuses <<<"$OUT")
expect_status linux.ssh.permit-root-login error "an sshd_config over the cap errs"
assert_contains "... saying it is too large" \
	"$(message_of linux.ssh.permit-root-login)" "larger than"
expect_status linux.password.umask pass "a 10 MB login.defs is read to its end"

# a 10 MB options field in fstab, values in sysctl.d and modprobe.d: small reports
mk_image
python3 -c '
import sys
big = "x" * (10 * 1024 * 1024)
open(sys.argv[1] + "/etc/fstab", "w").write(
    "UUID=1 / ext4 defaults 0 1\ntmpfs /tmp tmpfs nodev," + big + " 0 0\n"
    "/dev/sdb /home ext4 nosuid," + "y" * 5000 + " 0 2\n")
open(sys.argv[1] + "/etc/sysctl.d/99-forward.conf", "w").write(
    "net.ipv4.ip_forward = 1" + "1" * 5000 + "\n")
open(sys.argv[1] + "/etc/modprobe.d/cramfs.conf", "w").write(
    "install cramfs /bin/true;" + "z" * 5000 + "\nblacklist cramfs\n")
' "$IMG"
run scan --root "$IMG" --format json -o "$WORK/long.json"
assert_exit "long values: findings, no errors (exit 1)" 1
assert_true "the report stays small ($(wc -c <"$WORK/long.json") bytes)" \
	test "$(wc -c <"$WORK/long.json")" -lt 1000000
OUT=$(cat "$WORK/long.json")
S=$(rule_statuses <<<"$OUT")
expect_status linux.filesystems.tmp-separate fail "an fstab line over the line cap is left out"
expect_status linux.filesystems.home-nodev fail "a long options field is still judged"
assert_contains "... and cut where the message quotes it" \
	"$(message_of linux.filesystems.home-nodev)" "yyy...)"
assert_contains "a long sysctl value is cut where quoted" \
	"$(message_of linux.network.ipv4-forwarding)" "111...'"
assert_contains "a long install command is cut where quoted" \
	"$(message_of linux.filesystems.module-cramfs)" "zzz...'"

# ---- the live host ----
HOSTJSON=$WORK/host.json
timeout 180 "$VIGIL" scan --host --format json -o "$HOSTJSON" 2>"$WORK/host.err" </dev/null
RC=$?
assert_true "vigil scan --host completes (exit $RC)" test "$RC" -le 2
if grep -qE 'runtime error:|AddressSanitizer|LeakSanitizer' "$WORK/host.err"; then
	bad "sanitizer report from vigil scan --host" "$(head -20 "$WORK/host.err")"
fi
if [ "$RC" = 2 ] && [ -s "$HOSTJSON" ]; then
	# errors on a live host are possible (a file changed while read); show them
	python3 - "$HOSTJSON" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for e in d.get("errors", []):
    print("  host scan error:", e)
for f in d["findings"]:
    if f["status"] == "error":
        print("  host rule error: %s: %s" % (f["rule"], f.get("message")))
EOF
	bad "vigil scan --host exits 2: see the errors above"
elif [ "$RC" -gt 2 ]; then
	bad "vigil scan --host failed with exit $RC" "$(head -c 2000 "$WORK/host.err")"
fi
if [ -s "$HOSTJSON" ]; then
	S=$(rule_statuses <"$HOSTJSON")
	assert_eq "every finding has a known status" "" \
		"$(json_q '[f["rule"] for f in d["findings"] if f.get("status") not in
			    ("pass", "fail", "error", "not-evaluated", "not-applicable", "waived")]' \
			<"$HOSTJSON")"
	assert_eq "every linux rule is reported on the host" "$NRULES" "$(grep -c '^linux\.' <<<"$S")"
	assert_eq "the target is the host" "host" "$(json_q 'd["scan"]["targets"][0]' <"$HOSTJSON")"
	# protected keys in their standard places are never flagged
	flagged=$(python3 - "$HOSTJSON" <<'EOF'
import grp, json, os, stat, sys
d = json.load(open(sys.argv[1]))

def group(gid):
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)

def protected(p, st):
    """Debian's standard protection of keys: what no check may flag."""
    if st.st_uid != 0:
        return False
    if p.startswith("/etc/ssh/ssh_host_") and p.endswith("_key"):
        return not st.st_mode & 0o077
    if p == "/etc/ssl/private":
        return not st.st_mode & 0o067
    if p.startswith("/etc/ssl/private/"):
        return not st.st_mode & 0o037 and group(st.st_gid) in ("root", "ssl-cert")
    return False

for f in d["findings"]:
    p = f.get("location", {}).get("path", "")
    if f["status"] != "fail" or not p:
        continue
    try:
        st = os.lstat(p)
    except OSError:
        continue
    if protected(p, st):
        print("%s flags %s (mode %04o)" % (f["rule"], p, stat.S_IMODE(st.st_mode)))
EOF
)
	assert_eq "no protected key (sshd host keys 0600, /etc/ssl/private) is flagged" "" "$flagged"
	keys=$(find /etc/ssh -maxdepth 1 -name 'ssh_host_*_key' -perm 600 -user root 2>/dev/null)
	for k in $keys; do
		assert_not_contains "the 0600 host key $k is not in any failure" \
			"$(json_findings <"$HOSTJSON" | grep ' fail ')" " $k:"
	done
	[ -n "$keys" ] || echo "note: no /etc/ssh/ssh_host_*_key on this machine"
	if [ ! -e /etc/ssh/sshd_config ]; then
		assert_eq "no sshd_config on this host: sshd rules are not-applicable" \
			"not-applicable" "$(status_of linux.ssh.permit-root-login)"
	fi
fi

# without privileges, what needs them is not-evaluated on the host too
if is_root && pfx=$(unprivileged) && [ -n "$pfx" ] && [ -e /etc/shadow ] &&
	! $pfx test -r /etc/shadow; then
	timeout 180 $pfx "$VIGIL" scan --host --rule 'linux.accounts.*' --format json \
		>"$WORK/host-nobody.json" 2>/dev/null </dev/null
	S=$(rule_statuses <"$WORK/host-nobody.json")
	expect_status linux.accounts.no-empty-passwords not-evaluated \
		"an unprivileged host scan cannot read /etc/shadow: not-evaluated"
	assert_eq "no shadow-based rule passes without privileges" "" \
		"$(grep -E 'no-empty-passwords|password-change-in-past|inactive-lock' <<<"$S" |
			awk '$2 == "pass"')"
elif ! is_root; then
	run scan --host --rule linux.accounts.no-empty-passwords --format json
	if [ ! -r /etc/shadow ] && [ -e /etc/shadow ]; then
		assert_eq "as a user /etc/shadow is unreadable: not-evaluated" "not-evaluated" \
			"$(json_q 'd["findings"][0]["status"]' <<<"$OUT")"
	fi
fi

finish
