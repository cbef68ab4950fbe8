#!/bin/sh
# End-to-end test of schoolstat-indicators on tests/data/ind/: chosen rows of
# indicators.csv and exam_histograms.csv against values worked out by hand,
# the warnings appended to validation.csv, no nan/inf anywhere, and the exit
# status and stderr of each failure.
set -eu

BUILD=${BUILD:-build}
PROG="$BUILD/bin/schoolstat-indicators"
FIXTURE=tests/data/ind

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT HUP INT TERM

fails=0
fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

# has_line FILE LINE: FILE holds LINE exactly.
has_line() {
	grep -Fqx -- "$2" "$1" || fail "$1 lacks the line: $2"
}

out="$tmp/out"
mkdir "$out"
cp -R "$FIXTURE/clean" "$out/clean"
cp "$FIXTURE/validation.csv" "$out/validation.csv"

"$PROG" "$out" >"$tmp/stdout" 2>"$tmp/stderr" || fail "exit status $? on the fixture"
[ -s "$tmp/stdout" ] && fail "stdout not empty"

ind="$out/indicators.csv"
has_line "$ind" "year,scope,indicator,value,numerator,denominator,ci_low,ci_high"
# T1 + T2: (70 + 90) pupils / (2 + 3) classes = 32 (the mean of the school
# ratios 35 and 30 would be 32.5).
has_line "$ind" "2024-2025,level:tieu_hoc,students_per_class,32,160,5,,"
# all: (70 + 90 + 88) / (2 + 3 + 2) = 248 / 7 = 35.428571
has_line "$ind" "2024-2025,all,students_per_class,35.428571,248,7,,"
# T1 completed grade 5: 45 of the 50 enrolled (Wilson 95%: 78.639769 ..
# 95.652424), and 45 of the 60 who entered grade 1 in 2020-2021 (62.76793 ..
# 84.223477).
has_line "$ind" "2024-2025,T1,completion_rate,90,45,50,78.639769,95.652424"
has_line "$ind" "2024-2025,T1,completion_rate_cohort,75,45,60,62.76793,84.223477"
# T2 has no 2020-2021 data: no cohort row.
grep -q '^2024-2025,T2,completion_rate_cohort,' "$ind" && fail "T2 has a cohort completion row"
# level: (45 + 40) / (50 + 40) = 94.444444 (87.646264 .. 97.603903)
has_line "$ind" "2024-2025,level:tieu_hoc,completion_rate,94.444444,85,90,87.646264,97.603903"
# H1: 0 teachers, quota 0 -> empty values; 0 teachers over 2 classes is 0.
has_line "$ind" "2024-2025,H1,teachers_per_class,0,0,2,,"
has_line "$ind" "2024-2025,H1,students_per_teacher,,88,0,,"
has_line "$ind" "2024-2025,H1,permanent_staff_fill,,0,0,,"
# all: 4 teachers over the 2 + 2 classes of T1 and H1 (T2 reports no
# staff) = 1; (70 + 88) / 4 = 39.5; permanent 3 of quota 4 = 75.
has_line "$ind" "2024-2025,all,teachers_per_class,1,4,4,,"
has_line "$ind" "2024-2025,all,students_per_teacher,39.5,158,4,,"
# Exam of H1: 5.00 6.50 7.00 9.25 -> mean 27.75/4 = 6.9375, SS 9.296875
# over 3 -> SD 1.760386, median (6.50 + 7.00)/2 = 6.75, 4 of 4 pass
# (51.010916 .. 100), none at or below 1.0 (0 .. 48.989084).
has_line "$ind" "2024-2025,H1,exam_candidates:toan,4,4,1,,"
has_line "$ind" "2024-2025,H1,exam_mean:toan,6.9375,27.75,4,,"
has_line "$ind" "2024-2025,H1,exam_sd:toan,1.760386,9.296875,3,,"
has_line "$ind" "2024-2025,H1,exam_median:toan,6.75,,4,,"
has_line "$ind" "2024-2025,H1,exam_pass_rate:toan,100,4,4,51.010916,100"
has_line "$ind" "2024-2025,H1,exam_low_rate:toan,0,0,4,0,48.989084"
# The same scores for the commune, district and province scopes.
has_line "$ind" "2024-2025,commune:Phường Hòa Bình,exam_median:toan,6.75,,4,,"
has_line "$ind" "2024-2025,district:Thành phố Biên Hòa,exam_mean:toan,6.9375,27.75,4,,"
has_line "$ind" "2024-2025,province:Tỉnh Đồng Nai,exam_candidates:toan,4,4,1,,"
# Order: schools in file order, then levels, then commune/district/province,
# then all; the first and last data rows.
first=$(sed -n 2p "$ind")
[ "$first" = "2020-2021,T1,classes,2,2,1,," ] || fail "first row is '$first'"
last=$(tail -n 1 "$ind")
case $last in
2024-2025,all,*) ;;
*) fail "last row is '$last'" ;;
esac
scopes=$(awk -F, 'NR > 1 && $1 == "2024-2025" && $2 != prev { print $2; prev = $2 }' "$ind" | tr '\n' ' ')
[ "$scopes" = "T1 T2 H1 level:tieu_hoc level:thcs commune:Phường Hòa Bình district:Thành phố Biên Hòa province:Tỉnh Đồng Nai all " ] ||
	fail "scope order '$scopes'"

