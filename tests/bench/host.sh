#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The host-compliance benchmark: the embedded Linux pack on a Debian 11 root
# filesystem (--root) and on the live host (--host), side by side with
# `lynis audit system --quick` (live host) and `oscap xccdf eval` with the SCAP
# Security Guide's standard profile (the same Debian 11 root, via oscap-chroot):
# wall time, CPU time, peak RSS, and rules evaluated per second.
#
# Usage: tests/bench/host.sh            (as root: installs and debootstraps)
# Environment:
#   VIGIL        the vigil binary (default: build/vigil, built when missing)
#   BENCH_DIR    cache for the Debian 11 root and the results
#                (default /var/tmp/vigil-bench)
#   RUNS         measured vigil runs per target; the median is reported (default 7)
#   PEER_TIMEOUT seconds a peer may run before it is killed (default 1800)
#   NO_INSTALL=1 never call apt-get; NO_LYNIS=1 / NO_OSCAP=1 skip a peer
#
# Targets from issue 5: under 1 second wall for the pack, and at least 50x
# Lynis's checks per second. The script prints whether each is met; it exits
# 0 when it measured what it could (a skipped peer is not a failure), 2 when
# vigil itself could not be measured.
set -u

SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
BENCH_DIR=${BENCH_DIR:-/var/tmp/vigil-bench}
RUNS=${RUNS:-7}
PEER_TIMEOUT=${PEER_TIMEOUT:-1800}
VIGIL_TIMEOUT=120
ROOTFS=$BENCH_DIR/debian11-root
SSG_DS=/usr/share/xml/scap/ssg/content/ssg-debian11-ds.xml
SSG_PROFILE=xccdf_org.ssgproject.content_profile_standard
STAMP=$(date -u +%Y%m%dT%H%M%SZ)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vigil-bench-XXXXXX") || exit 2
cleanup() {
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

say() {
	printf '%s\n' "$*" >&2
}

is_root() {
	[ "$(id -u)" = 0 ]
}

# ---- tools ----

# Installs the Debian packages named when their probe command is missing.
# Arguments: pairs of "command package".
APT_UPDATED=
ensure() { # command package
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ -n "${NO_INSTALL:-}" ] || ! is_root || ! command -v apt-get >/dev/null 2>&1; then
		say "note: $1 is missing and cannot be installed here (package $2)"
		return 1
	fi
	if [ -z "$APT_UPDATED" ]; then
		say "apt-get update ..."
		DEBIAN_FRONTEND=noninteractive timeout 600 apt-get update -q >"$WORK/apt.log" 2>&1
		APT_UPDATED=1
	fi
	say "apt-get install $2 ..."
	if ! DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get install -y -q "$2" \
		>>"$WORK/apt.log" 2>&1; then
		say "note: apt-get install $2 failed:"
		tail -5 "$WORK/apt.log" >&2
		return 1
	fi
	command -v "$1" >/dev/null 2>&1
}

if [ ! -x /usr/bin/time ] && ! ensure /usr/bin/time time; then
	say "error: GNU time (/usr/bin/time) is needed for wall time and peak RSS"
	exit 2
fi
HAVE_PYTHON=1
command -v python3 >/dev/null 2>&1 || HAVE_PYTHON=
if [ -z "$HAVE_PYTHON" ]; then
	say "error: python3 is needed to count rules in the reports"
	exit 2
fi

HAVE_LYNIS=
HAVE_OSCAP=
HAVE_DEBOOTSTRAP=
if [ -z "${NO_LYNIS:-}" ] && ensure lynis lynis; then
	HAVE_LYNIS=1
fi
if [ -z "${NO_OSCAP:-}" ]; then
	ensure oscap openscap-scanner && ensure oscap-chroot openscap-utils && HAVE_OSCAP=1
	if [ -n "$HAVE_OSCAP" ] && [ ! -f "$SSG_DS" ]; then
		if [ -z "${NO_INSTALL:-}" ] && is_root; then
			say "apt-get install ssg-debian ..."
			DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get install -y -q ssg-debian \
				>>"$WORK/apt.log" 2>&1
		fi
		[ -f "$SSG_DS" ] || { say "note: $SSG_DS is missing (package ssg-debian)"; HAVE_OSCAP=; }
	fi
fi
ensure debootstrap debootstrap && HAVE_DEBOOTSTRAP=1

# ---- vigil ----

if [ -z "${VIGIL:-}" ]; then
	VIGIL=$SRCDIR/build/vigil
	if [ ! -x "$VIGIL" ]; then
		say "building vigil in $SRCDIR/build ..."
		if [ ! -f "$SRCDIR/build/build.ninja" ]; then
			meson setup "$SRCDIR/build" "$SRCDIR" >"$WORK/build.log" 2>&1
		fi
		if ! ninja -C "$SRCDIR/build" vigil >>"$WORK/build.log" 2>&1; then
			say "error: building vigil failed:"
			tail -20 "$WORK/build.log" >&2
			exit 2
		fi
	fi
