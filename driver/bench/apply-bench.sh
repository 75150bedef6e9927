#!/usr/bin/env bash
# applyDiff of a ~1 GiB layer of mixed files, measured in one run on the same disk beside:
#   - GNU tar -x of the same tar (numeric owners, permissions, xattrs), and
#   - a private dockerd (built-in overlay2) loading an image made of that one layer.
# Each step is followed by sync, and the time includes it (except the in-JVM figure). Tools run
# interleaved, REPS rounds (default 3); the table shows medians. Prints a table.
# Usage (root): driver/bench/apply-bench.sh   [BENCH_DIR=/var/tmp/... SIZE_MIB=1024]
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "apply-bench: must run as root" >&2; exit 1; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${BENCH_DIR:-/var/tmp/cvmfsthin-apply-bench}
SIZE_MIB=${SIZE_MIB:-1024}
REPS=${REPS:-3}
DOCKERD_PID=""

cleanup() {
  if [ -n "$DOCKERD_PID" ] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
    kill -TERM "$DOCKERD_PID"; for _ in $(seq 60); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.5; done
  fi
  { grep -o " $WORK/[^ ]*" /proc/self/mountinfo || true; } | sort -r | while read -r m; do umount -l "$m" || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
rm -rf "$WORK"; mkdir -p "$WORK"

echo "== building the driver" >&2
(cd "$ROOT" && mvn -B -q -pl driver -am install -DskipTests -Dspotless.check.skip=true \
  && mvn -B -q -pl driver test-compile dependency:build-classpath -Dmdep.includeScope=test \
       -Dmdep.outputFile="$WORK/cp.txt") >&2
CP="$ROOT/driver/target/test-classes:$ROOT/driver/target/classes:$ROOT/thinimage/target/classes:$(cat "$WORK/cp.txt")"

echo "== making a ${SIZE_MIB} MiB tree of mixed files" >&2
python3 - "$WORK/tree" "$SIZE_MIB" <<'PY'
import os, random, sys
root, total = sys.argv[1], int(sys.argv[2]) << 20
rnd = random.Random(7)
os.makedirs(root)
made = 0
def data(n):
    return os.urandom(n)
# ~25%: small files (0.5-32 KiB) in nested dirs
i = 0
while made < total * 0.25:
    d = os.path.join(root, "small", "d%03d" % (i % 300), "e%02d" % (i % 7))
    os.makedirs(d, exist_ok=True)
    n = rnd.randint(512, 32 << 10)
    with open(os.path.join(d, "f%06d" % i), "wb") as f: f.write(data(n))
    made += n; i += 1
small = i
# ~55%: medium files of 4-16 MiB
j = 0
os.makedirs(os.path.join(root, "medium"))
while made < total * 0.80:
    n = rnd.randint(4 << 20, 16 << 20)
    with open(os.path.join(root, "medium", "m%03d" % j), "wb") as f: f.write(data(n))
    made += n; j += 1
# the rest: one large file, mostly zeros (sparse on the source side)
n = max(total - made, 1 << 20)
with open(os.path.join(root, "large.img"), "wb") as f:
    f.write(data(1 << 20)); f.seek(n - (1 << 20)); f.write(data(1 << 20))
# links and modes
os.makedirs(os.path.join(root, "links"))
for k in range(1000):
    os.symlink("../small/d%03d/e%02d/f%06d" % (k % 300, k % 7, k), os.path.join(root, "links", "s%04d" % k))
for k in range(500):
    os.link(os.path.join(root, "small", "d%03d" % (k % 300), "e%02d" % (k % 7), "f%06d" % k), os.path.join(root, "links", "h%04d" % k))
for k in range(0, small, 97):
    p = os.path.join(root, "small", "d%03d" % (k % 300), "e%02d" % (k % 7), "f%06d" % k)
    os.chown(p, 1000 + k % 5, 100); os.chmod(p, 0o4755 if k % 2 else 0o640)
print(small, "small files,", j, "medium files", file=sys.stderr)
PY
tar --numeric-owner --xattrs -C "$WORK/tree" -cf "$WORK/layer.tar" .
rm -rf "$WORK/tree"
TAR_BYTES=$(stat -c %s "$WORK/layer.tar")
ENTRIES=$(tar -tf "$WORK/layer.tar" | wc -l)

warm() { cat "$WORK/layer.tar" > /dev/null; sync; }
now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }

python3 - "$WORK/layer.tar" "$WORK/image.tar" <<'PY'
import hashlib, io, json, sys, tarfile
layer, out = sys.argv[1], sys.argv[2]
h = hashlib.sha256()
with open(layer, "rb") as f:
    for b in iter(lambda: f.read(1 << 20), b""): h.update(b)
digest = h.hexdigest()
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                     "rootfs": {"type": "layers", "diff_ids": ["sha256:" + digest]}}).encode()
cname = hashlib.sha256(config).hexdigest() + ".json"
manifest = json.dumps([{"Config": cname, "RepoTags": ["bench/layer:1"], "Layers": [digest + "/layer.tar"]}]).encode()
with tarfile.open(out, "w") as t:
    for name, data in ((cname, config), ("manifest.json", manifest)):
        i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
    t.add(layer, arcname=digest + "/layer.tar")
