#!/usr/bin/env bash
# Benchmark: `cvmfs-thin cat` of a generated file (default 100 MB) through a CernVM-FS repository
# on loopback, beside `curl` of the same bytes from the same server. One run; prints seconds and
# ratios. The repository is written by the project's own `repo create` and `repo publish` (random
# bytes, so zlib gains nothing; chunked as the publisher chunks); the server is a private nginx if
# installed, else python3 -m http.server.
#
# Usage: cvmfs-client/bench/cat-vs-curl.sh [SIZE_MB]   (run from anywhere; builds the jar if needed)
# BENCH_OPTS="-XX:StartFlightRecording=filename=/tmp/cat.jfr" profiles the in-JVM read (step 6).
# TRANSPORTS="libfuse kernel" (the default) are the FUSE transports of step 7: `cat` of the file
# through a `cvmfs-thin mount` started beforehand (its start excluded), empty cache, each its own;
# then `cat` of a second file of the same size (empty cache too, but the mount's JVM has compiled
# the fetch path by then: the first file's row includes the JIT's warm-up, this one does not).
# MOUNT_OPTS="-XX:StartFlightRecording=filename=/tmp/mount.jfr" profiles those mounts.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
top="$(cd "$here/../.." && pwd)"
size_mb="${1:-100}"
fqrn=bench.example.org
jar="$top/plugin/target/cvmfs-thin.jar"
work="$(mktemp -d /tmp/cvmfs-bench.XXXXXX)"
chmod 755 "$work" # nginx workers run as an unprivileged user
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

[ -f "$jar" ] || (cd "$top" && mvn -B -q -pl plugin -am package -DskipTests)
mkdir -p "$work/src" "$work/srv"
head -c "$((size_mb * 1000000))" /dev/urandom >"$work/srv/big.bin"
ln "$work/srv/big.bin" "$work/src/big.bin"
# a second file of the same size, other bytes: read through the mount after the first, so its
# empty-cache read runs on compiled (JIT-warm) code, as in a mount that has served for a while
# (published in a second revision, so the chunk objects of big.bin alone are known for step 2)
java -jar "$jar" repo create --storage "$work/srv/cvmfs" --keys "$work/srv/keys" "$fqrn" >&2
java -jar "$jar" repo publish --storage "$work/srv/cvmfs" --keys "$work/srv/keys" "$fqrn" "$work/src" >&2
objects=$(cd "$work/srv/cvmfs/$fqrn" && find data -name '*P' | sort)
head -c "$((size_mb * 1000000))" /dev/urandom >"$work/src/big2.bin"
java -jar "$jar" repo publish --storage "$work/srv/cvmfs" --keys "$work/srv/keys" "$fqrn" "$work/src" >&2

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
if command -v nginx >/dev/null; then
  mkdir -p "$work/nginx/logs"
  cat >"$work/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 256; }
http {
  access_log off;
  sendfile on;
  tcp_nodelay on;
  server { listen 127.0.0.1:$port; root $work/srv; }
}
CONF
  nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
  server_pid=$!
  server=nginx
else
  python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/srv" >/dev/null 2>&1 &
  server_pid=$!
  server="python3 http.server"
fi
base="http://127.0.0.1:$port"
for _ in $(seq 50); do curl -sf "$base/big.bin" -o /dev/null -r 0-0 && break; sleep 0.1; done

now() { date +%s.%N; }
cpu() { awk '{printf "%.2f", $1 + $2}' "$work/cpu"; } # user+sys of the last timed command
timed() { /usr/bin/time -o "$work/cpu" -f "%U %S" "$@"; }
seconds() { python3 -c "print('%.3f' % ($2 - $1))"; }
key="$work/srv/keys/$fqrn.pub"
url="$base/cvmfs/@fqrn@"
expected="$(sha256sum "$work/srv/big.bin" | cut -d' ' -f1)"