fi
if [ ! -x "$VIGIL" ]; then
	say "error: $VIGIL is not an executable"
	exit 2
fi

# ---- the Debian 11 root ----

mkdir -p "$BENCH_DIR" || exit 2
HAVE_ROOTFS=
if [ -f "$ROOTFS.done" ] && [ -d "$ROOTFS/etc" ]; then
	HAVE_ROOTFS=1
elif [ -n "$HAVE_DEBOOTSTRAP" ] && is_root; then
	say "debootstrap --variant=minbase bullseye $ROOTFS (a minute or two) ..."
	rm -rf "$ROOTFS"
	if timeout 1800 debootstrap --variant=minbase bullseye "$ROOTFS" \
		http://deb.debian.org/debian >"$BENCH_DIR/debootstrap.log" 2>&1; then
		touch "$ROOTFS.done"
		HAVE_ROOTFS=1
	else
		say "note: debootstrap failed (see $BENCH_DIR/debootstrap.log); no root-filesystem rows"
		# debootstrap may leave its /proc mounted when it fails half way
		umount "$ROOTFS/proc" 2>/dev/null
	fi
else
	say "note: no Debian 11 root in $ROOTFS and no way to make one (needs root and debootstrap)"
fi
if [ -n "$HAVE_ROOTFS" ] && mountpoint -q "$ROOTFS/proc" 2>/dev/null; then
	umount "$ROOTFS/proc" 2>/dev/null
fi

# ---- measuring ----

# Runs a command under GNU time with a timeout. Sets M_RC, M_WALL (seconds),
# M_CPU (user + system seconds) and M_RSS (peak RSS of the largest process, KB).
measure() { # timeout stdout-file command...
	local t=$1 out=$2 tf=$WORK/time.txt
	shift 2
	rm -f "$tf"
	timeout "$t" /usr/bin/time -v -o "$tf" "$@" >"$out" 2>"$out.err" </dev/null
	M_RC=$?
	M_WALL=
	M_CPU=
	M_RSS=
	[ -s "$tf" ] || return 0
	eval "$(python3 - "$tf" <<'EOF'
import re, sys
t = open(sys.argv[1]).read()
def num(pat):
    m = re.search(pat, t)
    return m.group(1) if m else ""
w = num(r"Elapsed \(wall clock\) time.*?\): ([0-9:.]+)")
secs = 0.0
for part in w.split(":"):
    secs = secs * 60 + float(part or 0)
cpu = float(num(r"User time \(seconds\): ([0-9.]+)") or 0) + \
      float(num(r"System time \(seconds\): ([0-9.]+)") or 0)
rss = num(r"Maximum resident set size \(kbytes\): (\d+)")
print("M_WALL=%.3f M_CPU=%.3f M_RSS=%s" % (secs, cpu, rss))
EOF
)"
}

median() { # numbers...
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# Medians of RUNS vigil scans (after one warm-up run); the JSON report of the
# last run is kept in $2. Sets V_WALL, V_CPU, V_RSS, V_MIN, V_MAX, V_OK.
measure_vigil() { # label json-file vigil-args...
	local label=$1 json=$2 i walls=() cpus=() rsss=()
	shift 2
	V_OK=
	# the warm-up: exit 2 (parts unreadable) still gives a report; worse does not
	measure "$VIGIL_TIMEOUT" "$json" "$VIGIL" scan "$@" --format json
	if [ "$M_RC" -gt 1 ]; then
		say "vigil $label: exit $M_RC"
		head -c 2000 "$json.err" >&2
		[ "$M_RC" = 2 ] || return 0
	fi
	for ((i = 0; i < RUNS; i++)); do
		measure "$VIGIL_TIMEOUT" "$json" "$VIGIL" scan "$@" --format json
		walls+=("$M_WALL")
		cpus+=("$M_CPU")
		rsss+=("$M_RSS")
	done
	read -r V_WALL V_MIN V_MAX <<<"$(printf '%s\n' "${walls[@]}" | sort -n |
		awk '{ v[NR] = $1 } END { printf "%s %s %s\n", v[int((NR + 1) / 2)], v[1], v[NR] }')"
	V_CPU=$(median "${cpus[@]}")
	V_RSS=$(median "${rsss[@]}")
	V_OK=1
}

# Rules of a vigil JSON report that reached a verdict (pass, fail, waived) and
# all rules run, as "evaluated total not-applicable not-evaluated error".
vigil_counts() { # json-file
	python3 - "$1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
status = {}
for f in d["findings"]:
    # a failing rule has one finding per item; a rule's status is the same on all
    status.setdefault(f["rule"], f["status"])
linux = {r: s for r, s in status.items() if r.startswith("linux.")}
n = lambda *ss: sum(1 for s in linux.values() if s in ss)
print(n("pass", "fail", "waived"), len(linux), n("not-applicable"), n("not-evaluated"), n("error"))
EOF
}

