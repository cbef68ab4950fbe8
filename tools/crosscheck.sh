#!/bin/sh
# crosscheck.sh — the pipeline's per-school exam statistics against an
# independent SQL engine (sqlite3), computed from the raw scores.
#
#   sh tools/crosscheck.sh                  generated files of XC_SIZES
#   XC_SIZES=200000 sh tools/crosscheck.sh
#   sh tools/crosscheck.sh DIR...           input directories holding
#                                           schools.csv and exam_scores.csv
#
# For each input, schoolstat-ingest and schoolstat-indicators run into a
# scratch output directory; sqlite3 loads exam_scores.csv as it is (blank
# cells = subject not sat) and computes, per year, school and subject, from
# the scores themselves:
#   n; mean; sample SD (two passes: the squared deviations from the group
#   mean); median (window functions: the average of the middle one or two
#   scores in score order); share of scores >= 5 and <= 1, in percent;
# then compares them with indicators.csv (exam_candidates, exam_mean,
# exam_sd, exam_median, exam_pass_rate, exam_low_rate: value column, rows
# whose scope is a school) and prints, per statistic, the rows compared, the
# largest absolute difference and the rows found on one side only.
# indicators.csv holds at most 6 decimals, so differences up to 5e-7 are
# rounding; the tolerance is 1e-6 (XC_TOL) on the value column. Also
# printed, not checked: the largest difference from the value recomputed
# from numerator / denominator, which shows the mean and the rates exact
# (the SD's numerator is itself rounded to 6 decimals, so for a small SD
# that figure can exceed the value's).
#
# Generated inputs come from gen_exam (--seed 2025, XC_SCHOOLS schools,
# default 2500) in a scratch directory. Input directories must use the
# contract's plain form (',' delimiter, '.' decimals, canonical header
# names) and hold one exam per year.
#
# Exit status: 0 every statistic agrees; 1 a difference above the
# tolerance, a row on one side only, or a stage failed; 2 sqlite3 (Debian
# package sqlite3) or a program is missing, or bad input.
set -eu

BUILD=${BUILD:-build}
SIZES=${XC_SIZES:-"200000 1100000"}
SCHOOLS=${XC_SCHOOLS:-2500}
TOL=${XC_TOL:-1e-6}
BIN=$BUILD/bin
GEN=$BUILD/tools/gen_exam

if ! command -v sqlite3 >/dev/null; then
	echo "crosscheck.sh: sqlite3 is missing (Debian package 'sqlite3')" >&2
	exit 2
fi
make -s "$GEN" "$BIN/schoolstat-ingest" "$BIN/schoolstat-indicators" \
	BUILD="$BUILD"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
bad=0