# 1. curl of the plain file (the same bytes, uncompressed)
t0=$(now); timed curl -sf "$base/big.bin" -o /dev/null; t1=$(now)
curl_plain=$(seconds "$t0" "$t1"); curl_plain_cpu=$(cpu)
# 2. curl of the chunk objects the client fetches (compressed), one after another
t0=$(now); for o in $objects; do curl -sf "$base/cvmfs/$fqrn/$o" -o /dev/null; done; t1=$(now)
curl_objects=$(seconds "$t0" "$t1")
# 3. cat with an empty cache: fetch, verify, inflate, store, write
t0=$(now)
timed java -jar "$jar" cat --url "$url" --key "$key" --cache "$work/cache" "$fqrn" /big.bin >/dev/null
t1=$(now)
cat_cold=$(seconds "$t0" "$t1"); cat_cold_cpu=$(cpu)
# 4. cat again: everything from the cache
t0=$(now); timed java -jar "$jar" cat --url "$url" --key "$key" --cache "$work/cache" "$fqrn" /big.bin >/dev/null; t1=$(now)
cat_warm=$(seconds "$t0" "$t1"); cat_warm_cpu=$(cpu)
# 5. fixed cost: ls of the root with a warm cache (JVM start, trust chain, catalog)
t0=$(now); timed java -jar "$jar" ls --url "$url" --key "$key" --cache "$work/cache" "$fqrn" / >/dev/null; t1=$(now)
fixed=$(seconds "$t0" "$t1"); fixed_cpu=$(cpu)
# 6. the same, timed inside one JVM (its start excluded): empty cache, then warm
(cd "$top/cvmfs-client" && mvn -B -q test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2)
cp_test="$top/cvmfs-client/target/test-classes:$top/cvmfs-client/target/classes:$(cat "$top/cvmfs-client/target/bench.classpath")"
java ${BENCH_OPTS:-} -cp "$cp_test" io.cvmfsthin.cvmfs.client.CatTiming "$url" "$key" "$work/cache2" "$fqrn" /big.bin >"$work/timing" 2>/dev/null
in_cold=$(awk '$1=="cold"{print $2}' "$work/timing"); in_warm=$(awk '$1=="warm"{print $2}' "$work/timing")
# 7. cat through a FUSE mount, empty cache, per transport (the mount is up before the clock starts)
fuse_rows=""
for t in ${TRANSPORTS:-libfuse kernel}; do
  mnt="$work/mnt-$t"
  mkdir -p "$mnt"
  java ${MOUNT_OPTS:-} -jar "$jar" mount --url "$url" --key "$key" --cache "$work/fcache-$t" \
    --transport "$t" "$fqrn" "$mnt" 2>"$work/mount-$t.log" &
  mount_pid=$!
  for _ in $(seq 300); do mountpoint -q "$mnt" && break; sleep 0.1; done
  mountpoint -q "$mnt" || { cat "$work/mount-$t.log" >&2; exit 1; }
  sync; echo 3 >/proc/sys/vm/drop_caches
  t0=$(now); cat "$mnt/big.bin" >/dev/null; t1=$(now)
  fuse_cold=$(seconds "$t0" "$t1")
  sync; echo 3 >/proc/sys/vm/drop_caches
  t0=$(now); cat "$mnt/big2.bin" >/dev/null; t1=$(now)
  fuse_cold2=$(seconds "$t0" "$t1")
  sync; echo 3 >/proc/sys/vm/drop_caches
  t0=$(now); cat "$mnt/big.bin" >/dev/null; t1=$(now)
  fuse_warm=$(seconds "$t0" "$t1")
  got="$(sha256sum "$mnt/big.bin" | cut -d' ' -f1)"
  [ "$got" = "$expected" ] || { echo "FUSE ($t) returned other bytes" >&2; exit 1; }
  kill -TERM "$mount_pid"; wait "$mount_pid" || true
  fuse_rows="$fuse_rows $t:$fuse_cold:$fuse_warm:$fuse_cold2"
done
# untimed: the bytes are right
got="$(java -jar "$jar" cat --url "$url" --key "$key" --cache "$work/cache" "$fqrn" /big.bin | sha256sum | cut -d' ' -f1)"
[ "$got" = "$expected" ] || { echo "cat returned other bytes: $got != $expected" >&2; exit 1; }

load="$(cut -d' ' -f1 /proc/loadavg) on $(nproc) CPUs"
python3 - "$size_mb" "$server" "$load" "$fuse_rows" "$curl_plain" "$curl_objects" "$cat_cold" "$cat_warm" "$fixed" \
  "$curl_plain_cpu" "$cat_cold_cpu" "$cat_warm_cpu" "$fixed_cpu" "$in_cold" "$in_warm" <<'PY'
import sys
mb, server, load, fuse_rows = sys.argv[1:5]
cp, co, cc, cw, fx, cpc, ccc, cwc, fxc, ic, iw = map(float, sys.argv[5:])
print(f"{mb} MB over loopback from {server}, one run, load {load}")
print(f"  {'':48s} {'wall s':>8s} {'ratio':>7s} {'cpu s':>7s}")
for name, t, c in [("curl plain file", cp, cpc), ("curl chunk objects (zlib)", co, None),
                   ("cat, empty cache", cc, ccc), ("cat, warm cache", cw, cwc),
                   ("ls /, warm cache (fixed cost: JVM, trust chain)", fx, fxc),
                   ("read in one JVM, empty cache (JVM start excluded)", ic, None),
                   ("read in one JVM, warm cache (JVM start excluded)", iw, None)]:
    cpu = "-" if c is None else f"{c:.2f}"
    print(f"  {name:48s} {t:8.3f} x{t / cp:6.2f} {cpu:>7s}")
for r in fuse_rows.split():
    t, cold, warm, cold2 = r.split(":")
    for name, v in [(f"cat via FUSE ({t}), empty cache, mount up", float(cold)),
                    (f"cat via FUSE ({t}), empty cache, 2nd file (JIT warm)", float(cold2)),
                    (f"cat via FUSE ({t}), cached, page cache dropped", float(warm))]:
        print(f"  {name:48s} {v:8.3f} x{v / cp:6.2f} {'-':>7s}")
PY
