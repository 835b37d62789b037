#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Keeps the tree's structural rules true: one entry point per input format,
# one module that opens files for reading, no banned functions, SPDX headers.
set -u
cd "${SRCDIR:?}"
pass=0 fail=0

check() { # description, offending lines (empty means ok)
	if [ -z "$2" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		printf 'FAIL: %s\n%s\n' "$1" "$2"
	fi
}

sources=$(git ls-files -co --exclude-standard -- '*.c' '*.h' 2>/dev/null || find scanner reporters remediation tests -name '*.[ch]')
prod=$(printf '%s\n' $sources | grep -v '^tests/')

only_in() { # pattern, allowed file regex, description
	local hits
	hits=$(printf '%s\n' $prod | grep -Ev "$2" | xargs -r grep -nE "$1" || true)
	check "$3" "$hits"
}

only_in '#include <yaml\.h>' '^scanner/formats/yaml\.c$' 'libyaml is used only by scanner/formats/yaml.c'
only_in '#include <pcre2\.h>|PCRE2_CODE_UNIT_WIDTH' '^scanner/regex\.c$' 'PCRE2 is used only by scanner/regex.c'
only_in '#include <libxml/' '^scanner/formats/xml\.c$' 'libxml2 is used only by scanner/formats/xml.c'
only_in 'json_load(file|fd|b|s)|json_loads' '^(reporters/json_read\.c|scanner/formats/json\.c)$' \
	'JSON is parsed only by reporters/json_read.c and scanner/formats/json.c'
only_in 'O_RDONLY|O_RDWR|fopen[[:space:]]*\(|mmap[[:space:]]*\(|xmlReadFile|xmlParseFile|yaml_parser_set_input_file|json_load_file' \
	'^scanner/targets/fs\.c$' 'files are opened for reading only by scanner/targets/fs.c'
only_in '\bregcomp[[:space:]]*\(|\bfnmatch[[:space:]]*\(' '^$' 'regexes and globs go through regex.c and glob.c'

banned=$(printf '%s\n' $sources | xargs -r grep -nE '(^|[^_[:alnum:]])(system|popen|strcpy|strcat|sprintf|vsprintf|sscanf|atoi|atol|atoll|gets|strtok|tmpnam|mktemp)\(' || true)
check 'no banned functions (system, popen, strcpy, strcat, sprintf, sscanf, atoi, strtok, ...)' "$banned"

nospdx=$(for f in $sources; do head -1 "$f" | grep -q 'SPDX-License-Identifier' || echo "$f"; done)
check 'every C file opens with an SPDX line' "$nospdx"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