# The SQL of one input: $1 exam_scores.csv, $2 indicators.csv.
make_sql() {
	header=$(head -n 1 "$1" | tr -d '\r')
	cols=$(echo "$header" | tr ',' ' ')
	set -- "$1" "$2" $cols
	if [ "$3 $4 $5 $6" != "year exam candidate_id school_id" ] || [ $# -lt 7 ]; then
		echo "crosscheck.sh: $1: expected the header year,exam,candidate_id,school_id,<subjects>" >&2
		return 2
	fi
	scores=$1
	ind=$2
	shift 6
	for s in "$@"; do
		case $s in
		*[!a-z0-9_]* | [!a-z_]*)
			echo "crosscheck.sh: $scores: subject column '$s' is not a plain name" >&2
			return 2
			;;
		esac
	done
	cat <<EOF
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA temp_store = MEMORY;
PRAGMA cache_size = -262144;
PRAGMA threads = 2;
CREATE TABLE raw(year TEXT, exam TEXT, candidate_id TEXT, school_id TEXT$(
	for s in "$@"; do printf ', "%s" TEXT' "$s"; done));
.import --csv --skip 1 '$scores' raw
CREATE TABLE ind(year TEXT, scope TEXT, indicator TEXT, value TEXT,
                 numerator TEXT, denominator TEXT, ci_low TEXT, ci_high TEXT);
.import --csv --skip 1 '$ind' ind
-- one exam per year: the pipeline then names indicators <stat>:<subject>
SELECT 'error: several exams in ' || year FROM raw GROUP BY year
HAVING COUNT(DISTINCT exam) > 1;
-- groups as small integers, so the sorts below compare integers
CREATE TABLE grp(id INTEGER PRIMARY KEY, year TEXT, school_id TEXT);
INSERT INTO grp(year, school_id) SELECT DISTINCT year, school_id FROM raw;
CREATE UNIQUE INDEX grp_key ON grp(year, school_id);
CREATE TABLE subj(j INTEGER PRIMARY KEY, name TEXT);
INSERT INTO subj VALUES $(
	j=0; sep=
	for s in "$@"; do printf "%s(%d, '%s')" "$sep" "$j" "$s"; sep=', '; j=$((j + 1)); done);
CREATE TABLE s(k INTEGER, score REAL);
INSERT INTO s $(
	j=0; sep=
	for s in "$@"; do
		printf '%sSELECT grp.id * 64 + %d, CAST(raw."%s" AS REAL) FROM raw JOIN grp USING (year, school_id) WHERE raw."%s" <> '"''"'\n' \
			"$sep" "$j" "$s" "$s"
		sep='UNION ALL '
		j=$((j + 1))
	done);
DROP TABLE raw;
CREATE INDEX s_k ON s(k, score);
CREATE TABLE g AS
SELECT k, COUNT(*) AS n, AVG(score) AS mean,
       100.0 * SUM(score >= 5) / COUNT(*) AS pass,
       100.0 * SUM(score <= 1) / COUNT(*) AS low
FROM s GROUP BY k;
CREATE TABLE sd AS
SELECT k, CASE WHEN g.n > 1
               THEN sqrt(SUM((s.score - g.mean) * (s.score - g.mean)) / (g.n - 1))
          END AS sd
FROM g JOIN s USING (k) GROUP BY k;
CREATE TABLE med AS
SELECT k, AVG(score) AS median
FROM (SELECT k, score,
             ROW_NUMBER() OVER (PARTITION BY k ORDER BY score) AS rn,
             COUNT(*) OVER (PARTITION BY k) AS cnt
      FROM s)
WHERE rn IN ((cnt + 1) / 2, (cnt + 2) / 2)
GROUP BY k;
-- the SQL side, one row per statistic
CREATE TABLE q(year TEXT, school_id TEXT, stat TEXT, subject TEXT, v REAL);
INSERT INTO q
SELECT grp.year, grp.school_id, x.stat, subj.name, x.v
FROM (SELECT k, 'exam_candidates' AS stat, n AS v FROM g
      UNION ALL SELECT k, 'exam_mean', mean FROM g
      UNION ALL SELECT k, 'exam_sd', sd FROM sd
      UNION ALL SELECT k, 'exam_median', median FROM med
      UNION ALL SELECT k, 'exam_pass_rate', pass FROM g
      UNION ALL SELECT k, 'exam_low_rate', low FROM g) AS x
JOIN grp ON grp.id = x.k / 64 JOIN subj ON subj.j = x.k % 64;
-- the pipeline side: school scopes only (not all, level:, commune:, ...)
CREATE TABLE p AS
SELECT year, scope AS school_id,
       substr(indicator, 1, instr(indicator, ':') - 1) AS stat,
       substr(indicator, instr(indicator, ':') + 1) AS subject,
       CASE WHEN value = '' THEN NULL ELSE CAST(value AS REAL) END AS v,
       -- the same at full precision from numerator / denominator (also
       -- written with at most 6 decimals, but larger numbers)
       CASE WHEN value = '' THEN NULL
            WHEN indicator LIKE 'exam_candidates:%' THEN CAST(numerator AS REAL)
            WHEN indicator LIKE 'exam_median:%' THEN CAST(value AS REAL)
            WHEN indicator LIKE 'exam_sd:%'
            THEN sqrt(CAST(numerator AS REAL) / CAST(denominator AS REAL))
            WHEN indicator LIKE 'exam_mean:%'
            THEN CAST(numerator AS REAL) / CAST(denominator AS REAL)
            ELSE 100.0 * CAST(numerator AS REAL) / CAST(denominator AS REAL)
       END AS vf
FROM ind
WHERE indicator LIKE 'exam%:%' AND scope <> 'all' AND instr(scope, ':') = 0;
CREATE INDEX p_key ON p(year, school_id, stat, subject);
.mode list
.separator "," "\n"
.headers off
SELECT q.stat,
       COUNT(p.stat),
       printf('%.3e', COALESCE(MAX(ABS(q.v - p.v)), 0)),
       printf('%.3e', COALESCE(MAX(ABS(q.v - p.vf)), 0)),
       SUM(p.stat IS NULL),
       SUM(p.stat IS NOT NULL AND ((q.v IS NULL) <> (p.v IS NULL)))
FROM q LEFT JOIN p USING (year, school_id, stat, subject)
GROUP BY q.stat;
SELECT p.stat, 'only_in_pipeline', COUNT(*)
FROM p LEFT JOIN q USING (year, school_id, stat, subject)
WHERE q.stat IS NULL GROUP BY p.stat;
EOF
}

