#!/bin/sh
# End-to-end test of schoolstat-accreditation: the bundled sample through
# schoolstat-ingest against the schedule and trajectory worked out by hand
# (data/README.md, "Accreditation"); a small clean fixture (tests/data/accr/)
# for 29 February, a downgrade under the 2026 rules, a recognition dated
# after the reference, an unknown school and a skipped target; and the exit
# status and stderr of each failure.
set -eu

BUILD=${BUILD:-build}
PROG="$BUILD/bin/schoolstat-accreditation"
INGEST="$BUILD/bin/schoolstat-ingest"
FIXTURE=tests/data/accr
USAGE="usage: schoolstat-accreditation [--reference-date YYYY-MM-DD] OUTPUT_DIR"

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

# same FILE EXPECTED: byte-identical.
same() {
	cmp -s "$1" "$2" || {
		fail "$1 differs from $2"
		diff "$2" "$1" >&2 || true
	}
}

# run_fails STATUS EXPECTED_STDERR ARGS...: the program exits with STATUS
# and prints exactly EXPECTED_STDERR.
run_fails() {
	want_status=$1
	want_err=$2
	shift 2
	set +e
	"$PROG" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
	status=$?
	set -e
	[ "$status" = "$want_status" ] || fail "'$*': exit status $status, expected $want_status"
	printf '%s\n' "$want_err" >"$tmp/want_err"
	cmp -s "$tmp/stderr" "$tmp/want_err" || {
		fail "'$*': stderr differs"
		diff "$tmp/want_err" "$tmp/stderr" >&2 || true
	}
	[ -s "$tmp/stdout" ] && fail "'$*': stdout not empty"
	return 0
}

# ------------------------------------------------------------ the sample
out="$tmp/sample"
"$INGEST" data/sample "$out" >/dev/null 2>&1 || fail "ingest of the sample failed"
"$PROG" "$out" >"$tmp/stdout" 2>"$tmp/stderr" || fail "exit status $? on the sample"
[ -s "$tmp/stdout" ] && fail "stdout not empty on the sample"
has_line "$tmp/stderr" "schoolstat-accreditation: reference date 2025-05-31 (end of the latest school year); 10 schools, 16 recognitions; trajectories 1, charts 2, warnings 0"
same "$out/accreditation_schedule.csv" "$FIXTURE/sample_schedule.csv"
same "$out/accreditation_trajectory.csv" "$FIXTURE/sample_trajectory.csv"
for f in accreditation_levels accreditation_timeline_1; do
	for ext in png svg; do
		[ -s "$out/charts/$f.$ext" ] || fail "no chart $f.$ext"
	done
done
grep -q 'nan\|inf' "$out/accreditation_schedule.csv" "$out/accreditation_trajectory.csv" &&
	fail "nan or inf in an output"
# the same inputs give the same bytes
cp "$out/charts/accreditation_timeline_1.svg" "$tmp/first.svg"
cp "$out/charts/accreditation_levels.png" "$tmp/first.png"
"$PROG" "$out" 2>/dev/null || fail "second run failed"
cmp -s "$tmp/first.svg" "$out/charts/accreditation_timeline_1.svg" || fail "SVG differs between runs"
cmp -s "$tmp/first.png" "$out/charts/accreditation_levels.png" || fail "PNG differs between runs"