PY
mkdir -p "$WORK/d"
dockerd --data-root "$WORK/d/root" --exec-root "$WORK/d/exec" -H "unix://$WORK/d/docker.sock" \
  --pidfile "$WORK/d/docker.pid" --bridge none --iptables=false --ip-masq=false \
  --storage-driver overlay2 > "$WORK/d/dockerd.log" 2>&1 < /dev/null &
DOCKERD_PID=$!
export DOCKER_HOST="unix://$WORK/d/docker.sock"
for _ in $(seq 100); do docker version > /dev/null 2>&1 && break; sleep 0.3; done

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
TAR_RUNS=(); APPLY_RUNS=(); JAVA_RUNS=(); WARM_RUNS=(); DOCKER_RUNS=()
for rep in $(seq "$REPS"); do
  echo "== round $rep: tar -x" >&2
  warm; mkdir "$WORK/tar-x"; t0=$(now)
  tar --numeric-owner -p --xattrs --xattrs-include='*' -xf "$WORK/layer.tar" -C "$WORK/tar-x"; sync
  t1=$(now); TAR_RUNS+=("$(ms "$t0" "$t1")"); rm -rf "$WORK/tar-x"; sync

  echo "== round $rep: applyDiff" >&2
  warm; t0=$(now)
  OUT=$(java -cp "$CP" io.cvmfsthin.driver.ApplyDiffBench "$WORK/home" "$WORK/layer.tar" 2>/dev/null); sync
  t1=$(now); JAVA_RUNS+=("$(ms "$t0" "$t1")")
  APPLY_RUNS+=("$(echo "$OUT" | sed -n 's/.*applydiff_ms=\([0-9]*\).*/\1/p')")
  rm -rf "$WORK/home"; sync

  echo "== round $rep: applyDiff in a warm JVM (one apply before the timed one)" >&2
  warm
  OUT=$(java -Dbench.warmups=1 -cp "$CP" io.cvmfsthin.driver.ApplyDiffBench "$WORK/home" "$WORK/layer.tar" 2>/dev/null)
  WARM_RUNS+=("$(echo "$OUT" | sed -n 's/.*applydiff_ms=\([0-9]*\).*/\1/p')")
  rm -rf "$WORK/home"; sync

  echo "== round $rep: dockerd (overlay2) docker load" >&2
  cat "$WORK/image.tar" > /dev/null; sync; t0=$(now)
  docker load -q -i "$WORK/image.tar" > /dev/null; sync
  t1=$(now); DOCKER_RUNS+=("$(ms "$t0" "$t1")")
  docker rmi -f bench/layer:1 > /dev/null; sync
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
TAR_MS=$(median "${TAR_RUNS[@]}"); APPLY_MS=$(median "${APPLY_RUNS[@]}")
JAVA_MS=$(median "${JAVA_RUNS[@]}"); DOCKER_MS=$(median "${DOCKER_RUNS[@]}")
WARM_MS=$(median "${WARM_RUNS[@]}")

mib() { awk -v b="$1" -v m="$2" 'BEGIN { printf "%.0f", (b / 1048576) / (m / 1000) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "layer: $(( TAR_BYTES >> 20 )) MiB tar, $ENTRIES entries; disk: $(df --output=source,fstype "$WORK" | tail -1 | tr -s ' ')"
echo "median of $REPS interleaved rounds; load average before: $LOAD_BEFORE, after: $LOAD_AFTER ($(nproc) CPUs)"
echo "runs (ms): tar -x ${TAR_RUNS[*]} | applyDiff ${APPLY_RUNS[*]} | applyDiff+JVM ${JAVA_RUNS[*]} | warm applyDiff ${WARM_RUNS[*]} | docker load ${DOCKER_RUNS[*]}"
printf '%-44s %10s %10s %12s\n' "what" "ms" "MiB/s" "vs tar -x"
printf '%-44s %10s %10s %12s\n' "tar -x (GNU tar, + sync)" "$TAR_MS" "$(mib "$TAR_BYTES" "$TAR_MS")" "1.00"
printf '%-44s %10s %10s %12s\n' "driver applyDiff (in JVM, before sync)" "$APPLY_MS" "$(mib "$TAR_BYTES" "$APPLY_MS")" "$(ratio "$APPLY_MS" "$TAR_MS")"
printf '%-44s %10s %10s %12s\n' "driver applyDiff incl. JVM start + sync" "$JAVA_MS" "$(mib "$TAR_BYTES" "$JAVA_MS")" "$(ratio "$JAVA_MS" "$TAR_MS")"
printf '%-44s %10s %10s %12s\n' "driver applyDiff, warm JVM (before sync)" "$WARM_MS" "$(mib "$TAR_BYTES" "$WARM_MS")" "$(ratio "$WARM_MS" "$TAR_MS")"
printf '%-44s %10s %10s %12s\n' "dockerd overlay2 docker load (+ sha256)" "$DOCKER_MS" "$(mib "$TAR_BYTES" "$DOCKER_MS")" "$(ratio "$DOCKER_MS" "$TAR_MS")"
