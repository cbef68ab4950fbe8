#!/bin/sh
# End-to-end tests of schoolstat-charts on a hand-made output directory
# (tests/data/charts/full: gaps.csv with deadline columns, norms.csv,
# indicators.csv, exam_histograms.csv, clean/schools.csv): the charts
# written, their sizes, byte-identical reruns, the notes for missing inputs
# and every exit status with its exact message.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
prog=$BUILD/bin/schoolstat-charts
fixture=tests/data/charts
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

fresh() { # a copy of the fixture output directory
	rm -rf "$tmp/$1"
	cp -R "$fixture/full" "$tmp/$1"
}

png_size() { # prints WIDTHxHEIGHT from the PNG header (IHDR)
	od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%dx%d\n", \
		(($1 * 256 + $2) * 256 + $3) * 256 + $4, \
		(($5 * 256 + $6) * 256 + $7) * 256 + $8 }'
}

png_signature() { # 1 when the file starts with the PNG signature
	[ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = 89504e470d0a1a0a ]
}

all_pngs_1600x1000() {
	for f in "$1"/*.png; do
		png_signature "$f" || return 1
		[ "$(png_size "$f")" = 1600x1000 ] || return 1
	done
}

all_svgs_in_points() {
	for f in "$1"/*.svg; do
		head -c 300 "$f" | grep -q 'width="800pt" height="500pt" viewBox="0 0 800 500"' || return 1
		tail -c 20 "$f" | grep -q '</svg>' || return 1
	done
}

same_files() { # every file of dir $1 is byte-identical in dir $2
	for f in "$1"/*; do
		cmp -s "$f" "$2/$(basename "$f")" || return 1
	done
	[ "$(ls "$1" | wc -l)" = "$(ls "$2" | wc -l)" ]
}

expected_charts() {
	for c in exam_ngu_van exam_toan funnel_promotion_rate funnel_repetition_rate \
		gaps_1 norms_1 norms_2 trend_CS01_teachers_per_class \
		trend_TH03_students_per_class trend_all_exam_mean_toan \
		trend_all_promotion_rate trend_all_promotion_rate_2 \
		trend_all_standard_school_share trend_level_thcs_repetition_rate; do
		echo "$c.png"; echo "$c.svg"
	done
}

# 1. the fixture: every chart, the one note, nothing on stdout
fresh run
check "fixture exit 0" [ "$(status_of "$prog" "$tmp/run")" = 0 ]
expected_charts >"$tmp/want_list"
ls "$tmp/run/charts" >"$tmp/got_list"
check "the expected chart files" diff "$tmp/want_list" "$tmp/got_list"
echo "schoolstat-charts: no trend chart for 1 target of 2024-2025: no values in indicators.csv" >"$tmp/want_err"
check "one note on stderr" diff "$tmp/want_err" "$tmp/err"
check "nothing on stdout" [ ! -s "$tmp/out" ]
check "PNGs are 1600x1000" all_pngs_1600x1000 "$tmp/run/charts"
check "SVGs are 800x500 pt and complete" all_svgs_in_points "$tmp/run/charts"
check "PNGs are not tiny" [ "$(wc -c <"$tmp/run/charts/gaps_1.png")" -gt 20000 ]

# 2. a second run, elsewhere and in place, gives the same bytes
fresh again
check "second run exit 0" [ "$(status_of "$prog" "$tmp/again")" = 0 ]
check "second run byte-identical" same_files "$tmp/run/charts" "$tmp/again/charts"
check "rerun in place exit 0" [ "$(status_of "$prog" "$tmp/again")" = 0 ]
check "rerun in place byte-identical" same_files "$tmp/run/charts" "$tmp/again/charts"
check "--year of the latest year is the default" [ "$(status_of "$prog" --year 2024-2025 "$tmp/again")" = 0 ]
check "--year 2024-2025 byte-identical" same_files "$tmp/run/charts" "$tmp/again/charts"

# 3. an earlier year
fresh y2023
check "--year=2023-2024 exit 0" [ "$(status_of "$prog" --year=2023-2024 "$tmp/y2023")" = 0 ]
check "--year=2023-2024 no notes" [ ! -s "$tmp/err" ]
check "--year=2023-2024 charts" [ "$(ls "$tmp/y2023/charts" | wc -l)" -eq 16 ]
check "--year=2023-2024 draws its own histogram" sh -c "! cmp -s '$tmp/run/charts/exam_toan.png' '$tmp/y2023/charts/exam_toan.png'"

# 4. missing inputs are skipped with a note, exit 0
mkdir "$tmp/empty"
check "empty directory exit 0" [ "$(status_of "$prog" "$tmp/empty")" = 0 ]
cat >"$tmp/want_err" <<'EOF'
schoolstat-charts: clean/schools.csv not found: schools are shown by id
schoolstat-charts: no target or trend chart: gaps.csv not found
schoolstat-charts: no norm chart: norms.csv not found
schoolstat-charts: no exam chart: exam_histograms.csv not found
schoolstat-charts: no funnel plot: indicators.csv not found
EOF
check "empty directory notes" diff "$tmp/want_err" "$tmp/err"
check "empty directory: charts/ made" [ -d "$tmp/empty/charts" ]
check "empty directory: no chart" [ -z "$(ls "$tmp/empty/charts")" ]
mkdir "$tmp/only_norms"
cp "$fixture/full/norms.csv" "$tmp/only_norms/"
check "norms only exit 0" [ "$(status_of "$prog" "$tmp/only_norms")" = 0 ]
check "norms only: two pages of norms" [ "$(ls "$tmp/only_norms/charts" | tr '\n' ' ')" = "norms_1.png norms_1.svg norms_2.png norms_2.svg " ]

# 5. exit statuses and messages
check "--help exit 0" [ "$(status_of "$prog" --help)" = 0 ]
check "--help starts with usage" [ "$(head -n 1 "$tmp/out")" = "usage: schoolstat-charts [--year YEAR] OUTPUT_DIR" ]
check "--help lists exit statuses" grep -q '^  3  an input cannot be read' "$tmp/out"
check "--help has an example" grep -q '^  schoolstat-charts --year 2024-2025 output$' "$tmp/out"

check "no argument exit 2" [ "$(status_of "$prog")" = 2 ]
printf '%s\n' "schoolstat-charts: expected OUTPUT_DIR" \
	"usage: schoolstat-charts [--year YEAR] OUTPUT_DIR" >"$tmp/want_err"
check "no argument message" diff "$tmp/want_err" "$tmp/err"

check "bad year exit 2" [ "$(status_of "$prog" --year 2024 "$tmp/run")" = 2 ]
printf '%s\n' "schoolstat-charts: malformed year '2024' (expected a school year such as 2024-2025)" \
	"usage: schoolstat-charts [--year YEAR] OUTPUT_DIR" >"$tmp/want_err"
check "bad year message" diff "$tmp/want_err" "$tmp/err"

check "--year without value exit 2" [ "$(status_of "$prog" --year)" = 2 ]
check "unknown option exit 2" [ "$(status_of "$prog" --colour "$tmp/run")" = 2 ]
check "unknown option message" grep -qx "schoolstat-charts: unknown option '--colour'" "$tmp/err"
check "two directories exit 2" [ "$(status_of "$prog" "$tmp/run" "$tmp/again")" = 2 ]
check "two directories message" grep -qx "schoolstat-charts: unexpected argument '$tmp/again'" "$tmp/err"

mkdir "$tmp/bad"
cp "$fixture/bad/gaps_status.csv" "$tmp/bad/gaps.csv"
check "malformed input exit 3" [ "$(status_of "$prog" "$tmp/bad")" = 3 ]
printf '%s\n' "schoolstat-charts: clean/schools.csv not found: schools are shown by id" \
	"schoolstat-charts: $tmp/bad/gaps.csv:2: error: unknown status 'maybe' (expected met, not_met or no_data)" >"$tmp/want_err"
check "malformed input message" diff "$tmp/want_err" "$tmp/err"

check "missing output directory exit 3" [ "$(status_of "$prog" "$tmp/nonexistent")" = 3 ]
echo "schoolstat-charts: $tmp/nonexistent/charts: error: cannot create the charts directory: No such file or directory" >"$tmp/want_err"
check "missing output directory message" diff "$tmp/want_err" "$tmp/err"

if [ "$(id -u)" != 0 ]; then
	fresh ro
	chmod a-w "$tmp/ro"
	check "read-only output directory exit 3" [ "$(status_of "$prog" "$tmp/ro")" = 3 ]
	chmod u+w "$tmp/ro"
fi
fresh blocked
mkdir "$tmp/blocked/charts"
mkdir "$tmp/blocked/charts/gaps_1.png"
check "unwritable chart exit 3" [ "$(status_of "$prog" "$tmp/blocked")" = 3 ]
check "unwritable chart message" grep -q "^schoolstat-charts: $tmp/blocked/charts/gaps_1.png: error: cannot rename '$tmp/blocked/charts/gaps_1.png.tmp'" "$tmp/err"
check "no temporary file left" [ ! -e "$tmp/blocked/charts/gaps_1.png.tmp" ]
check "nothing written after the chart that failed" [ "$(ls "$tmp/blocked/charts")" = gaps_1.png ]
fresh blocked_later
mkdir "$tmp/blocked_later/charts"
mkdir "$tmp/blocked_later/charts/norms_1.svg"
check "unwritable later chart exit 3" [ "$(status_of "$prog" "$tmp/blocked_later")" = 3 ]
check "unwritable later chart message" grep -q "^schoolstat-charts: $tmp/blocked_later/charts/norms_1.svg: error: cannot rename" "$tmp/err"
check "the charts before it written, none after" [ "$(ls "$tmp/blocked_later/charts" | tr '\n' ' ')" = "gaps_1.png gaps_1.svg norms_1.png norms_1.svg trend_CS01_teachers_per_class.png trend_CS01_teachers_per_class.svg trend_TH03_students_per_class.png trend_TH03_students_per_class.svg trend_all_exam_mean_toan.png trend_all_exam_mean_toan.svg trend_all_promotion_rate.png trend_all_promotion_rate.svg trend_all_promotion_rate_2.png trend_all_promotion_rate_2.svg trend_all_standard_school_share.png trend_all_standard_school_share.svg trend_level_thcs_repetition_rate.png trend_level_thcs_repetition_rate.svg " ]
check "the note before it told" grep -q "^schoolstat-charts: no trend chart for 1 target" "$tmp/err"

echo "e2e_charts: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
