#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Sets up and builds (ci/setup.sh), then runs the whole suite twice: plain in
# build/, and under AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/.
set -eu
cd "$(dirname "$0")/.."

# What only the tests need: a browser for the HTML report, xmllint, Node.js
# for ../shared/tools/validate-reports, setpriv for unprivileged checks.
extra="chromium libxml2-utils util-linux"
command -v npm >/dev/null 2>&1 || extra="$extra nodejs npm"
VIGIL_EXTRA_PACKAGES="$extra" ./ci/setup.sh
meson test -C build --print-errorlogs

if [ ! -f build-asan/build.ninja ]; then
	meson setup build-asan --buildtype=debug -Db_sanitize=address,undefined
fi
ninja -C build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	meson test -C build-asan --print-errorlogs

# One closing line for both runs, counted from meson's own logs.
python3 - build/meson-logs/testlog.json build-asan/meson-logs/testlog.json <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)["result"]
            if r in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif r == "SKIP":
                skipped += 1
            else:
                failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
