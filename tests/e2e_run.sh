#!/bin/sh
# End-to-end tests of schoolstat-run on the bundled sample: a first run and
# its manifest checked against sha256sum; an unchanged rerun (no stage
# runs, outputs byte-identical); an incremental rerun after one input table
# changed (only the stages that read it, and the same bytes as a full run);
# two concurrent runs; a run killed with SIGKILL and one stopped with
# SIGTERM in the middle; a failing stage (broken norm table); a "disk full"
# (RLIMIT_FSIZE); a missing stage program; config and command-line errors.
# The stage programs are copied first, so a rebuild elsewhere during the
# test changes nothing.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
LC_ALL=C
export LC_ALL
unset SCHOOLSTAT_TEST_STAGE_DELAY SOURCE_DATE_EPOCH 2>/dev/null || true
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT INT TERM
fails=0
pass=0

check() { # description, then a command that must succeed
	desc=$1; shift
	if "$@"; then pass=$((pass + 1)); else echo "FAIL: $desc" >&2; fails=$((fails + 1)); fi
}

mkdir "$tmp/bin"
for p in "$BUILD"/bin/schoolstat-*; do
	cp "$p" "$tmp/bin/"
done
run=$tmp/bin/schoolstat-run
stages="ingest indicators norms gaps audit accreditation charts report"
for s in $stages; do
	[ -x "$tmp/bin/schoolstat-$s" ] || { echo "e2e_run: needs $BUILD/bin/schoolstat-$s" >&2; exit 1; }
done
cp -R data/sample "$tmp/in"
cp data/norms.csv "$tmp/norms.csv"
out=$tmp/out
cat >"$tmp/ward.ini" <<'EOF'
; the sample ward, paths relative to this file
[report]
unit = Phường Hòa Bình
year = 2024-2025
input = in
output = out
norms = norms.csv
EOF

status_of() { # runs the command; stdout+stderr in $tmp/log, prints the status
	set +e; "$@" >"$tmp/log" 2>&1; s=$?; set -e; echo $s
}

snap() { # every file under $1 (all of them, manifest included) with its hash
	(cd "$1" && find . -type f -exec sha256sum {} + | sort -k2)
}

snap_data() { # the same without manifest.json
	snap "$1" | grep -v ' \./manifest\.json$' || true
}

statuses() { # "stage:status" of each stage line of a log, one line
	sed -n 's/^schoolstat-run: \([a-z]*\): \([a-z]*\) .*/\1:\2/p' "$1" | tr '\n' ' '
}

no_work_dirs() { # nothing like OUTPUT.tmp.XXXXXX left beside $1
	for d in "$1".tmp.??????; do
		[ -d "$d" ] && return 1
	done
	return 0
}