ROWS=$WORK/rows.tsv
: >"$ROWS"
row() { # tool target evaluated wall cpu rss-kb note
	case "$3:$4" in
	[0-9]*:[0-9]*) ;;
	*)
		say "note: no figures for $1 $2 (rules '$3', wall '$4')"
		return 0
		;;
	esac
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$ROWS"
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
say "vigil: $("$VIGIL" version 2>/dev/null | head -1), $RUNS runs per target"
NRULES=$("$VIGIL" rules list 2>/dev/null | grep -c '^linux\.')
say "vigil: $NRULES embedded linux.* rules"

# vigil on the Debian 11 root
VIGIL_ROOT_RATE=
if [ -n "$HAVE_ROOTFS" ]; then
	measure_vigil root "$WORK/vigil-root.json" --root "$ROOTFS"
	if [ -n "$V_OK" ]; then
		read -r ev tot na ne er <<<"$(vigil_counts "$WORK/vigil-root.json")"
		row vigil "root (Debian 11)" "$ev" "$V_WALL" "$V_CPU" "$V_RSS" \
			"median of $RUNS ($V_MIN-$V_MAX s); $tot rules run, $na n/a, $ne not-evaluated, $er errors"
		cp "$WORK/vigil-root.json" "$BENCH_DIR/vigil-root-$STAMP.json"
	fi
fi

# vigil on the live host, then without the four filesystem sweeps of /
measure_vigil host "$WORK/vigil-host.json" --host
if [ -n "$V_OK" ]; then
	read -r ev tot na ne er <<<"$(vigil_counts "$WORK/vigil-host.json")"
	row vigil "host" "$ev" "$V_WALL" "$V_CPU" "$V_RSS" \
		"median of $RUNS ($V_MIN-$V_MAX s); $tot rules run, $na n/a, $ne not-evaluated, $er errors"
	cp "$WORK/vigil-host.json" "$BENCH_DIR/vigil-host-$STAMP.json"
else
	say "error: vigil --host could not be measured"
	exit 2
fi
SWEEPS=(--skip-rule linux.files.world-writable --skip-rule linux.files.unowned
	--skip-rule linux.files.suid-review --skip-rule linux.files.sgid-review)
measure_vigil host-nosweep "$WORK/vigil-host-nosweep.json" --host "${SWEEPS[@]}"
if [ -n "$V_OK" ]; then
	read -r ev tot na ne er <<<"$(vigil_counts "$WORK/vigil-host-nosweep.json")"
	row vigil "host, no sweeps of /" "$ev" "$V_WALL" "$V_CPU" "$V_RSS" \
		"median of $RUNS ($V_MIN-$V_MAX s); the 4 filesystem sweep rules skipped"
fi

# Lynis on the live host (it has no offline mode)
if [ -n "$HAVE_LYNIS" ]; then
	say "lynis audit system --quick (about a minute or more) ..."
	measure "$PEER_TIMEOUT" "$WORK/lynis.out" lynis audit system --quick --no-colors \
		--logfile "$WORK/lynis.log" --report-file "$WORK/lynis-report.dat"
	if [ "$M_RC" = 124 ]; then
		say "note: lynis did not finish in $PEER_TIMEOUT s"
	else
		# "Tests performed: N" in its log; the report counts executed tests too
		n=$(grep -o 'Tests performed: *[0-9]*' "$WORK/lynis.log" 2>/dev/null | tail -1 |
			grep -o '[0-9]*$')
		[ -n "$n" ] || n=$(sed -n 's/^lynis_tests_done=//p' "$WORK/lynis-report.dat" 2>/dev/null)
		if [ -n "$n" ]; then
			row lynis "host" "$n" "$M_WALL" "$M_CPU" "$M_RSS" \
				"tests performed; RSS of its largest process (a shell script)"
		else
			say "note: could not find Lynis's test count (exit $M_RC)"
			tail -20 "$WORK/lynis.out" >&2
		fi
	fi
else
	say "note: skipping Lynis"
fi

# OpenSCAP on the Debian 11 root
if [ -n "$HAVE_OSCAP" ] && [ -n "$HAVE_ROOTFS" ]; then
	say "oscap-chroot xccdf eval --profile standard (a few minutes) ..."
	measure "$PEER_TIMEOUT" "$WORK/oscap.out" oscap-chroot "$ROOTFS" xccdf eval \
		--profile "$SSG_PROFILE" --results "$WORK/oscap-results.xml" "$SSG_DS"
	# exit 0: all pass, 2: some rule failed, 1: error
	if [ "$M_RC" = 0 ] || [ "$M_RC" = 2 ] && [ -s "$WORK/oscap-results.xml" ]; then
		read -r ev breakdown <<<"$(python3 - "$WORK/oscap-results.xml" <<'EOF'
