#!/bin/sh
# FUSE mount benchmark: prints a Markdown table, each figure beside a local-disk baseline
# measured in the same run. Needs root and /dev/fuse. Usage: mount-bench.sh [workdir]
# Sizes: -Dbench.bigBytes=..., -Dbench.statFiles=..., -Dbench.smallFiles=... via BENCH_OPTS.
set -eu
cd "$(dirname "$0")/.."
mvn -B -q -o test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
exec java -Xmx3g ${BENCH_OPTS:-} \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  io.cvmfsthin.cvmfs.fuse.MountBenchmark "$@"