wait_for() { # seconds, then a command that must become true
	n=$(($1 * 10)); shift
	while [ "$n" -gt 0 ]; do
		if "$@"; then return 0; fi
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# A run that may find the lock still held by a stage of a run just killed
# (it dies with its driver, a moment later).
run_retry_lock() {
	n=50
	while :; do
		s=$(status_of "$@")
		[ "$s" = 4 ] && [ "$n" -gt 0 ] || break
		sleep 0.1
		n=$((n - 1))
	done
	echo "$s"
}

all_rerun="ingest:rerun indicators:rerun norms:rerun gaps:rerun audit:rerun accreditation:rerun charts:rerun report:rerun "
all_reused="ingest:reused indicators:reused norms:reused gaps:reused audit:reused accreditation:reused charts:reused report:reused "

# ------------------------------------------------------------ first run
check "first run exit 0" [ "$(status_of "$run" --config "$tmp/ward.ini")" = 0 ]
cp "$tmp/log" "$tmp/log1"
check "first run: every stage reruns" [ "$(statuses "$tmp/log1")" = "$all_rerun" ]
nerr=$(grep -c '^error,' "$out/validation.csv" || true)
nwarn=$(grep -c '^warning,' "$out/validation.csv" || true)
nrej=$(($(wc -l <"$out/rejects.csv") - 1))
check "sample has errors, warnings and rejects" sh -c "[ $nerr -gt 0 ] && [ $nwarn -gt 0 ] && [ $nrej -gt 0 ]"
check "first run: summary" grep -q "^schoolstat-run: published $out: 8 stages rerun, 0 reused; $nerr errors and $nwarn warnings in validation.csv, $nrej rows in rejects.csv\$" "$tmp/log1"
check "first run: stage messages not shown" sh -c "! grep -q 'warning:' '$tmp/log1'"
check "manifest written" [ -s "$out/manifest.json" ]
check "run_info.csv written" [ -s "$out/run_info.csv" ]
check "report written" [ -s "$out/report.pdf" ]
check "lock file beside the output" [ -f "$out.lock" ]
check "no work directory left" no_work_dirs "$out"

# the manifest against independent tools
man=$out/manifest.json
for t in schools enrollment promotion exam_scores exam_summary staffing targets accreditation; do
	h=$(sha256sum "$tmp/in/$t.csv" | cut -c1-64)
	read_n=$(awk -F, -v t="$t.csv" '$1 == t { print $4 }' "$out/clean/sources.csv")
	check "manifest: $t.csv hash and rows" \
		grep -q "{\"table\": \"$t.csv\", \"path\": \"$tmp/in/$t.csv\", \"present\": true, \"sha256\": \"$h\", .*\"rows_read\": $read_n," "$man"
done
sed -n '/^  "outputs": \[/,/^  \]/p' "$man" |
	sed -n 's/.*{"path": "\([^"]*\)", "sha256": "\([0-9a-f]*\)", "bytes": \([0-9]*\)[,}].*/\2  .\/\1/p' |
	sort -k2 >"$tmp/man_outputs"
snap_data "$out" >"$tmp/real_outputs"
check "manifest: every output with its sha256sum" diff "$tmp/real_outputs" "$tmp/man_outputs"
check "manifest: validation counts" grep -q "\"validation\": {\"errors\": $nerr, \"warnings\": $nwarn}," "$man"
check "manifest: rejected rows" grep -q "\"rejected_rows\": $nrej," "$man"
check "manifest: times in UTC ISO 8601" grep -q '^  "started": "[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z",$' "$man"
check "manifest: a log entry per stage" [ "$(grep -c '"seconds": [0-9]*\.[0-9]\{3\},$' "$man")" = 8 ]
check "manifest: norm table hash" grep -q "\"norms_sha256\": \"$(sha256sum "$tmp/norms.csv" | cut -c1-64)\"" "$man"
check "run_info.csv: essentials" grep -q "^table:targets.csv:sha256,$(sha256sum "$tmp/in/targets.csv" | cut -c1-64)\$" "$out/run_info.csv"
check "run_info.csv: no times" sh -c "! grep -q 'T[0-9][0-9]:[0-9][0-9]' '$out/run_info.csv'"

# ------------------------------------------------------------ unchanged rerun
snap_data "$out" >"$tmp/snap1"
check "unchanged rerun exit 0" [ "$(status_of "$run" --config "$tmp/ward.ini")" = 0 ]
check "unchanged rerun: no stage runs" [ "$(statuses "$tmp/log")" = "$all_reused" ]
check "unchanged rerun: says so" grep -q "^schoolstat-run: nothing changed: no stage rerun, 8 reused; outputs in $out unchanged, manifest.json renewed\$" "$tmp/log"
snap_data "$out" >"$tmp/snap2"
check "unchanged rerun: outputs byte-identical" diff "$tmp/snap1" "$tmp/snap2"
sed -n '/^  "outputs": \[/,/^  \]/p' "$man" |
	sed -n 's/.*{"path": "\([^"]*\)", "sha256": "\([0-9a-f]*\)", "bytes": \([0-9]*\)[,}].*/\2  .\/\1/p' |
	sort -k2 >"$tmp/man_outputs2"
check "unchanged rerun: the manifest lists the same outputs" diff "$tmp/man_outputs" "$tmp/man_outputs2"

# ------------------------------------------------------------ incremental
sed 's/^2024-2025,level:tieu_hoc,promotion_rate,>=,99.5,/2024-2025,level:tieu_hoc,promotion_rate,>=,99.2,/' \
	"$tmp/in/targets.csv" >"$tmp/targets.new"
check "targets.csv edited" sh -c "! cmp -s '$tmp/targets.new' '$tmp/in/targets.csv'"
cp "$tmp/targets.new" "$tmp/in/targets.csv"
s=$(status_of "$run" --config "$tmp/ward.ini")
check "incremental exit 0" [ "$s" = 0 ]
[ "$s" = 0 ] || cat "$tmp/log" >&2
check "incremental: only the stages that read targets" [ "$(statuses "$tmp/log")" = \
	"ingest:rerun indicators:reused norms:reused gaps:rerun audit:rerun accreditation:rerun charts:rerun report:rerun " ]
check "incremental: the reason is given" grep -q "^schoolstat-run: ingest: rerun ([0-9.]* s): $tmp/in/targets.csv changed\$" "$tmp/log"
check "incremental: gaps says why" grep -q "^schoolstat-run: gaps: rerun ([0-9.]* s): clean/targets.csv changed\$" "$tmp/log"
sed 's#^output = out#output = full#' "$tmp/ward.ini" >"$tmp/full.ini"
check "full run on the same input exit 0" [ "$(status_of "$run" --config "$tmp/full.ini")" = 0 ]
check "incremental outputs equal a full run's, byte for byte" sh -c \
	"(cd '$out' && find . -type f ! -name manifest.json -exec sha256sum {} + | sort -k2) >'$tmp/a'; \
	 (cd '$tmp/full' && find . -type f ! -name manifest.json -exec sha256sum {} + | sort -k2) >'$tmp/b'; diff '$tmp/a' '$tmp/b'"

# ------------------------------------------------------------ stage settings
# audit_margin_pct and reference_date from the config reach their stages
# (and only those rerun, with the reason); a bad value is the config
# file's error, with its line and column.
cp "$tmp/ward.ini" "$tmp/set.ini"
printf 'audit_margin_pct = 0\nreference_date = 2025-09-30\n' >>"$tmp/set.ini"
s=$(status_of "$run" --config "$tmp/set.ini")
check "settings: exit 0" [ "$s" = 0 ]
check "settings: only audit, accreditation and what reads them rerun" [ "$(statuses "$tmp/log")" = \
	"ingest:reused indicators:reused norms:reused gaps:reused audit:rerun accreditation:rerun charts:reused report:rerun " ]
check "settings: audit says why" grep -q "^schoolstat-run: audit: rerun ([0-9.]* s): options changed\$" "$tmp/log"
check "settings: audit got the margin" grep -q '"args": \["--margin-pct", "0"\]' "$out/manifest.json"
check "settings: accreditation got the date" grep -q '"args": \["--reference-date", "2025-09-30"\]' "$out/manifest.json"
nwarn0=$(grep -c '^warning,' "$out/validation.csv" || true)
check "settings: a zero margin finds more" [ "$nwarn0" -gt "$nwarn" ]
printf 'reference_date = 30/09/2025\n' >>"$tmp/ward.ini"
check "settings: a bad date is exit 2" [ "$(status_of "$run" --config "$tmp/ward.ini")" = 2 ]
check "settings: named at its line and column" grep -q "^$tmp/ward.ini:$(wc -l <"$tmp/ward.ini"):18: error: bad reference_date '30/09/2025' (expected a date YYYY-MM-DD such as 2025-05-31)\$" "$tmp/log"
sed -i '$d' "$tmp/ward.ini"
check "settings: back to the defaults exit 0" [ "$(status_of "$run" --config "$tmp/ward.ini")" = 0 ]

# ------------------------------------------------------------ concurrent runs
rm -rf "$tmp/full" "$tmp/full.lock"
SCHOOLSTAT_TEST_STAGE_DELAY=ingest:4 "$run" --config "$tmp/full.ini" >"$tmp/logA" 2>&1 &
apid=$!
check "first run holds the lock" wait_for 10 sh -c "ls -d '$tmp'/full.tmp.* >/dev/null 2>&1"
t0=$(date +%s)
check "second run refused with exit 4" [ "$(status_of "$run" --config "$tmp/full.ini")" = 4 ]
t1=$(date +%s)
check "second run refused at once" [ $((t1 - t0)) -le 1 ]
check "second run names the holder" grep -q "^schoolstat-run: another run (pid $apid) holds $tmp/full.lock: nothing done\$" "$tmp/log"
check "second run ran no stage" [ "$(statuses "$tmp/log")" = "" ]
set +e; wait "$apid"; astatus=$?; set -e
check "first run unharmed: exit 0" [ "$astatus" = 0 ]
check "first run unharmed: every stage" [ "$(statuses "$tmp/logA")" = "$all_rerun" ]
check "first run unharmed: same outputs" sh -c \
	"(cd '$out' && find . -type f ! -name manifest.json -exec sha256sum {} + | sort -k2) >'$tmp/a'; \
	 (cd '$tmp/full' && find . -type f ! -name manifest.json -exec sha256sum {} + | sort -k2) >'$tmp/b'; diff '$tmp/a' '$tmp/b'"

# ------------------------------------------------------------ killed mid-way
snap "$out" >"$tmp/before"
sed 's/^2024-2025,level:tieu_hoc,promotion_rate,>=,99.2,/2024-2025,level:tieu_hoc,promotion_rate,>=,99.1,/' \
	"$tmp/in/targets.csv" >"$tmp/targets.new"
cp "$tmp/targets.new" "$tmp/in/targets.csv"
SCHOOLSTAT_TEST_STAGE_DELAY=gaps:60 "$run" --config "$tmp/ward.ini" >"$tmp/logK" 2>&1 &
kpid=$!
check "killed run got to gaps" wait_for 20 grep -qs "^schoolstat-run: norms: " "$tmp/logK"
sleep 0.3
kill -KILL "$kpid"
set +e; { wait "$kpid"; } 2>/dev/null; kstatus=$?; set -e
check "killed run died of SIGKILL" [ "$kstatus" = 137 ]
snap "$out" >"$tmp/after"
check "SIGKILL: previous outputs intact, byte for byte" diff "$tmp/before" "$tmp/after"
# Command lines come from /proc, not ps: a minimal system has no ps, and
# a missing ps must not make the check pass by itself.
process_running() { # a string in some process's command line
	for f in /proc/[0-9]*/cmdline; do
		tr '\0' ' ' <"$f" 2>/dev/null | grep -qF "$1" && return 0
	done
	return 1
}
process_gone() { ! process_running "$1"; }
check "SIGKILL: /proc shows command lines (this script)" process_running "e2e_run.sh"
check "SIGKILL: its stage died with it" wait_for 5 process_gone "$tmp/bin/schoolstat-gaps"
check "next run exit 0" [ "$(run_retry_lock "$run" --config "$tmp/ward.ini")" = 0 ]
check "next run removed the killed run's work directory" grep -q "^schoolstat-run: removed $out.tmp.[A-Za-z0-9]\{6\}, left by an interrupted run\$" "$tmp/log"
check "next run left no work directory" no_work_dirs "$out"

# ------------------------------------------------------------ SIGTERM
snap "$out" >"$tmp/before"
sed 's/^2024-2025,level:tieu_hoc,promotion_rate,>=,99.1,/2024-2025,level:tieu_hoc,promotion_rate,>=,99.0,/' \
	"$tmp/in/targets.csv" >"$tmp/targets.new"
cp "$tmp/targets.new" "$tmp/in/targets.csv"
SCHOOLSTAT_TEST_STAGE_DELAY=gaps:60 "$run" --config "$tmp/ward.ini" >"$tmp/logT" 2>&1 &
tpid=$!
check "stopped run got to gaps" wait_for 20 grep -qs "^schoolstat-run: norms: " "$tmp/logT"
sleep 0.3
kill -TERM "$tpid"
set +e; { wait "$tpid"; } 2>/dev/null; tstatus=$?; set -e
check "SIGTERM: the driver dies of it (143)" [ "$tstatus" = 143 ]
check "SIGTERM: names the stage" grep -q "^schoolstat-run: gaps: failed ([0-9.]* s): stopped: the run received SIGTERM\$" "$tmp/logT"
check "SIGTERM: says the outputs are kept" grep -q "^schoolstat-run: stopped by SIGTERM: previous outputs in $out kept\$" "$tmp/logT"
snap "$out" >"$tmp/after"
check "SIGTERM: previous outputs intact" diff "$tmp/before" "$tmp/after"
check "SIGTERM: work directory removed at once" no_work_dirs "$out"

# ------------------------------------------------------------ failing stage
printf 'this is not,a norm table\n"unclosed\n' >"$tmp/bad_norms.csv"
check "broken norm table: exit 12" [ "$(status_of "$run" --config "$tmp/ward.ini" --norms "$tmp/bad_norms.csv")" = 12 ]
check "broken norm table: the stage's own message" grep -q "^$tmp/bad_norms.csv:2:1: error: " "$tmp/log"
check "broken norm table: names the stage" grep -q "^schoolstat-run: norms: failed ([0-9.]* s): exit status 3\$" "$tmp/log"
check "broken norm table: summary" grep -q "^schoolstat-run: stage norms failed: previous outputs in $out kept (exit status 12)\$" "$tmp/log"
snap "$out" >"$tmp/after"
check "broken norm table: previous outputs intact" diff "$tmp/before" "$tmp/after"
check "broken norm table: no work directory" no_work_dirs "$out"

# ------------------------------------------------------------ disk full
# A file size limit makes a write fail the way a full disk does (the stage
# is killed by SIGXFSZ, or sees EFBIG): indicators writes 790 kB.
awk -F, -v OFS=, 'NR == 2 { $5 = $5 + 1 } { print }' "$tmp/in/enrollment.csv" >"$tmp/enr.new"
check "enrollment.csv edited" sh -c "! cmp -s '$tmp/enr.new' '$tmp/in/enrollment.csv'"
cp "$tmp/enr.new" "$tmp/in/enrollment.csv"
check "file size limit: exit 11 (indicators)" [ "$(status_of sh -c "ulimit -f 400; exec '$run' --config '$tmp/ward.ini'")" = 11 ]
check "file size limit: indicators named" grep -q "^schoolstat-run: indicators: failed ([0-9.]* s): " "$tmp/log"
snap "$out" >"$tmp/after"
check "file size limit: previous outputs intact" diff "$tmp/before" "$tmp/after"
check "file size limit: no work directory" no_work_dirs "$out"

# ------------------------------------------------------------ absent stage
mv "$tmp/bin/schoolstat-charts" "$tmp/charts.keep"
check "without charts: exit 0" [ "$(status_of "$run" --config "$tmp/ward.ini")" = 0 ]
check "without charts: absent" grep -q "^schoolstat-run: charts: absent (no program $tmp/bin/schoolstat-charts)\$" "$tmp/log"
check "without charts: no charts published" [ ! -e "$out/charts/gaps_1.png" ]
mv "$tmp/charts.keep" "$tmp/bin/schoolstat-charts"
check "charts back: exit 0" [ "$(status_of "$run" --config "$tmp/ward.ini")" = 0 ]
# the report reads nothing under charts/: the charts' return does not
# make it rerun
check "charts back: it reruns, the report is reused" [ "$(statuses "$tmp/log")" = \
	"ingest:reused indicators:reused norms:reused gaps:reused audit:reused accreditation:reused charts:rerun report:reused " ]
check "charts back: why" grep -q "^schoolstat-run: charts: rerun ([0-9.]* s): absent last time\$" "$tmp/log"

# ------------------------------------------------------------ charts beside report
# When both rerun, charts and report run at the same time. Wrappers in
# $tmp/pbin show it: the charts wrapper waits for a file that only the
# running report wrapper makes, so a driver running them one after the
# other fails (exit 9 after 20 s). Each test writes new wrappers (new
# programs: both rerun).
mkdir "$tmp/pbin"
cp "$tmp"/bin/schoolstat-* "$tmp/pbin/"
mv "$tmp/pbin/schoolstat-charts" "$tmp/pbin/charts.real"
mv "$tmp/pbin/schoolstat-report" "$tmp/pbin/report.real"
pair_wrappers() { # test name, charts body, report body
	printf '#!/bin/sh\n# %s\n%s\n' "$1" "$2" >"$tmp/pbin/schoolstat-charts"
	printf '#!/bin/sh\n# %s\n%s\n' "$1" "$3" >"$tmp/pbin/schoolstat-report"
	chmod +x "$tmp/pbin/schoolstat-charts" "$tmp/pbin/schoolstat-report"
}
wait_report() { # the charts wrapper's wait for the report of test $1
	printf 'n=0\nwhile [ ! -e %s ]; do\n\tn=$((n + 1))\n\t[ $n -lt 200 ] || { echo "charts: the report is not running" >&2; exit 9; }\n\tsleep 0.1\ndone\n' \
		"'$tmp/report_started.$1'"
}
stage_files() { # manifest, stage, inputs|outputs: the paths it lists there
	awk -v s="$2" -v k="$3" '
	/^  "/ { cur = 0 }
	/"stage": "/ { cur = index($0, "\"stage\": \"" s "\"") > 0 }
	cur && index($0, "\"" k "\": [") && !index($0, "[]") { on = 1; next }
	on && /^ *\]/ { on = 0 }
	on && match($0, /"path": "[^"]*"/) { print substr($0, RSTART + 9, RLENGTH - 10) }' "$1"
}
pair_statuses() { # "stage:status" of the charts and report lines of $1
	statuses "$1" | tr ' ' '\n' | grep '^\(charts\|report\):' | tr '\n' ' '
}
pout=$tmp/pout
pair_run() { # runs the ward into $pout with the wrappers; prints the status
	status_of "$run" --config "$tmp/ward.ini" --output "$pout" --bin-dir "$tmp/pbin"
}
pair_wrappers "together" "$(wait_report 1)
exec '$tmp/pbin/charts.real' \"\$@\"" "touch '$tmp/report_started.1'
exec '$tmp/pbin/report.real' \"\$@\""
check "together: exit 0 (charts saw the report running)" [ "$(pair_run)" = 0 ]
check "together: every stage reran" [ "$(statuses "$tmp/log")" = "$all_rerun" ]
[ -f "$pout/manifest.json" ] || { cat "$tmp/log" >&2; exit 1; }
stage_files "$pout/manifest.json" charts outputs >"$tmp/charts_out"
stage_files "$pout/manifest.json" report outputs >"$tmp/report_out"
stage_files "$pout/manifest.json" report inputs >"$tmp/report_in"
# accreditation writes its own charts into charts/ before
stage_files "$pout/manifest.json" accreditation outputs >"$tmp/accr_out"
check "together: the charts' outputs are the other files under charts/" \
	sh -c "(cd '$pout' && find charts -type f | sort) | grep -vxF -f '$tmp/accr_out' | diff - '$tmp/charts_out'"
