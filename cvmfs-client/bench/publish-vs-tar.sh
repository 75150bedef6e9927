#!/usr/bin/env bash
# Publish throughput of `cvmfs-thin repo publish` beside `tar -c | gzip -1` of the same tree,
# measured in one run on one machine. Generates a ~500 MB tree of mixed files (small, medium and
# large; compressible and random), warms the page cache, then times:
#   1. tar -c | gzip -1 > file        (what building a Docker layer costs)
#   2. repo publish (fresh repository: compress, hash, chunk, write objects and catalogs)
#   3. repo publish of the same tree again (every object exists: hashing + catalogs only)
# Usage: cvmfs-client/bench/publish-vs-tar.sh [WORKDIR] [SIZE_MB]   (defaults: a temp dir, 500)
# JAVA_OPTS (environment) is added to the first publish's JVM, e.g. a flight recording.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
WORK=${1:-$(mktemp -d /tmp/publish-bench.XXXXXX)}
SIZE_MB=${2:-500}
JAR="$ROOT/plugin/target/cvmfs-thin.jar"

if [ ! -f "$JAR" ]; then
  echo "building $JAR ..." >&2
  mvn -B -q -pl plugin -am package -DskipTests >&2
fi
mkdir -p "$WORK"
TREE="$WORK/tree"

if [ ! -d "$TREE" ]; then
  echo "generating a ${SIZE_MB} MB tree in $TREE ..." >&2
  python3 - "$TREE" "$SIZE_MB" <<'PY'
import os, random, sys
root, size_mb = sys.argv[1], int(sys.argv[2])
rnd = random.Random(20261127)
words = [bytes(rnd.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(2, 10))) for _ in range(4000)]
def text(n):
    out = bytearray()
    while len(out) < n:
        out += b" ".join(rnd.choice(words) for _ in range(12)) + b"\n"
    return bytes(out[:n])
def rand(n):
    return rnd.randbytes(n)
budget = size_mb * 1024 * 1024
# 20 % small files (1-8 KiB, mostly text), 30 % medium (64 KiB-1 MiB), 50 % large (16-48 MiB)
plan = [("small", 0.20, 1024, 8192), ("medium", 0.30, 64 << 10, 1 << 20), ("large", 0.50, 16 << 20, 48 << 20)]
for kind, share, lo, hi in plan:
    left, i = int(budget * share), 0
    while left > 0:
        n = min(left, rnd.randint(lo, hi))
        d = os.path.join(root, kind, "d%03d" % (i // 500))
        os.makedirs(d, exist_ok=True)
        data = text(n) if (kind == "small" and rnd.random() < 0.8) or (kind != "small" and i % 2 == 0) else rand(n)
        with open(os.path.join(d, "f%06d" % i), "wb") as f:
            f.write(data)
        left -= n
        i += 1
PY
fi

bytes=$(du -sb "$TREE" | cut -f1)
files=$(find "$TREE" -type f | wc -l)
mb=$(python3 -c "print(f'{$bytes/1048576:.1f}')")
tar -c -C "$TREE" . > /dev/null   # warm the page cache for every contender

now() { date +%s.%N; }
rate() { python3 -c "print(f'{$bytes/1048576/($2-$1):.1f}')"; }
secs() { python3 -c "print(f'{$2-$1:.2f}')"; }

t0=$(now); tar -c -C "$TREE" . | gzip -1 > "$WORK/tree.tar.gz"; t1=$(now)
gz=$(stat -c %s "$WORK/tree.tar.gz")

rm -rf "$WORK/srv" "$WORK/keys"
java -jar "$JAR" repo create --storage "$WORK/srv" --keys "$WORK/keys" bench.example.org > /dev/null
# shellcheck disable=SC2086
t2=$(now); java ${JAVA_OPTS:-} -jar "$JAR" repo publish --storage "$WORK/srv" --keys "$WORK/keys" bench.example.org "$TREE" --at /tree > /dev/null; t3=$(now)
stored=$(du -sb "$WORK/srv/bench.example.org/data" | cut -f1)
t4=$(now); java -jar "$JAR" repo publish --storage "$WORK/srv" --keys "$WORK/keys" bench.example.org "$TREE" --at /again > /dev/null; t5=$(now)

base=$(python3 -c "print($t1-$t0)")
ratio() { python3 -c "print(f'{($2-$1)/$base:.2f}x')"; }
echo
echo "tree: $files files, $mb MiB ($(nproc) CPUs, $(date -u +%FT%TZ))"
printf '%-44s %10s %10s %12s %14s\n' "method" "seconds" "MiB/s" "time ratio" "output MiB"
printf '%-44s %10s %10s %12s %14s\n' "tar -c | gzip -1 (baseline)" "$(secs $t0 $t1)" "$(rate $t0 $t1)" "1.00x" "$(python3 -c "print(f'{$gz/1048576:.1f}')")"
printf '%-44s %10s %10s %12s %14s\n' "repo publish (new objects)" "$(secs $t2 $t3)" "$(rate $t2 $t3)" "$(ratio $t2 $t3)" "$(python3 -c "print(f'{$stored/1048576:.1f}')")"
printf '%-44s %10s %10s %12s %14s\n' "repo publish (same tree again, deduplicated)" "$(secs $t4 $t5)" "$(rate $t4 $t5)" "$(ratio $t4 $t5)" "+0"
echo "(time ratio > 1 means slower than the baseline; publish times include JVM start)"
