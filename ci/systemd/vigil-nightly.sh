#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Nightly host scan: keeps tonight's results beside last night's and reports
# only what changed, so alerts fire on new failures, not on known ones.
# Exit: 0 nothing new, 1 new failures, 2 the scan or the comparison failed.
set -u
state=${VIGIL_STATE_DIR:-/var/lib/vigil}
vigil=${VIGIL:-vigil}
mkdir -p "$state" || exit 2
"$vigil" scan --host -q --format json -o "$state/tonight.json" \
	--report html="$state/report.html" --report sarif="$state/report.sarif" "$@"
scan=$?
[ "$scan" -le 1 ] || exit 2
if [ -f "$state/last.json" ]; then
	"$vigil" diff "$state/last.json" "$state/tonight.json" > "$state/changes.txt"
	diff=$?
else
	diff=0
	echo "first run: nothing to compare with" > "$state/changes.txt"
fi
mv "$state/tonight.json" "$state/last.json" || exit 2
cat "$state/changes.txt"
exit "$diff"
