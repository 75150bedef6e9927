#!/usr/bin/env bash
# Conversion benchmark, measured in one run on this machine:
#   1. conversion of a ~1 GiB (uncompressed) 4-layer image from an OCI layout into a fresh
#      repository, thin image pushed to a loopback docker-registry, in MB/s of uncompressed layer
#      data; beside it `gunzip -c | tar -x` of the same layer blobs (the baseline);
#   2. a second image sharing the base layers: what its conversion stores, and the dedup ratio of
#      both images (uncompressed bytes of all their layers / bytes the repository stores).
# Usage: thinimage/bench/convert.sh [WORKDIR]   (needs the shaded jar: mvn -pl plugin -am package)
# Settings (environment): SCALE=0.25 shrinks every layer's file counts (default 1, ~1 GiB image);
# JAVA_OPTS is added to each conversion's JVM (e.g. -XX:StartFlightRecording=filename=x.jfr,...).
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=plugin/target/cvmfs-thin.jar
[ -f "$JAR" ] || { echo "build $JAR first: mvn -B -pl plugin -am package -DskipTests" >&2; exit 1; }
WORK=${1:-$(mktemp -d /tmp/cvmfs-thin-bench.XXXXXX)}
mkdir -p "$WORK"
echo "work dir: $WORK"

# --- make two OCI layouts: A = base1 base2 base3 appA, B = base1 base2 base3 appB ---
# (kept in WORKDIR: a second run on the same WORKDIR reuses them)
[ -f "$WORK/imageB/uncompressed-bytes" ] || python3 - "$WORK" "${SCALE:-1}" <<'PY'
import gzip, hashlib, io, json, os, random, sys, tarfile
work = sys.argv[1]
scale = float(sys.argv[2])
rnd = random.Random(7)
words = [("w%05d" % i) for i in range(5000)]

def text(n):
    out = []
    size = 0
    while size < n:
        w = rnd.choice(words)
        out.append(w)
        size += len(w) + 1
    return (" ".join(out))[:n].encode()