check "together: the report's output is report.pdf alone" [ "$(cat "$tmp/report_out")" = report.pdf ]
check "together: the report is keyed on indicators.csv" grep -qx indicators.csv "$tmp/report_in"
check "together: the report is keyed on no file of the charts stage" \
	sh -c "! grep -qxF -f '$tmp/charts_out' '$tmp/report_in'"
sed -n '/^  "outputs": \[/,/^  \]/p' "$pout/manifest.json" |
	sed -n 's/.*{"path": "\([^"]*\)", "sha256": "\([0-9a-f]*\)", "bytes": \([0-9]*\)[,}].*/\2  .\/\1/p' |
	sort -k2 >"$tmp/man_outputs"
snap_data "$pout" >"$tmp/real_outputs"
check "together: every output in the manifest with its sha256sum" diff "$tmp/real_outputs" "$tmp/man_outputs"
# the charts' part of validation.csv is where the file ended before them, as
# when they run alone (they add nothing to it)
stage_voffset() { # manifest, stage: the offset of its validation.csv part
	awk -v s="$2" '
	/"stage": "/ { cur = index($0, "\"stage\": \"" s "\"") > 0 }
	cur && match($0, /"validation": \{"mode": "[a-z]*", "offset": [0-9]*/) {
		v = substr($0, RSTART, RLENGTH); sub(/.*"offset": /, "", v); print v; exit }' "$1"
}
check "together: the charts' validation part starts at the file's end" \
	[ "$(stage_voffset "$pout/manifest.json" charts)" = "$(wc -c <"$pout/validation.csv" | tr -d ' ')" ]
