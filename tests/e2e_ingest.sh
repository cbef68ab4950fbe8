#!/bin/sh
# End-to-end tests of schoolstat-ingest: the sample, the same sample as a
# vi-VN Excel export, a fixture full of bad rows, and every exit status.
set -eu
BUILD=${BUILD:-build}
prog=$BUILD/bin/schoolstat-ingest
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
pass=0

check() { # description, then a command that must succeed
	desc=$1; shift
	if "$@"; then pass=$((pass + 1)); else echo "FAIL: $desc" >&2; fails=$((fails + 1)); fi
}

status_of() { # runs the command, prints its exit status
	set +e; "$@" >"$tmp/out" 2>"$tmp/err"; s=$?; set -e; echo $s
}

# 1. the sample ingests with exit 0 and writes every output
check "sample exit 0" [ "$(status_of "$prog" data/sample "$tmp/s")" = 0 ]
for f in validation.csv rejects.csv clean/schools.csv clean/enrollment.csv \
	 clean/promotion.csv clean/staffing.csv clean/targets.csv; do
	check "sample writes $f" [ -s "$tmp/s/$f" ]
done

# 2. a vi-VN Excel export of the same data gives the same clean tables
check "vi export exit 0" [ "$(status_of "$prog" tests/data/vi_export "$tmp/v")" = 0 ]
check "vi export is ';' with vi numbers and a BOM" grep -q "(';', vi numbers, BOM)" "$tmp/err"
check "vi export gives identical clean tables" diff -r -x sources.csv "$tmp/s/clean" "$tmp/v/clean"

# 3. a rerun is byte-identical
check "rerun exit 0" [ "$(status_of "$prog" data/sample "$tmp/s2")" = 0 ]
check "rerun byte-identical" diff -r "$tmp/s" "$tmp/s2"

# 4. bad rows: reported with file:line:column, kept in rejects.csv
bad=tests/data/ingest/bad
check "bad fixture exit 0" [ "$(status_of "$prog" $bad "$tmp/b")" = 0 ]
check "message names file, line, column and a suggestion" grep -qxF \
	"$bad/enrollment.csv:3:11: error: unknown school id 'TH0l' (expected an id from schools.csv; did you mean 'TH01'?)" "$tmp/err"
check "summary counts the enrollment table" grep -q \
	"enrollment.csv .* 14 read .* 4 accepted .* 10 rejected" "$tmp/err"
check "rejects.csv keeps the 22 rejected rows" [ "$(($(wc -l <"$tmp/b/rejects.csv") - 1))" = 22 ]
check "validation.csv has 27 findings" [ "$(($(wc -l <"$tmp/b/validation.csv") - 1))" = 27 ]
check "rejected row kept verbatim" grep -qF '2024-2025,TH0l,2,4,140' "$tmp/b/rejects.csv"
check "--strict exit 1" [ "$(status_of "$prog" --strict $bad "$tmp/b2")" = 1 ]
check "--strict still writes outputs" [ -s "$tmp/b2/rejects.csv" ]

# 5. command line and I/O failures
check "--help exit 0" [ "$(status_of "$prog" --help)" = 0 ]
check "--help has usage, exit status, example" sh -c \
	"grep -q '^usage: schoolstat-ingest' '$tmp/out' && grep -q '^exit status:' '$tmp/out' && grep -q '^example:' '$tmp/out'"
check "no arguments exit 2" [ "$(status_of "$prog")" = 2 ]
check "bad number style exit 2" [ "$(status_of "$prog" --number-style fr data/sample "$tmp/x")" = 2 ]
check "unknown option exit 2" [ "$(status_of "$prog" --frobnicate data/sample "$tmp/x")" = 2 ]
mkdir "$tmp/empty"
check "no schools.csv exit 3" [ "$(status_of "$prog" "$tmp/empty" "$tmp/x")" = 3 ]
check "no schools.csv message" grep -q "schools.csv: error: cannot read the schools table" "$tmp/err"
check "missing input dir exit 3" [ "$(status_of "$prog" "$tmp/nope" "$tmp/x")" = 3 ]
: >"$tmp/file"
check "output is a file exit 3" [ "$(status_of "$prog" data/sample "$tmp/file")" = 3 ]
if [ -w /dev/full ]; then
	mkdir -p "$tmp/full/clean"
	ln -s /dev/full "$tmp/full/validation.csv"
	check "disk full exit 3" [ "$(status_of "$prog" data/sample "$tmp/full")" = 3 ]
fi

echo "e2e_ingest: $pass passed, $fails failed"
[ "$fails" = 0 ]
