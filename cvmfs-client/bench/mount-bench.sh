#!/bin/sh
# FUSE mount benchmark: prints a Markdown table, each figure beside a local-disk baseline
# measured in the same run. Needs root (it drops the page cache) and /dev/fuse.
# Usage: mount-bench.sh [workdir]
# Settings via BENCH_OPTS, e.g. BENCH_OPTS='-Dbench.bigBytes=268435456 -Dbench.rows=seq,stat':
#   bench.bigBytes (default 1 GiB), bench.statFiles (20000), bench.smallFiles (1000),
#   bench.randomReads (20000), bench.rows (seq,random,stat,cold), bench.transports (libfuse;
#   "libfuse,kernel" measures both FUSE transports in one run, each beside its own local baseline).
# To compare with an older commit in the same run: mount-bench-vs-base.sh. To measure the copying
# read path instead of read_buf with splicing (CvmfsFileSystem#readBuf): -Dcvmfs.fuse.noSplice=true.
set -eu
cd "$(dirname "$0")/.."
mvn -B -q test-compile org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
exec java -Xmx3g ${BENCH_OPTS:-} \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  io.cvmfsthin.cvmfs.fuse.MountBenchmark "$@"