check "together: unchanged rerun exit 0" [ "$(pair_run)" = 0 ]
check "together: unchanged rerun reuses both" [ "$(pair_statuses "$tmp/log")" = "charts:reused report:reused " ]
snap "$pout" >"$tmp/before"

pair_wrappers "charts fails" "$(wait_report 2)
exit 3" "touch '$tmp/report_started.2'
exec '$tmp/pbin/report.real' \"\$@\""
check "charts fails beside the report: exit 16" [ "$(pair_run)" = 16 ]
check "charts fails beside the report: named" grep -q "^schoolstat-run: charts: failed ([0-9.]* s): exit status 3\$" "$tmp/log"
check "charts fails beside the report: the report is not announced" sh -c "! grep -q '^schoolstat-run: report: ' '$tmp/log'"
snap "$pout" >"$tmp/after"
check "charts fails beside the report: previous outputs intact" diff "$tmp/before" "$tmp/after"
check "charts fails beside the report: no work directory" no_work_dirs "$pout"

pair_wrappers "report fails" "exec '$tmp/pbin/charts.real' \"\$@\"" "exit 5"
check "report fails beside the charts: exit 17" [ "$(pair_run)" = 17 ]
check "report fails beside the charts: charts reran, report failed" [ "$(pair_statuses "$tmp/log")" = "charts:rerun report:failed " ]
snap "$pout" >"$tmp/after"
check "report fails beside the charts: previous outputs intact" diff "$tmp/before" "$tmp/after"

