#!/bin/sh
# Runs every stage program that exists, in pipeline order, on INPUT into
# OUTPUT. Used by `make report`; stops at the first stage that fails and
# names it.
set -eu
input=${1:?usage: run-pipeline.sh INPUT_DIR OUTPUT_DIR}
output=${2:?usage: run-pipeline.sh INPUT_DIR OUTPUT_DIR}
bin=${BUILD:-build}/bin

run() {
	stage=$1; shift
	[ -x "$bin/schoolstat-$stage" ] || return 0
	echo "== $stage"
	if ! "$bin/schoolstat-$stage" "$@"; then
		echo "run-pipeline: stage '$stage' failed; later stages not run" >&2
		exit 1
	fi
}

run ingest "$input" "$output"
run indicators "$output"
run norms "$output"
run gaps "$output"
run audit "$output"
run charts "$output"
run report "$output"
echo "pipeline finished: outputs in $output"