# Checks one input directory; $1 its label.
check() {
	label=$1
	dir=$2
	out=$tmp/out
	rm -rf "$out"
	if ! "$BIN/schoolstat-ingest" --quiet "$dir" "$out" >"$tmp/log" 2>&1 ||
		! "$BIN/schoolstat-indicators" "$out" >>"$tmp/log" 2>&1; then
		echo "crosscheck.sh: the pipeline failed on $dir:" >&2
		tail -n 5 "$tmp/log" >&2
		bad=1
		return 0
	fi
	make_sql "$dir/exam_scores.csv" "$out/indicators.csv" >"$tmp/q.sql" || exit 2
	start=$(date +%s.%N)
	if ! sqlite3 -bail :memory: <"$tmp/q.sql" >"$tmp/res" 2>"$tmp/err"; then
		echo "crosscheck.sh: sqlite3 failed on $dir:" >&2
		cat "$tmp/err" >&2
		exit 2
	fi
	end=$(date +%s.%N)
	if grep -q '^error: ' "$tmp/res"; then
		sed -n 's/^error: /crosscheck.sh: /p' "$tmp/res" >&2
		exit 2
	fi
	echo "cross-check, $label: pipeline vs sqlite $(sqlite3 --version | cut -d' ' -f1)," \
		"per school and subject (sqlite $(awk "BEGIN { printf \"%.1f\", $end - $start }") s)"
	awk -F, -v tol="$TOL" '
	$2 == "only_in_pipeline" { only[$1] = $3; next }
	{ cmp[$1] = $2; diff[$1] = $3; dfull[$1] = $4; miss[$1] = $5; null[$1] = $6 }
	END {
		printf "  %-16s %8s %12s %12s %8s %8s  %s\n", "statistic", "compared",
			"max|d| value", "max|d| n/d", "missing", "extra", "verdict"
		want = "exam_candidates exam_mean exam_sd exam_median exam_pass_rate exam_low_rate"
		k = split(want, w, " ")
		fail = 0
		for (i = 1; i <= k; i++) {
			s = w[i]
			if (!(s in cmp)) { printf "  %-16s no rows\n", s; fail = 1; continue }
			ok = diff[s] + 0 <= tol + 0 && miss[s] == 0 &&
			     null[s] == 0 && only[s] + 0 == 0 && cmp[s] > 0
			if (!ok) fail = 1
			printf "  %-16s %8d %12s %12s %8d %8d  %s\n", s, cmp[s], diff[s],
				dfull[s], miss[s], only[s] + 0,
				ok ? "ok" : (null[s] ? "FAIL (empty on one side)" : "FAIL")
		}
		exit fail
	}' "$tmp/res" || bad=1
}

if [ $# -gt 0 ]; then
	for d in "$@"; do
		check "$d" "$d"
	done
else
	for n in $SIZES; do
		mkdir -p "$tmp/in"
		"$GEN" --candidates "$n" --schools "$SCHOOLS" --seed 2025 \
			--schools-csv "$tmp/in/schools.csv" >"$tmp/in/exam_scores.csv"
		check "$n candidates (gen_exam --seed 2025 --schools $SCHOOLS)" "$tmp/in"
		rm -rf "$tmp/in"
	done
fi

if [ "$bad" = 1 ]; then
	echo "cross-check: FAILED (tolerance $TOL)" >&2
	exit 1
fi
echo "cross-check: all statistics agree within $TOL"
exit 0
