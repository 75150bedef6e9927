#!/usr/bin/env bash
# Runs ColdReadBenchmark against two builds of the client, alternately, in one run: a base commit
# (default main's 53c21bb, before the cold-path work) and this work tree. The benchmark code is this
# tree's (target/test-classes); only the client classes differ. Each run measures FUSE against
# plain keep-alive HTTP GETs of the same objects in the same JVM; printed: the medians over the
# rounds of seconds and of FUSE ÷ plain HTTP, and head ÷ base.
# Needs root and /dev/fuse. Usage: cold-read-vs-base.sh [BASE_COMMIT] [ROUNDS]
# BENCH_OPTS as for cold-read.sh (e.g. -Dbench.files=1000 -Dbench.delayMs=10).
set -euo pipefail
base="${1:-53c21bb}"
rounds="${2:-3}"
opts="${BENCH_OPTS:-}"
out="$(mktemp /tmp/cold-read-vs-base.XXXXXX)"
# shellcheck source=vs-base-lib.sh
source "$(dirname "$0")/vs-base-lib.sh"
run_rounds io.cvmfsthin.cvmfs.fuse.ColdReadBenchmark -Xmx1g "$opts" "$rounds" "$out"

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
