#!/bin/sh
# End-to-end tests of schoolstat-norms on a hand-made clean/ directory
# (tests/data/norms): norms.csv, the warnings appended to validation.csv and
# printed on stderr are compared with files computed by hand (the
# arithmetic is in tests/data/norms/expected/ARITHMETIC.md); then
# --count-managers, a rerun, and every exit status.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
prog=$BUILD/bin/schoolstat-norms
fixture=tests/data/norms
expected=$fixture/expected
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

fresh() { # a copy of the fixture output directory (as ingest left it)
	rm -rf "$tmp/$1"
	mkdir "$tmp/$1"
	cp -R "$fixture/clean" "$fixture/validation.csv" "$tmp/$1/"
}

# 1. the fixture: exact norms.csv, validation.csv and stderr
fresh run
check "fixture exit 0" [ "$(status_of "$prog" --norms data/norms.csv "$tmp/run")" = 0 ]
check "norms.csv as computed by hand" diff "$expected/norms.csv" "$tmp/run/norms.csv"
check "warnings appended to validation.csv" diff "$expected/validation.csv" "$tmp/run/validation.csv"
check "warnings on stderr" diff "$expected/stderr.txt" "$tmp/err"
check "nothing on stdout" [ ! -s "$tmp/out" ]
check "no nan or inf" sh -c "! grep -qi 'nan\|inf' '$tmp/run/norms.csv'"

# 2. the default table is data/norms.csv
fresh default
check "default table exit 0" [ "$(status_of "$prog" "$tmp/default")" = 0 ]
check "default table gives the same norms.csv" diff "$expected/norms.csv" "$tmp/default/norms.csv"

# 3. --count-managers changes teacher_posts only
fresh mgr
check "--count-managers exit 0" [ "$(status_of "$prog" --count-managers "$tmp/mgr")" = 0 ]
grep ',teacher_posts,' "$tmp/mgr/norms.csv" >"$tmp/mgr_posts"
check "--count-managers teacher_posts rows" diff "$expected/teacher_posts_count_managers.csv" "$tmp/mgr_posts"
grep -v ',teacher_posts,' "$tmp/mgr/norms.csv" >"$tmp/mgr_rest"
grep -v ',teacher_posts,' "$expected/norms.csv" >"$tmp/exp_rest"
check "--count-managers leaves the other norms" diff "$tmp/exp_rest" "$tmp/mgr_rest"

# 4. a rerun on the same input is byte-identical
fresh again
check "rerun exit 0" [ "$(status_of "$prog" --norms=data/norms.csv "$tmp/again")" = 0 ]
check "rerun byte-identical" diff "$tmp/run/norms.csv" "$tmp/again/norms.csv"

# 5. optional tables absent: only schools.csv
mkdir -p "$tmp/only/clean"
cp "$fixture/clean/schools.csv" "$tmp/only/clean/"
check "only schools.csv exit 0" [ "$(status_of "$prog" "$tmp/only")" = 0 ]
check "only schools.csv: header only" [ "$(cat "$tmp/only/norms.csv")" = "year,scope,norm,value,limit,status,shortfall" ]
check "only schools.csv: validation.csv created with the warning" grep -qF \
	"warning,norm_no_enrollment,enrollment.csv,,,no enrollment.csv in clean/ (expected classes and students per school): no norms computed" \
	"$tmp/only/validation.csv"

# 6. command line: --help, exit 2
check "--help exit 0" [ "$(status_of "$prog" --help)" = 0 ]
check "--help usage line" [ "$(head -n 1 "$tmp/out")" = "usage: schoolstat-norms [--norms FILE] [--count-managers] OUTPUT_DIR" ]
check "--help has options, exit status and example" sh -c \
	"grep -q '^options:' '$tmp/out' && grep -q '^exit status:' '$tmp/out' && grep -q '^example:' '$tmp/out' && grep -q '^    3  ' '$tmp/out'"
usage="usage: schoolstat-norms [--norms FILE] [--count-managers] OUTPUT_DIR"
check "no arguments exit 2" [ "$(status_of "$prog")" = 2 ]
check "no arguments message" [ "$(cat "$tmp/err")" = "schoolstat-norms: missing OUTPUT_DIR
$usage" ]
check "unknown option exit 2" [ "$(status_of "$prog" --frobnicate "$tmp/run")" = 2 ]
check "unknown option message" [ "$(cat "$tmp/err")" = "schoolstat-norms: unknown option '--frobnicate'
$usage" ]
check "two directories exit 2" [ "$(status_of "$prog" "$tmp/run" "$tmp/again")" = 2 ]
check "two directories message" [ "$(head -n 1 "$tmp/err")" = "schoolstat-norms: unexpected argument '$tmp/again'" ]
check "--norms without file exit 2" [ "$(status_of "$prog" --norms)" = 2 ]
check "--norms without file message" [ "$(head -n 1 "$tmp/err")" = "schoolstat-norms: option '--norms' needs a file" ]

# 7. exit 3: unreadable or malformed inputs, unwritable output
fresh bad
check "malformed norm table exit 3" [ "$(status_of "$prog" --norms $fixture/bad_norms.csv "$tmp/bad")" = 3 ]
check "malformed norm table message" [ "$(cat "$tmp/err")" = \
	"$fixture/bad_norms.csv:3:31: error: not a number '2,25' (expected teachers per class, a number > 0)" ]
check "malformed norm table: no norms.csv" [ ! -e "$tmp/bad/norms.csv" ]
check "missing norm table exit 3" [ "$(status_of "$prog" --norms "$tmp/none.csv" "$tmp/bad")" = 3 ]
check "missing norm table message" [ "$(cat "$tmp/err")" = \
	"schoolstat-norms: cannot open '$tmp/none.csv': No such file or directory" ]
check "missing schools.csv exit 3" [ "$(status_of "$prog" "$tmp/nowhere")" = 3 ]
check "missing schools.csv message" [ "$(cat "$tmp/err")" = \
	"schoolstat-norms: cannot open '$tmp/nowhere/clean/schools.csv': No such file or directory" ]
fresh ro
mkdir "$tmp/ro/norms.csv"
check "unwritable norms.csv exit 3" [ "$(status_of "$prog" "$tmp/ro")" = 3 ]
check "unwritable norms.csv message" [ "$(tail -n 1 "$tmp/err")" = \
	"schoolstat-norms: $tmp/ro/norms.csv: cannot create: Is a directory" ]
check "validation.csv untouched when norms.csv fails" diff "$fixture/validation.csv" "$tmp/ro/validation.csv"

echo "e2e_norms: $pass passed, $fails failed"
[ "$fails" = 0 ]