# Mid-year: 2025-09-15. MN01 must register within 117 days (15 + 31 + 30 +
# 31 + 10); TH03 is now 26 days late (11 + 15), THCS02 138 days late (31 +
# 30 + 31 + 31 + 15) and its planned evaluation is today (not passed).
"$PROG" --reference-date 2025-09-15 "$out" 2>"$tmp/stderr" || fail "exit status $? at 2025-09-15"
has_line "$tmp/stderr" "schoolstat-accreditation: reference date 2025-09-15; 10 schools, 16 recognitions; trajectories 1, charts 2, warnings 0"
sched="$out/accreditation_schedule.csv"
has_line "$sched" "2025-09-15,MN01,Trường Mầm non Hoa Sen,mam_non,cong_lap,valid,3,1,2021-06-10,renewal,2018,2026-06-10,2026-01-10,117,renewal,2026-01-10,2026-05-15,ok,2016-05-12 2/1; 2021-06-10 3/1,3"
has_line "$sched" "2025-09-15,TH03,Trường Tiểu học Trần Quốc Toản,tieu_hoc,cong_lap,overdue,2,1,2021-01-20,renewal,2018,2026-01-20,2025-08-20,-26,renewal,2025-08-20,2025-12-10,ok,2015-10-08 1/0; 2021-01-20 2/1,13"
has_line "$sched" "2025-09-15,THCS02,Trường THCS Chu Văn An,thcs,cong_lap,overdue,2,1,2020-09-30,first,2018,2025-09-30,2025-04-30,-138,renewal,2025-04-30,2025-09-15,ok,2020-09-30 2/1,17"
# the reference row now belongs to 2025-2026; the same 7 schools count
has_line "$out/accreditation_trajectory.csv" "all,standard_school_share,>=,84,2030,2025-2026,2025-09-15,actual,10,9,7,7,0,0,7,26"
has_line "$out/accreditation_trajectory.csv" "all,standard_school_share,>=,84,2030,2025-2026,2026-05-31,plan,10,9,8,5,2,3,8,26"

# ------------------------------------------------------------ the fixture
fx="$tmp/fixture"
mkdir "$fx"
cp -R "$FIXTURE/clean" "$fx/clean"
cp "$FIXTURE/validation.csv" "$fx/validation.csv"
"$PROG" --reference-date 2026-09-01 "$fx" >"$tmp/stdout" 2>"$tmp/stderr" || fail "exit status $? on the fixture"
cat >"$tmp/want_err" <<'EOF'
accreditation.csv:6: warning: school 'Z' is not in schools.csv (expected a school_id of schools.csv); recognition left out
targets.csv:2: warning: no accreditation trajectory for standard_school_share in all: no path to a target with operator '<=' (expected >= or =)
schoolstat-accreditation: reference date 2026-09-01; 3 schools, 4 recognitions; trajectories 1, charts 2, warnings 2
EOF
cmp -s "$tmp/stderr" "$tmp/want_err" || {
	fail "fixture stderr differs"
	diff "$tmp/want_err" "$tmp/stderr" >&2 || true
}
sched="$fx/accreditation_schedule.csv"
# A: 29/02/2024 downgraded on 01/09/2026 under the 2026 rules to level 0
# (in force to 2031-09-01, register by 2031-04-01: 1461 + 212 = 1673 days)
has_line "$sched" "2026-09-01,A,Trường A,tieu_hoc,cong_lap,valid,1,0,2026-09-01,renewal,2026,2031-09-01,2031-04-01,1673,none,,,,2024-02-29 2/1; 2026-09-01 1/0,3"
# B: recognised 31/07/2021, lapsed after 31/07/2026
has_line "$sched" "2026-09-01,B,Trường B,thcs,cong_lap,expired,0,0,2021-07-31,first,2018,2026-07-31,2026-02-28,,renewal,,,,2021-07-31 3/2,4"
# C: its recognition of 10/01/2027 lies after the reference date
has_line "$sched" "2026-09-01,C,Trường C,mam_non,tu_thuc,none,0,0,,,,,,,first_recognition,,,,,"
traj="$fx/accreditation_trajectory.csv"
has_line "$traj" "level:tieu_hoc,standard_school_share_public,>=,100,2030,2026-2027,2026-09-01,actual,1,1,0,0,0,0,0,3"
has_line "$traj" "level:tieu_hoc,standard_school_share_public,>=,100,2030,2026-2027,2027-05-31,plan,1,1,1,0,0,1,1,3"
has_line "$traj" "level:tieu_hoc,standard_school_share_public,>=,100,2030,2029-2030,2030-05-31,plan,1,1,1,0,0,0,1,3"
[ "$(wc -l <"$traj")" -eq 6 ] || fail "trajectory has $(wc -l <"$traj") lines, expected 6"
# the warnings are appended to validation.csv
has_line "$fx/validation.csv" "warning,unknown_school,accreditation.csv,6,,school 'Z' is not in schools.csv (expected a school_id of schools.csv); recognition left out"
has_line "$fx/validation.csv" "warning,trajectory_skipped,targets.csv,2,,no accreditation trajectory for standard_school_share in all: no path to a target with operator '<=' (expected >= or =)"

