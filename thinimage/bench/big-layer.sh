#!/usr/bin/env bash
# Memory benchmark: converts one big gzip layer (default 4 GiB uncompressed) with the JVM limited
# to 512 MiB of heap, and prints the conversion's peak resident memory beside the time of
# `gunzip -c | tar -x` of the same blob, measured in one run on this machine.
# The layer is generated as a stream (tar → gzip → file, hashed on the way; never held whole):
# files of 256 MiB whose 64 KiB blocks each carry their own number, so the content compresses
# well (the blob stays small) yet every chunk is a distinct object through the real
# decompress/hash/chunk/compress path.
# Usage: thinimage/bench/big-layer.sh [WORKDIR] [GIB]   (needs plugin/target/cvmfs-thin.jar)
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=plugin/target/cvmfs-thin.jar
[ -f "$JAR" ] || { echo "build $JAR first: mvn -B -pl plugin -am package -DskipTests" >&2; exit 1; }
WORK=${1:-$(mktemp -d /tmp/cvmfs-thin-big.XXXXXX)}
GIB=${2:-4}
mkdir -p "$WORK"
echo "work dir: $WORK"

[ -f "$WORK/image/index.json" ] || python3 - "$WORK/image" "$GIB" <<'PY'
import gzip, hashlib, json, os, sys, tarfile, io
out, gib = sys.argv[1], float(sys.argv[2])
os.makedirs(os.path.join(out, "blobs", "sha256"), exist_ok=True)
FILE = 256 << 20
BLOCK = 64 << 10
nfiles = max(1, int(gib * (1 << 30) // FILE))

class Hashed(io.RawIOBase):
    """Writes through to a file, hashing and counting."""
    def __init__(self, f): self.f, self.h, self.n = f, hashlib.sha256(), 0
    def writable(self): return True
    def write(self, b):
        self.h.update(b); self.n += len(b); self.f.write(b); return len(b)

class Blocks(io.RawIOBase):
    """The content of file i: 64 KiB blocks, each with its own number, else a fixed pattern."""
    def __init__(self, i): self.i, self.pos = i, 0
    def readable(self): return True
    def readinto(self, b):
        left = FILE - self.pos
        if left <= 0: return 0
        n = min(len(b), BLOCK - self.pos % BLOCK, left)
        blk = (self.pos // BLOCK)
        head = b"file %06d block %09d\n" % (self.i, blk)
        pat = (head + b"x" * (BLOCK - len(head)))
        off = self.pos % BLOCK
        b[:n] = pat[off:off + n]
        self.pos += n
        return n

tmp = os.path.join(out, "layer.tmp")
with open(tmp, "wb") as raw:
    blob = Hashed(raw)
    with gzip.GzipFile(fileobj=blob, mode="wb", compresslevel=6, mtime=0) as gz:
        tar_h = Hashed(gz)
        with tarfile.open(fileobj=tar_h, mode="w|", format=tarfile.PAX_FORMAT) as t:
            d = tarfile.TarInfo("data"); d.type = tarfile.DIRTYPE; d.mode = 0o755; d.mtime = 1700000000
            t.addfile(d)
            for i in range(nfiles):
                ti = tarfile.TarInfo("data/f%04d.bin" % i); ti.size = FILE; ti.mode = 0o644; ti.mtime = 1700000000
                t.addfile(ti, io.BufferedReader(Blocks(i), 1 << 20))
        tar_bytes, diff_id = tar_h.n, tar_h.h.hexdigest()
blob_digest, blob_size = blob.h.hexdigest(), blob.n
os.rename(tmp, os.path.join(out, "blobs", "sha256", blob_digest))

def put(b):
    h = hashlib.sha256(b).hexdigest()
    with open(os.path.join(out, "blobs", "sha256", h), "wb") as f: f.write(b)
    return "sha256:" + h, len(b)
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
                     "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff_id]}}).encode()
cd, cs = put(config)
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                "digest": "sha256:" + blob_digest, "size": blob_size}]}).encode()
md, ms = put(manifest)
with open(os.path.join(out, "oci-layout"), "w") as f: f.write('{"imageLayoutVersion":"1.0.0"}')
with open(os.path.join(out, "index.json"), "w") as f:
    json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
               "digest": md, "size": ms, "annotations": {"org.opencontainers.image.ref.name": "1"}}]}, f)
with open(os.path.join(out, "layer-bytes"), "w") as f: f.write("%d %d sha256:%s\n" % (tar_bytes, blob_size, blob_digest))
print("layer: %d MiB uncompressed, %d MiB gzip" % (tar_bytes >> 20, blob_size >> 20))
PY

read -r TAR_BYTES BLOB_BYTES BLOB < "$WORK/image/layer-bytes"
BLOB_FILE="$WORK/image/blobs/sha256/${BLOB#sha256:}"

# baseline: gunzip | tar -x of the same blob (wall and CPU seconds; peak RSS of gunzip and tar)
rm -rf "$WORK/extract" && mkdir -p "$WORK/extract"
sync
/usr/bin/time -f '%e %U %S %M' -o "$WORK/base.time" \
  sh -c "gunzip -c '$BLOB_FILE' | tar -x -C '$WORK/extract'"
rm -rf "$WORK/extract"

rm -rf "$WORK/storage" "$WORK/keys"
sync
# shellcheck disable=SC2086
/usr/bin/time -f '%e %U %S %M' -o "$WORK/convert.time" \
  java -Xmx512m ${JAVA_OPTS:-} -jar "$JAR" convert "$WORK/image" --no-push \
    --storage "$WORK/storage" --keys "$WORK/keys" --fqrn big.example.org >"$WORK/convert.log" 2>&1

read -r BW BU BS BM < "$WORK/base.time"
read -r CW CU CS CM < "$WORK/convert.time"
mib() { echo "scale=1; $1 / 1048576" | bc; }
echo
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
echo "layer: $(mib "$TAR_BYTES") MiB uncompressed, $(mib "$BLOB_BYTES") MiB gzip"
echo "baseline gunzip | tar -x: wall $BW s, CPU $(echo "$BU + $BS" | bc) s, peak RSS $((BM / 1024)) MiB (tar's)"
echo "convert -Xmx512m ${JAVA_OPTS:-}: wall $CW s, CPU $(echo "$CU + $CS" | bc) s, peak RSS $((CM / 1024)) MiB"
echo "  $(grep '^converted:' "$WORK/convert.log" | tail -1)"
echo "time ratio convert / baseline: $(echo "scale=2; $CW / $BW" | bc)"
