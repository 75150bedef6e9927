#!/usr/bin/env bash
# Runs MountBenchmark against two builds of the client, alternately, in one run: the base commit
# (default 8ad03e6, the commit before the FUSE read-path work) and this work tree. The benchmark
# code is this tree's (target/test-classes); only the client classes differ, so both builds are
# measured the same way. Prints each figure's median over the rounds and head ÷ base.
# Needs root and /dev/fuse. Usage: mount-bench-vs-base.sh [BASE_COMMIT] [ROUNDS]
# BENCH_OPTS as for mount-bench.sh (default: -Dbench.rows=stat).
set -euo pipefail
base="${1:-8ad03e6}"
rounds="${2:-3}"
opts="${BENCH_OPTS:--Dbench.rows=stat}"
out="$(mktemp /tmp/mount-bench-vs-base.XXXXXX)"
# shellcheck source=vs-base-lib.sh
source "$(dirname "$0")/vs-base-lib.sh"
run_rounds io.cvmfsthin.cvmfs.fuse.MountBenchmark -Xmx3g "$opts" "$rounds" "$out"

echo "Medians over $rounds rounds; ratios are medians of the per-round ratios (base and head of one"
echo "round ran back to back; each FUSE figure's local-disk baseline was measured in the same JVM)."
echo
echo "| measurement | base $base | head | head ÷ base | base ÷ local disk | head ÷ local disk |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
python3 - "$out" <<'PY'
import sys, statistics, collections
runs = collections.defaultdict(list)  # (variant, key) -> [(fuse, local)] in round order
order = []
for line in open(sys.argv[1]):
    v, key, fuse, loc = line.split()
    if key not in order:
        order.append(key)
    runs[(v, key)].append((float(fuse), float(loc)))
med = statistics.median
for key in order:
    b, h = runs[("base", key)], runs[("head", key)]
    vs_base = med([hf / bf for (hf, _), (bf, _) in zip(h, b)])
    print(f"| {key} | {med([f for f, _ in b]):,.0f} | {med([f for f, _ in h]):,.0f} | {vs_base:.2f}"
          f" | {med([f / l for f, l in b]):.2f} | {med([f / l for f, l in h]):.2f} |")
PY
echo "raw results: $out" >&2
