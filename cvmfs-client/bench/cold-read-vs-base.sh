#!/usr/bin/env bash
# Runs ColdReadBenchmark against two builds of the client, alternately, in one run: a base commit
# (default main's 53c21bb, before the cold-path work) and this work tree. The benchmark code is this
# tree's (target/test-classes); only the client classes differ. Each run measures FUSE against
# plain keep-alive HTTP GETs of the same objects in the same JVM; printed: the medians over the
# rounds of seconds and of FUSE ÷ plain HTTP, and head ÷ base.
# Needs root and /dev/fuse. Usage: cold-read-vs-base.sh [BASE_COMMIT] [ROUNDS]
# BENCH_OPTS as for cold-read.sh (e.g. -Dbench.files=1000 -Dbench.delayMs=10).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
client="$(cd "$here/.." && pwd)"
top="$(cd "$client/.." && pwd)"
base="${1:-53c21bb}"
rounds="${2:-3}"
opts="${BENCH_OPTS:-}"
basetree="/tmp/cvmfs-thin-base-$(git -C "$top" rev-parse --short "$base")"
out="$(mktemp /tmp/cold-read-vs-base.XXXXXX)"

if [ ! -d "$basetree" ]; then # an exported tree: the repository itself is left as it is
  mkdir -p "$basetree"
  git -C "$top" archive "$base" | tar -x -C "$basetree"
fi
(cd "$basetree" && mvn -B -q -o -pl cvmfs-client -am compile -Dspotless.check.skip=true >&2)
(cd "$client" && mvn -B -q test-compile org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2)
deps="$(cat "$client/target/bench.classpath")"

for r in $(seq 1 "$rounds"); do
  for v in base head; do
    if [ "$v" = base ]; then classes="$basetree/cvmfs-client/target/classes"; else classes="$client/target/classes"; fi
    echo "round $r: $v" >&2
    java -Xmx1g $opts -cp "$client/target/test-classes:$classes:$deps" \
      io.cvmfsthin.cvmfs.fuse.ColdReadBenchmark 2>&1 >/dev/null \
      | awk -v v="$v" '$1 == "RESULT" { print v, $2, $3, $4 }' >>"$out"
  done
done

echo "Medians over $rounds rounds (base and head of one round ran back to back; each run's plain"
echo "HTTP baseline was measured in the same JVM, against the same loopback stratum)."
echo
echo "| measurement | base $base | head | head ÷ base | base ÷ plain HTTP | head ÷ plain HTTP |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
python3 - "$out" <<'PY'
import sys, statistics, collections
runs = collections.defaultdict(list)  # variant -> [(fuse, http)] in round order
for line in open(sys.argv[1]):
    v, key, fuse, http = line.split()
    runs[v].append((float(fuse), float(http)))
med = statistics.median
b, h = runs["base"], runs["head"]
vs_base = med([hf / bf for (hf, _), (bf, _) in zip(h, b)])
print(f"| FUSE cold, one file after another (s) | {med([f for f, _ in b]):.2f}"
      f" | {med([f for f, _ in h]):.2f} | {vs_base:.2f}"
      f" | {med([f / x for f, x in b]):.3f} | {med([f / x for f, x in h]):.3f} |")
print(f"| plain HTTP GETs, same objects (s) | {med([x for _, x in b]):.2f}"
      f" | {med([x for _, x in h]):.2f} | | 1.000 | 1.000 |")
PY
echo "raw results: $out" >&2
