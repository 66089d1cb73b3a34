#!/bin/sh
# SPDX-License-Identifier: MIT
# Writes an igt_runner test-list.txt naming the given test binaries, in the
# format IGT's own build generates (igt_runner reads the words between
# "TESTLIST" and "END TESTLIST"; one name per line works as well).
#   gen-test-list.sh NAME... > test-list.txt
set -eu
echo TESTLIST
for t in "$@"; do
	echo "$t"
done
echo END TESTLIST