# Before the 2026 rules and A's downgrade (06/07/2026): A at level 1 to
# 28/02/2029 (29/02/2024 + 5 years), register by 28/09/2028 (731 + 84 =
# 815 days); B 128 days past its deadline of 28/02/2026.
"$PROG" --reference-date 2026-07-06 "$fx" >/dev/null 2>&1 || fail "exit status $? at 2026-07-06"
has_line "$sched" "2026-07-06,A,Trường A,tieu_hoc,cong_lap,valid,2,1,2024-02-29,first,2018,2029-02-28,2028-09-28,815,none,,2028-12-01,ok,2024-02-29 2/1,2"
has_line "$sched" "2026-07-06,B,Trường B,thcs,cong_lap,overdue,3,2,2021-07-31,first,2018,2026-07-31,2026-02-28,-128,renewal,2026-02-28,,,2021-07-31 3/2,4"

# ------------------------------------------------------------ failures
run_fails 2 "schoolstat-accreditation: missing OUTPUT_DIR
$USAGE"
run_fails 2 "schoolstat-accreditation: bad --reference-date '2025-02-29' (expected an ISO date YYYY-MM-DD)
$USAGE" --reference-date 2025-02-29 "$fx"
run_fails 2 "schoolstat-accreditation: missing value for '--reference-date'
$USAGE" "$fx" --reference-date
run_fails 2 "schoolstat-accreditation: unknown option '--year'
$USAGE" --year 2024-2025 "$fx"
run_fails 2 "schoolstat-accreditation: unexpected argument 'other'
$USAGE" "$fx" other
run_fails 3 "schoolstat-accreditation: $tmp/none/clean/schools.csv: cannot read: No such file or directory" "$tmp/none"

# no register at all: unknown, not zero — nothing written, exit 0
noreg="$tmp/noregister"
mkdir -p "$noreg/clean"
cp "$FIXTURE/clean/schools.csv" "$noreg/clean/"
"$PROG" "$noreg" 2>"$tmp/noreg.err" || fail "no register: exit status $?, expected 0"
grep -qx "schoolstat-accreditation: no accreditation.csv in the input: nothing to do" "$tmp/noreg.err" ||
	fail "no register: message"
[ ! -e "$noreg/accreditation_schedule.csv" ] || fail "no register: a schedule was written"

# an empty register, no school year in the data: no reference date
nod="$tmp/noyear"
mkdir -p "$nod/clean"
cp "$FIXTURE/clean/schools.csv" "$nod/clean/"
printf 'school_id,quality_level,standard_level,recognized_on,kind,next_due,note,src_line\n' >"$nod/clean/accreditation.csv"
run_fails 2 "schoolstat-accreditation: no school year in the clean tables to take the reference date from (expected --reference-date)" "$nod"

# a malformed clean table
bad="$tmp/bad"
mkdir -p "$bad/clean"
cp "$FIXTURE/clean/schools.csv" "$bad/clean/"
printf 'school_id,quality_level,standard_level,recognized_on,kind,next_due,note,src_line\nA,2,1,29/02/2024,first,,,2\n' >"$bad/clean/accreditation.csv"
run_fails 3 "$bad/clean/accreditation.csv:2:4: error: bad recognized_on '29/02/2024' (expected an ISO date YYYY-MM-DD)" --reference-date 2026-09-01 "$bad"

# --help: the synopsis, exit statuses and an example on stdout
"$PROG" --help >"$tmp/help" 2>"$tmp/stderr" || fail "--help exit status $?"
[ -s "$tmp/stderr" ] && fail "--help wrote to stderr"
[ "$(sed -n 1p "$tmp/help")" = "$USAGE" ] || fail "--help does not start with the usage line"
grep -q '^exit status:' "$tmp/help" || fail "--help lacks the exit statuses"
grep -q '^example:' "$tmp/help" || fail "--help lacks an example"

if [ "$fails" -gt 0 ]; then
	echo "e2e_accreditation: $fails failure(s)" >&2
	exit 1
fi
echo "e2e_accreditation: all checks passed"
