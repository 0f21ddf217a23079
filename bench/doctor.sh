#!/bin/sh
# Benchmark: `./jbang doctor --sysroot S`, warm, on a realistic copy of an instance built by tests/DoctorBench.java (a
# week of agent logs, a wire log, root's and a user's ~/.aws, five deployments; the metadata service and the clock
# on 127.0.0.1). Prints the median and range of RUNS (default 10) wall times. Talks only to 127.0.0.1.
set -eu
cd "$(dirname -- "$0")/.."
exec mvn -q -B test -Dtest=DoctorBench -Dsurefire.failIfNoSpecifiedTests=false -Dbench.runs="${RUNS:-10}"