pair_wrappers "stopped" "exec sleep 6104" "touch '$tmp/report_started.4'
exec sleep 6105"
"$run" --config "$tmp/ward.ini" --output "$pout" --bin-dir "$tmp/pbin" >"$tmp/logP" 2>&1 &
pair_pid=$!
check "SIGTERM beside: both started" wait_for 20 sh -c "[ -e '$tmp/report_started.4' ] && grep -q '^schoolstat-run: accreditation: ' '$tmp/logP'"
sleep 0.3
kill -TERM "$pair_pid"
set +e; { wait "$pair_pid"; } 2>/dev/null; pstatus=$?; set -e
check "SIGTERM beside: the driver dies of it (143)" [ "$pstatus" = 143 ]
check "SIGTERM beside: the first stage named as stopped" grep -q "^schoolstat-run: charts: failed ([0-9.]* s): stopped: the run received SIGTERM\$" "$tmp/logP"
check "SIGTERM beside: the report not announced" sh -c "! grep -q '^schoolstat-run: report: ' '$tmp/logP'"
check "SIGTERM beside: both stages ended with the driver" process_gone "sleep 610"
snap "$pout" >"$tmp/after"
check "SIGTERM beside: previous outputs intact" diff "$tmp/before" "$tmp/after"
check "SIGTERM beside: no work directory" no_work_dirs "$pout"