hist="$out/exam_histograms.csv"
has_line "$hist" "year,scope,subject,bin_width,bin_low,bin_high,count"
# H1 is the only lower-secondary school: level:thcs has its scores
has_line "$hist" "2024-2025,level:thcs,toan,0.05,9.25,9.3,1"
has_line "$hist" "2024-2025,level:thcs,toan,0.25,6.5,6.75,1"
has_line "$hist" "2024-2025,level:thcs,toan,1,9,10,1"
has_line "$hist" "2024-2025,all,toan,1,5,6,1"
# only level:thcs, province and all (no school, commune or district):
# 3 scopes x (200 + 40 + 10) bins, plus the header
n=$(wc -l <"$hist")
[ "$n" -eq 751 ] || fail "exam_histograms.csv has $n lines"

# No field is nan or inf.
for f in "$ind" "$hist"; do
	if grep -Eiq '(^|,)[+-]?(nan|inf)' "$f"; then
		fail "$f holds nan or inf"
	fi
done

# Warnings: appended after the earlier stage's line, also on stderr.
v="$out/validation.csv"
has_line "$v" "warning,planted_by_ingest,schools.csv,9,1,a line an earlier stage wrote"
[ "$(head -n 1 "$v")" = "severity,code,file,line,column,message" ] || fail "validation.csv header"
[ "$(grep -c '^severity,' "$v")" -eq 1 ] || fail "validation.csv header repeated"
grep -q "^warning,zero_denominator,staffing.csv,3,,permanent_staff_fill for 'H1' in 2024-2025: quota is '0'" "$v" ||
	fail "no zero_denominator warning for H1's quota"
grep -q "^warning,zero_denominator,staffing.csv,,,students_per_teacher for 'level:thcs' in 2024-2025" "$v" ||
	fail "no zero_denominator warning for level:thcs"
grep -Fq "staffing.csv:3: warning: permanent_staff_fill for 'H1' in 2024-2025: quota is '0' (expected more than 0); value left empty" "$tmp/stderr" ||
	fail "stderr lacks the warning"
# H1 and level:thcs: students_per_teacher and fill = 4 warnings
n=$(grep -c '^warning,zero_denominator,' "$v")
[ "$n" -eq 4 ] || fail "$n zero_denominator warnings, expected 4"

# Running twice gives the same bytes.
cp "$ind" "$tmp/first.csv"
"$PROG" "$out" 2>/dev/null || fail "second run failed"
cmp -s "$ind" "$tmp/first.csv" || fail "second run differs"

# --help: exit 0, usage on stdout.
"$PROG" --help >"$tmp/help" || fail "--help exit status"
head -n 1 "$tmp/help" | grep -Fqx "usage: schoolstat-indicators [--help] OUTPUT_DIR" ||
	fail "--help usage line"

# Bad command lines: exit 2, usage on stderr.
for args in "" "--bogus $out" "$out extra"; do
	set +e
	# shellcheck disable=SC2086
	"$PROG" $args >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	set -e
	[ "$rc" -eq 2 ] || fail "'$args': exit $rc, expected 2"
	grep -Fqx "usage: schoolstat-indicators [--help] OUTPUT_DIR" "$tmp/stderr" ||
		fail "'$args': no usage on stderr"
done

# No clean/schools.csv: exit 3, one line naming the file and strerror.
mkdir "$tmp/empty"
set +e
"$PROG" "$tmp/empty" >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
set -e
[ "$rc" -eq 3 ] || fail "missing schools.csv: exit $rc, expected 3"
grep -Fq "schoolstat-indicators: " "$tmp/stderr" || fail "missing schools.csv: no program name"
grep -Fq "$tmp/empty/clean/schools.csv" "$tmp/stderr" || fail "missing schools.csv: file not named"
grep -Fq ": No such file or directory" "$tmp/stderr" || fail "missing schools.csv: no strerror"
[ "$(wc -l <"$tmp/stderr")" -eq 1 ] || fail "missing schools.csv: more than one line"

# A malformed clean table: exit 3, file:line: error.
mkdir "$tmp/bad"
cp -R "$FIXTURE/clean" "$tmp/bad/clean"
printf '2024-2025,T2,2,two,30,,,,10\n' >>"$tmp/bad/clean/enrollment.csv"
set +e
"$PROG" "$tmp/bad" >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
set -e
[ "$rc" -eq 3 ] || fail "malformed table: exit $rc, expected 3"
grep -Fqx "$tmp/bad/clean/enrollment.csv:6: error: classes is not a whole number 'two' (expected a count of 0 or more)" "$tmp/stderr" ||
	fail "malformed table: stderr '$(cat "$tmp/stderr")'"

if [ "$fails" -ne 0 ]; then
	echo "e2e_indicators: $fails check(s) failed" >&2
	exit 1
fi
echo "e2e_indicators: ok"
