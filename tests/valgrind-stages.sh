#!/bin/sh
# Runs every stage program on the bundled sample under valgrind; any
# memory error or definite leak fails.
set -eu
BUILD=${BUILD:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --suppressions=tests/valgrind.supp"
for stage in ingest indicators norms gaps audit accreditation charts report; do
	bin=$BUILD/bin/schoolstat-$stage
	[ -x "$bin" ] || continue
	if [ "$stage" = ingest ]; then
		set -- data/sample "$tmp/out"
	else
		set -- "$tmp/out"
	fi
	set +e
	$vg "$bin" "$@" >/dev/null 2>"$tmp/log"
	status=$?
	set -e
	if [ "$status" = 99 ]; then
		cat "$tmp/log" >&2
		echo "valgrind: $stage: memory errors" >&2
		exit 1
	fi
	echo "valgrind: $stage clean (exit $status)"
done
