#!/bin/sh
# End-to-end: ingest, indicators, gaps and audit on the sample; every
# target's actual (4 decimals), basis and status against the values
# computed independently from the sample's counts (data/README.md,
# "Expected target results", kept in tests/data/gaps/sample_expected.csv).
set -eu
BUILD=${BUILD:-build}
bin=$BUILD/bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
pass=0

check() {
	desc=$1; shift
	if "$@"; then pass=$((pass + 1)); else echo "FAIL: $desc" >&2; fails=$((fails + 1)); fi
}

out=$tmp/out
"$bin/schoolstat-ingest" --quiet data/sample "$out" 2>/dev/null
"$bin/schoolstat-indicators" "$out" 2>/dev/null
"$bin/schoolstat-gaps" --quiet "$out" 2>"$tmp/gaps.err"
check "gaps summary line" grep -q "^schoolstat-gaps: gaps.csv written" "$tmp/gaps.err"

# actual rounded to 4 decimals, basis and status for each target row,
# keyed by the targets.csv line the row came from
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	{ a = $(col["actual"]); if (a != "") a = sprintf("%.4f", a);
	  print $(col["src_line"]) "," $(col["year"]) "," $(col["scope"]) "," \
		$(col["indicator"]) "," a "," $(col["basis"]) "," $(col["status"]) }' \
	"$out/gaps.csv" >"$tmp/got"
while IFS= read -r want; do
	case $want in src_line*) continue ;; esac
	line=${want%%,*}
	got=$(grep "^$line," "$tmp/got" || true)
	check "targets.csv:$line: got '$got', expected '$want'" [ "$got" = "$want" ]
done <tests/data/gaps/sample_expected.csv

# the borderline target: 99.888...% does not meet 99.9
check "borderline gap" grep -q '^2024-2025,level:mam_non,promotion_rate,>=,99.9,99.888889,2024-2025,actual,-0.011111,not_met' "$out/gaps.csv"
# a deadline target carries its projection
check "deadline projection" grep -q '^2029-2030,all,permanent_staff_fill,>=,100,88.081395,2024-2025,baseline,-11.918605,not_met,2030,' "$out/gaps.csv"

# the audit finds the planted contradictory level target (targets.csv:2)
"$bin/schoolstat-audit" "$out" 2>"$tmp/audit.err"
check "audit names the planted target" grep -q \
	"^data/sample/targets.csv:2: warning: level:tieu_hoc target promotion_rate >= 99.5 contradicts its 3 schools' targets" "$tmp/audit.err"
check "audit finding in validation.csv" grep -q "target_contradicts_schools,data/sample/targets.csv,2," "$out/validation.csv"

# reruns are byte-identical
cp "$out/gaps.csv" "$tmp/gaps1.csv"
"$bin/schoolstat-gaps" --quiet "$out" 2>/dev/null
check "rerun byte-identical" cmp -s "$out/gaps.csv" "$tmp/gaps1.csv"

# exit statuses
set +e
"$bin/schoolstat-gaps" >/dev/null 2>&1; s1=$?
"$bin/schoolstat-gaps" --bogus "$out" >/dev/null 2>&1; s2=$?
"$bin/schoolstat-gaps" --help >"$tmp/help"; s3=$?
mkdir -p "$tmp/broken/clean" && printf 'year,scope\n"x\n' >"$tmp/broken/clean/targets.csv"
"$bin/schoolstat-gaps" "$tmp/broken" >/dev/null 2>&1; s4=$?
"$bin/schoolstat-audit" >/dev/null 2>&1; s5=$?
# only the rows of indicators.csv the targets need are kept, but a broken
# row anywhere in it still fails both stages with its file:line:column
cp -r "$out" "$tmp/badind"
awk 'NR == 3 { print $0 ",extra"; next } 1' "$out/indicators.csv" >"$tmp/badind/indicators.csv"
"$bin/schoolstat-gaps" "$tmp/badind" >/dev/null 2>"$tmp/badind.gaps.err"; s6=$?
"$bin/schoolstat-audit" "$tmp/badind" >/dev/null 2>"$tmp/badind.audit.err"; s7=$?
set -e
check "broken indicators.csv: gaps exit 3" [ "$s6" = 3 ]
check "broken indicators.csv: audit exit 3" [ "$s7" = 3 ]
check "broken indicators.csv: gaps names line and column" grep -q "indicators.csv:3:1: error: row has 9 fields (expected 8)" "$tmp/badind.gaps.err"
check "broken indicators.csv: audit names line and column" grep -q "indicators.csv:3:1: error: row has 9 fields (expected 8)" "$tmp/badind.audit.err"
check "no OUTPUT_DIR exit 2" [ "$s1" = 2 ]
check "unknown option exit 2" [ "$s2" = 2 ]
check "--help exit 0" [ "$s3" = 0 ]
check "--help has exit statuses and example" sh -c "grep -q '^exit status:' '$tmp/help' && grep -q '^example:' '$tmp/help'"
check "unreadable targets exit 3" [ "$s4" = 3 ]
check "audit without OUTPUT_DIR exit 2" [ "$s5" = 2 ]

echo "e2e_gaps: $pass passed, $fails failed"
[ "$fails" = 0 ]