import collections, sys
import xml.etree.ElementTree as ET
res = collections.Counter()
for _, el in ET.iterparse(sys.argv[1]):
    if el.tag.endswith("}rule-result"):
        for c in el:
            if c.tag.endswith("}result"):
                res[c.text] += 1
        el.clear()
skip = ("notapplicable", "notselected", "notchecked")
ev = sum(v for k, v in res.items() if k not in skip)
print(ev, ",".join("%s=%d" % kv for kv in sorted(res.items()) if kv[0] != "notselected"))
EOF
)"
		row oscap "root (Debian 11)" "$ev" "$M_WALL" "$M_CPU" "$M_RSS" \
			"rule results except notapplicable/notselected/notchecked: $breakdown"
		cp "$WORK/oscap-results.xml" "$BENCH_DIR/oscap-results-$STAMP.xml"
	else
		say "note: oscap failed (exit $M_RC):"
		tail -20 "$WORK/oscap.out.err" >&2
	fi
else
	if [ -z "$HAVE_ROOTFS" ]; then
		say "note: skipping OpenSCAP (no Debian 11 root)"
	else
		say "note: skipping OpenSCAP (not installed)"
	fi
fi

# ---- report ----

printf 'date: %s\nmachine: %s, %s CPUs, %s MB RAM, kernel %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" \
	"$(. /etc/os-release 2>/dev/null && printf '%s' "${PRETTY_NAME:-Linux}")" "$(nproc)" \
	"$(awk '/^MemTotal/ { printf "%d", $2 / 1024 }' /proc/meminfo)" "$(uname -r)"
printf 'load average at start: %s, at end: %s\n' "$LOAD_START" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'versions: vigil %s' "$("$VIGIL" version 2>/dev/null | awk '{ print $NF; exit }')"
[ -n "$HAVE_LYNIS" ] && printf ', lynis %s' "$(lynis --version 2>/dev/null | head -1)"
[ -n "$HAVE_OSCAP" ] && printf ', oscap %s, ssg-debian %s' \
	"$(oscap --version 2>/dev/null | awk 'NR == 1 { print $NF }')" \
	"$(dpkg-query -W -f '${Version}' ssg-debian 2>/dev/null)"
printf '\n\n'

python3 - "$ROWS" "$BENCH_DIR/results-$STAMP.tsv" <<'EOF'
import sys
rows = []
for line in open(sys.argv[1]):
    tool, target, ev, wall, cpu, rss, note = line.rstrip("\n").split("\t")
    ev, wall, cpu = int(ev), float(wall), float(cpu)
    rss = int(rss) / 1024 if rss else 0.0
    rate = ev / wall if wall > 0 else 0.0
    rows.append((tool, target, ev, wall, cpu, rss, rate, note))
head = ("tool", "target", "rules", "wall s", "cpu s", "peak RSS MB", "rules/s")
fmt = "%-6s %-22s %6s %8s %8s %12s %10s"
print(fmt % head)
for t, tg, ev, w, c, r, rate, _ in rows:
    print(fmt % (t, tg, ev, "%.3f" % w, "%.3f" % c, "%.1f" % r, "%.1f" % rate))
print()
for t, tg, *_, note in rows:
    print("  %s %s: %s" % (t, tg, note))
print()
get = lambda tool, target: next((r for r in rows if r[0] == tool and r[1] == target), None)
vr, vh = get("vigil", "root (Debian 11)"), get("vigil", "host")
ly, os_ = get("lynis", "host"), get("oscap", "root (Debian 11)")
if vh and ly and ly[6] > 0:
    ratio = vh[6] / ly[6]
    print("vigil/lynis (host) rules per second: %.0fx  (target >= 50x: %s)" %
          (ratio, "met" if ratio >= 50 else "NOT met"))
else:
    print("vigil/lynis: not measured")
if vr and os_ and os_[6] > 0:
    print("vigil/oscap (Debian 11 root) rules per second: %.0fx" % (vr[6] / os_[6]))
else:
    print("vigil/oscap: not measured")
for r in (vr, vh):
    if r:
        print("vigil %s wall %.3f s (target < 1 s: %s)" %
              (r[1], r[3], "met" if r[3] < 1 else "NOT met"))
with open(sys.argv[2], "w") as out:
    out.write("\t".join(head + ("note",)) + "\n")
    for r in rows:
        out.write("\t".join(str(x) for x in r) + "\n")
EOF
say "results: $BENCH_DIR/results-$STAMP.tsv"
exit 0
