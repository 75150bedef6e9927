#!/bin/sh
# Cold small-file benchmark: 1,000 files of 20-40 KB read one after another through a fresh FUSE
# mount with an empty cache, every HTTP request held back 10 ms by the loopback stratum. Prints a
# Markdown table beside baselines of the same run (the serial bound files × delay, plain keep-alive
# HTTP GETs of the same objects, local disk). Needs root and /dev/fuse.
# Usage: cold-read.sh [workdir]; BENCH_OPTS="-Dbench.files=1000 -Dbench.delayMs=10
#   -XX:StartFlightRecording=filename=/tmp/cold.jfr" to change sizes or profile;
#   -Dbench.transports=libfuse,kernel measures both FUSE transports in the same run.
set -eu
cd "$(dirname "$0")/.."
mvn -B -q test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
exec java -Xmx1g ${BENCH_OPTS:-} \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  io.cvmfsthin.cvmfs.fuse.ColdReadBenchmark "$@"