pair_wrappers "charts fails, then SIGTERM" "exit 3" "touch '$tmp/report_started.5'
exec sleep 6106"
"$run" --config "$tmp/ward.ini" --output "$pout" --bin-dir "$tmp/pbin" >"$tmp/logP" 2>&1 &
pair_pid=$!
check "SIGTERM after the charts failed: the report runs" wait_for 20 [ -e "$tmp/report_started.5" ]
sleep 0.5
kill -TERM "$pair_pid"
set +e; { wait "$pair_pid"; } 2>/dev/null; pstatus=$?; set -e
check "SIGTERM after the charts failed: still a stop (143), not the charts' 16" [ "$pstatus" = 143 ]
check "SIGTERM after the charts failed: the charts named" grep -q "^schoolstat-run: charts: failed ([0-9.]* s): exit status 3\$" "$tmp/logP"
check "SIGTERM after the charts failed: said" grep -q "^schoolstat-run: stopped by SIGTERM: previous outputs in $pout kept\$" "$tmp/logP"
check "SIGTERM after the charts failed: the report gone" process_gone "sleep 6106"

# The grace before SIGKILL runs from the first SIGTERM, not from the last
# event: here the report takes 5 s to stop and the charts ignore SIGTERM.
pair_wrappers "grace" "trap '' TERM
touch '$tmp/charts_started.6'
exec sleep 6107" "trap 'sleep 5; exit 1' TERM
sleep 6108 &
wait"
"$run" --config "$tmp/ward.ini" --output "$pout" --bin-dir "$tmp/pbin" >"$tmp/logP" 2>&1 &
pair_pid=$!
check "grace: both started" wait_for 20 [ -e "$tmp/charts_started.6" ]
sleep 0.5
g0=$(date +%s)
kill -TERM "$pair_pid"
set +e; { wait "$pair_pid"; } 2>/dev/null; pstatus=$?; set -e
g1=$(date +%s)
check "grace: exit 143" [ "$pstatus" = 143 ]
check "grace: SIGKILL 10 s after the SIGTERM, not 10 s after the report ended ($((g1 - g0)) s)" [ $((g1 - g0)) -le 13 ]
check "grace: the charts killed" process_gone "sleep 6107"
for p in /proc/[0-9]*; do # the report wrapper's own child is not the driver's to stop
	tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q "^sleep 6108" && kill "${p#/proc/}" 2>/dev/null
