#!/bin/sh
# Runs the pipeline on INPUT into OUTPUT through schoolstat-run, the driver
# that reruns only the stages whose inputs changed, holds OUTPUT.lock and
# replaces OUTPUT only when every stage succeeded (docs/CRON.md). Kept for
# scripts that call it; `make report` and cron call schoolstat-run itself.
# Further arguments go to schoolstat-run (e.g. --config FILE, --verbose);
# its exit status is this script's.
set -eu
usage="usage: run-pipeline.sh INPUT_DIR OUTPUT_DIR [schoolstat-run options]"
input=${1:?$usage}
output=${2:?$usage}
shift 2
exec "${BUILD:-build}/bin/schoolstat-run" --input "$input" --output "$output" "$@"
