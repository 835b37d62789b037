#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The nightly wrapper (ci/systemd/vigil-nightly.sh): first run, an unchanged
# night, a night with new failures, and the systemd units it ships with.
set -u
. "$SRCDIR/tests/integration/lib.sh"

nightly="$SRCDIR/ci/systemd/vigil-nightly.sh"
state="$WORK/state"

out=$(VIGIL_STATE_DIR=$state VIGIL=$VIGIL timeout 120 sh "$nightly" --rule 'linux.files.passwd' 2>&1)
assert_eq 'first night exits 0' 0 $?
assert_contains 'first night says there is nothing to compare' "$out" 'first run'
for f in last.json report.html report.sarif changes.txt; do
	[ -s "$state/$f" ] && ok || bad "first night writes $f"
done

out=$(VIGIL_STATE_DIR=$state VIGIL=$VIGIL timeout 120 sh "$nightly" --rule 'linux.files.passwd' 2>&1)
assert_eq 'an unchanged night exits 0' 0 $?
assert_not_contains 'an unchanged night lists nothing new' "$out" 'NEW'

# More rules tonight: whatever fails among them is new since last night.
fails=$(timeout 120 "$VIGIL" scan --host --rule 'linux.*' --format json 2>/dev/null |
	python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(1 for f in d["findings"] if f["status"]=="fail" and f.get("suppression","none")=="none"))')
VIGIL_STATE_DIR=$state VIGIL=$VIGIL timeout 120 sh "$nightly" --rule 'linux.*' >/dev/null 2>&1
rc=$?
if [ "${fails:-0}" -gt 0 ]; then
	assert_eq 'a night with new failures exits 1' 1 "$rc"
	grep -qi 'new' "$state/changes.txt" && ok || bad 'the changes list the new failures'
else
	assert_eq 'no failures on this host: still nothing new' 0 "$rc"
fi

# A scan that cannot run is not a quiet night.
VIGIL_STATE_DIR=$state VIGIL=$VIGIL timeout 60 sh "$nightly" --policy "$WORK/missing.yaml" >/dev/null 2>&1
assert_eq 'a failed scan exits 2' 2 $?

unit="$SRCDIR/ci/systemd/vigil-nightly.service"
assert_contains 'the service is read-only apart from its state' "$(cat "$unit")" 'ProtectSystem=strict'
assert_not_contains 'the service sees the host network namespace' "$(cat "$unit")" 'PrivateNetwork=yes'
assert_contains 'the timer runs daily' "$(cat "$SRCDIR/ci/systemd/vigil-nightly.timer")" 'OnCalendar='
if command -v systemd-analyze >/dev/null 2>&1; then
	sed "s|@BINDIR@|/usr/bin|g" "$unit" > "$WORK/vigil-nightly.service"
	cp "$SRCDIR/ci/systemd/vigil-nightly.timer" "$WORK/"
	v=$(systemd-analyze verify "$WORK/vigil-nightly.service" 2>&1 | grep -v 'is not executable\|No such file\|Failed to' || true)
	assert_eq 'systemd-analyze finds nothing wrong in the units' '' "$v"
fi
finish