done

# A charts stage that writes outside charts/ (here: into validation.csv)
# beside the report: who wrote what is not known, so both rerun next time
# and an incremental run gives what a full one gives.
pair_wrappers "stray" "o=''; for a in \"\$@\"; do o=\$a; done
printf 'warning,XSTRAY,charts,,,a line the charts stage appended\\n' >>\"\$o/validation.csv\"
exec '$tmp/pbin/charts.real' \"\$@\"" "exec '$tmp/pbin/report.real' \"\$@\""
check "stray write: exit 0" [ "$(pair_run)" = 0 ]
check "stray write: the line is there" [ "$(grep -c XSTRAY "$pout/validation.csv")" = 1 ]
check "stray write: unchanged rerun exit 0" [ "$(pair_run)" = 0 ]
check "stray write: both rerun" [ "$(pair_statuses "$tmp/log")" = "charts:rerun report:rerun " ]
check "stray write: the reason" grep -q "^schoolstat-run: report: rerun ([0-9.]* s): its last run cannot be reused (" "$tmp/log"
check "stray write: the line is there once" [ "$(grep -c XSTRAY "$pout/validation.csv")" = 1 ]

# ------------------------------------------------------------ input changed during the run
# targets.csv is rewritten right after ingest read it, while the driver is
# still hashing the input tables (a large exam table keeps it busy): the
# run must not vouch for outputs with the new content's hash.
cp -R "$tmp/in" "$tmp/tin"
printf 'year,exam\n' >"$tmp/tin/exam_scores.csv"
truncate -s 300M "$tmp/tin/exam_scores.csv"
mkdir "$tmp/tbin"
cp "$tmp"/bin/schoolstat-* "$tmp/tbin/"
mv "$tmp/tbin/schoolstat-ingest" "$tmp/tbin/ingest.real"
cat >"$tmp/tbin/schoolstat-ingest" <<EOW
#!/bin/sh
'$tmp/tbin/ingest.real' "\$@"; rc=\$?
if [ -e '$tmp/tin.modify' ]; then
	rm '$tmp/tin.modify'
	sed 's/^2024-2025,level:tieu_hoc,promotion_rate,>=,[0-9.]*,/2024-2025,level:tieu_hoc,promotion_rate,>=,97.5,/' '$tmp/tin/targets.csv' >'$tmp/tin/targets.new'
	mv '$tmp/tin/targets.new' '$tmp/tin/targets.csv'