def layer(name, files):
    """files: list of (path, bytes); a deterministic tar, then gzip -6 without name/mtime."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        dirs = set()
        for path, data in files:
            parts = path.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                d = "/".join(parts[:i])
                if d not in dirs:
                    dirs.add(d)
                    ti = tarfile.TarInfo(d); ti.type = tarfile.DIRTYPE; ti.mode = 0o755; ti.mtime = 1700000000
                    t.addfile(ti)
            ti = tarfile.TarInfo(path); ti.size = len(data); ti.mode = 0o644; ti.mtime = 1700000000
            t.addfile(ti, io.BytesIO(data))
    tar = raw.getvalue()
    gz = gzip.compress(tar, compresslevel=6, mtime=0)
    return tar, gz

def small_files(prefix, count, size):
    return [("%s/f%05d.txt" % (prefix, i), text(size)) for i in range(max(1, int(count * scale)))]

def big_files(prefix, count, size):
    return [("%s/b%03d.bin" % (prefix, i), rnd.randbytes(size)) for i in range(max(1, int(count * scale)))]

MiB = 1 << 20
specs = {
    "base1": small_files("usr/share/doc", 40000, 4096) + big_files("usr/lib", 20, 4 * MiB),   # ~236 MiB
    "base2": big_files("opt/data", 60, 4 * MiB),                                                # 240 MiB
    "base3": small_files("usr/lib/python", 20000, 8192) + big_files("usr/bin", 20, 4 * MiB),  # ~236 MiB
    "appA": small_files("srv/a", 10000, 16384) + big_files("srv/a/bin", 20, 4 * MiB),         # ~236 MiB
    "appB": small_files("srv/b", 5000, 16384) + big_files("srv/b/bin", 10, 4 * MiB),          # ~118 MiB
}
blobs = {}
for name, files in specs.items():
    tar, gz = layer(name, files)
    blobs[name] = (tar, gz)
    with open(os.path.join(work, name + ".tar.gz"), "wb") as f:
        f.write(gz)
    print("layer %s: %d MiB uncompressed, %d MiB gzip" % (name, len(tar) >> 20, len(gz) >> 20))

def layout(dirname, names):
    d = os.path.join(work, dirname)
    os.makedirs(os.path.join(d, "blobs", "sha256"), exist_ok=True)
    def put(b):
        h = hashlib.sha256(b).hexdigest()
        with open(os.path.join(d, "blobs", "sha256", h), "wb") as f:
            f.write(b)
        return "sha256:" + h
    layers = []
    diff_ids = []
    for n in names:
        tar, gz = blobs[n]
        layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": put(gz), "size": len(gz)})
        diff_ids.append("sha256:" + hashlib.sha256(tar).hexdigest())
    config = json.dumps({"architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
                         "config": {"Cmd": ["/bin/sh"], "Env": ["PATH=/usr/bin:/bin"]},
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    cd = put(config)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": len(config)},
                           "layers": layers}).encode()
    md = put(manifest)
    with open(os.path.join(d, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    with open(os.path.join(d, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                   "digest": md, "size": len(manifest), "annotations": {"org.opencontainers.image.ref.name": "1"}}]}, f)
    total = sum(len(blobs[n][0]) for n in names)
    with open(os.path.join(d, "uncompressed-bytes"), "w") as f:
        f.write(str(total))

layout("imageA", ["base1", "base2", "base3", "appA"])
layout("imageB", ["base1", "base2", "base3", "appB"])
PY

# --- a loopback registry for the thin images (stopped by its pid on exit) ---
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$WORK/registry"
cat > "$WORK/registry/config.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $WORK/registry/storage
http:
  addr: 127.0.0.1:$PORT
YML
docker-registry serve "$WORK/registry/config.yml" > "$WORK/registry/log" 2>&1 &
REGISTRY_PID=$!
trap 'kill $REGISTRY_PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/v2/" >/dev/null && break; sleep 0.1; done

rm -rf "$WORK/storage" "$WORK/keys"
convert() { # LAYOUT TARGET; prints the summary line, logs go to WORK/LAYOUT.log
  # shellcheck disable=SC2086
  java -Xmx1g ${JAVA_OPTS:-} -jar "$JAR" convert "$WORK/$1" "127.0.0.1:$PORT/bench/$2:1" \
    --storage "$WORK/storage" --keys "$WORK/keys" --fqrn bench.example.org >"$WORK/$1.log" 2>&1
  grep '^converted:' "$WORK/$1.log" | tail -1
}
# wall and CPU (user+sys) seconds of a command, "REAL CPU"; the machine may be shared, so CPU
# time is the figure that compares fairly
timed() {
  local TIMEFORMAT='%R %U %S' t
  t=$( { time "$@" >/dev/null 2>&1; } 2>&1 )
  echo "$t" | awk '{printf "%s %.2f\n", $1, $2 + $3}'
}
data_bytes() { du -sb "$WORK/storage/bench.example.org/data" 2>/dev/null | cut -f1 || echo 0; }

# --- 1. baseline: gunzip | tar -x of image A's layers ---
rm -rf "$WORK/extract" && mkdir -p "$WORK/extract"
extract_all() {
  for l in base1 base2 base3 appA; do
    mkdir -p "$WORK/extract/$l"
    gunzip -c "$WORK/$l.tar.gz" | tar -x -C "$WORK/extract/$l"
  done
}
sync
read -r BASE_S BASE_CPU < <(timed extract_all)
A_BYTES=$(cat "$WORK/imageA/uncompressed-bytes")
rm -rf "$WORK/extract"

# --- 1. conversion of image A into a fresh repository ---
sync
read -r CONV_S CONV_CPU < <(timed convert imageA a_thin)
SUMMARY_A=$(grep '^converted:' "$WORK/imageA.log" | tail -1)
STORED_A=$(data_bytes)

# --- 2. image B shares base1..base3 ---
SUMMARY_B=$(convert imageB b_thin)
STORED_AB=$(data_bytes)
B_BYTES=$(cat "$WORK/imageB/uncompressed-bytes")
# --- idempotence: converting A again ---
SUMMARY_A2=$(convert imageA a_thin)

mbps() { echo "scale=1; $1 / 1048576 / $2" | bc; }
echo
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
echo "image A: $((A_BYTES >> 20)) MiB uncompressed in 4 gzip layers"
echo "baseline gunzip | tar -x (A):   wall $(printf %.1f "$BASE_S") s = $(mbps "$A_BYTES" "$BASE_S") MiB/s;" \
     "CPU $BASE_CPU s = $(mbps "$A_BYTES" "$BASE_CPU") MiB per CPU-s"
echo "convert A (JVM start included): wall $(printf %.1f "$CONV_S") s = $(mbps "$A_BYTES" "$CONV_S") MiB/s;" \
     "CPU $CONV_CPU s = $(mbps "$A_BYTES" "$CONV_CPU") MiB per CPU-s"
echo "  $SUMMARY_A"
echo "convert B (shares 3 base layers):"
echo "  $SUMMARY_B"
echo "dedup: A+B = $(((A_BYTES + B_BYTES) >> 20)) MiB uncompressed, repository stores $((STORED_AB >> 20)) MiB" \
     "(A alone $((STORED_A >> 20)) MiB); ratio $(echo "scale=2; ($A_BYTES + $B_BYTES) / $STORED_AB" | bc)"
echo "convert A again: $SUMMARY_A2"
