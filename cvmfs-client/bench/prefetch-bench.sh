#!/bin/sh
# Recorded-prefetch benchmark (issue 12, cold row): prints a Markdown table with ratios to a
# no-list run and to the serial bound, measured in the same run. Needs root and /dev/fuse.
# Sizes: -Dbench.files=..., -Dbench.delayMs=... via BENCH_OPTS. Usage: prefetch-bench.sh [workdir]
set -eu
cd "$(dirname "$0")/.."
mvn -B -q -o test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
exec java -Xmx3g ${BENCH_OPTS:-} \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  io.cvmfsthin.cvmfs.fuse.PrefetchBenchmark "$@"