fi
exit \$rc
EOW
chmod +x "$tmp/tbin/schoolstat-ingest"
touch "$tmp/tin.modify"
tin_run() { # $1: output directory
	status_of "$run" --config "$tmp/ward.ini" --input "$tmp/tin" --output "$1" --bin-dir "$tmp/tbin"
}
check "input changed during the run: exit 0" [ "$(tin_run "$tmp/tout")" = 0 ]
check "input changed during the run: it was changed" [ ! -e "$tmp/tin.modify" ]
check "input changed during the run: next run exit 0" [ "$(tin_run "$tmp/tout")" = 0 ]
check "input changed during the run: next run reruns ingest" grep -q "^schoolstat-run: ingest: rerun " "$tmp/log"
check "input changed during the run: a full run on the same input exit 0" [ "$(tin_run "$tmp/tfull")" = 0 ]
snap_data "$tmp/tout" | grep -v ' \./run_info\.csv$' >"$tmp/a"
snap_data "$tmp/tfull" | grep -v ' \./run_info\.csv$' >"$tmp/b"
check "input changed during the run: outputs equal a full run's" diff "$tmp/a" "$tmp/b"

# ------------------------------------------------------------ usage
check "--help exit 0" [ "$(status_of "$run" --help)" = 0 ]
check "--help lists the exit statuses" grep -q "^  4   another run holds OUTPUT.lock; nothing done\$" "$tmp/log"
check "unknown option exit 2" [ "$(status_of "$run" --frobnicate)" = 2 ]
check "unknown option message" grep -q "^schoolstat-run: unknown option '--frobnicate'\$" "$tmp/log"
check "no input exit 2" [ "$(status_of "$run" --output "$tmp/x")" = 2 ]
printf '[report]\nyear = 2024-2026\n' >"$tmp/bad.ini"
check "bad config exit 2" [ "$(status_of "$run" --config "$tmp/bad.ini")" = 2 ]
check "bad config message" grep -q "^$tmp/bad.ini:2:8: error: bad year '2024-2026' (expected a school year such as 2024-2025)\$" "$tmp/log"
check "missing config exit 3" [ "$(status_of "$run" --config "$tmp/none.ini")" = 3 ]
check "bad option value exit 2" [ "$(status_of "$run" --config "$tmp/ward.ini" --number-style vn)" = 2 ]
check "bad option value message" grep -q "^schoolstat-run: --number-style: unknown number style 'vn' (expected vi, en or auto)\$" "$tmp/log"
mkdir "$tmp/mine"
echo "notes" >"$tmp/mine/notes.txt"
check "foreign output directory refused: exit 2" [ "$(status_of "$run" --input "$tmp/in" --output "$tmp/mine")" = 2 ]
check "foreign output directory untouched" [ "$(cat "$tmp/mine/notes.txt")" = notes ]
check "foreign output directory: no lock file" [ ! -e "$tmp/mine.lock" ]

echo "e2e_run: $pass passed, $fails failed"
[ "$fails" = 0 ]
