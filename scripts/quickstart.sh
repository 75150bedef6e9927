#!/usr/bin/env bash
# The main job, end to end, on this machine and on loopback only:
#   a private dockerd with the cvmfs-thin plugin as its storage driver, a local registry, a CVMFS
#   stratum served by nginx, a sample image converted into a thin image, pulled and run lazily,
#   and a report of what was transferred. Everything runs in a scratch directory and is stopped
#   and removed at the end (KEEP=1 keeps the directory and its logs).
#
#   scripts/quickstart.sh            (as root on Debian 12)
#
# Environment: SAMPLE_MB (size of the sample image's data, default 256), KEEP=1.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

[ "$(id -u)" -eq 0 ] || { echo "quickstart: run as root (dockerd, FUSE, overlayfs)" >&2; exit 1; }
scripts/install-deps.sh
if [ ! -f plugin/target/cvmfs-thin.jar ] || [ -n "${REBUILD:-}" ]; then
  echo "quickstart: building (mvn -B -q package -DskipTests)"
  mvn -B -q package -DskipTests
fi

work=$(mktemp -d /tmp/cvmfs-thin-quickstart.XXXXXX)
chmod 755 "$work"
. "$top/scripts/lib.sh"
fqrn=thin.quickstart.local
sample_mb=${SAMPLE_MB:-256}
pids=()

say() { printf '\n== %s\n' "$*"; }
d() { dk d "$@"; }

cleanup() {
  set +e
  dockerd_stop d
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  sleep 1
  unmount_below "$work"
  if [ -z "${KEEP:-}" ]; then rm -rf "$work"; else echo "quickstart: kept $work"; fi
}
trap cleanup EXIT

say "registry, stratum and keys in $work"
reg_port=$(free_port)
mkdir -p "$work/registry"
cat >"$work/registry/config.yml" <<EOF
version: 0.1
log: {level: warn}
storage: {filesystem: {rootdirectory: $work/registry/storage}}
http: {addr: 127.0.0.1:$reg_port}
EOF
docker-registry serve "$work/registry/config.yml" >"$work/registry/registry.log" 2>&1 &
pids+=($!)
registry=127.0.0.1:$reg_port
wait_for 30 curl -fsS "http://$registry/v2/"

cli repo create --storage "$work/stratum" --keys "$work/keys" "$fqrn"
web_port=$(free_port)
cat >"$work/nginx.conf" <<EOF
daemon off;
user root;
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 256; }
http {
  log_format objects '\$request_uri \$status \$body_bytes_sent';
  access_log $work/stratum-access.log objects;
  server {
    listen 127.0.0.1:$web_port;
    location /cvmfs/ { alias $work/stratum/; }
  }
}
EOF
nginx -c "$work/nginx.conf" &
pids+=($!)
stratum="http://127.0.0.1:$web_port/cvmfs/$fqrn"
wait_for 30 curl -fsS "$stratum/.cvmfspublished"
echo "stratum: $stratum   registry: $registry"

say "a sample image of ${sample_mb} MB: busybox plus data files, built by a private dockerd (overlay2)"
dockerd_start d overlay2
busybox_rootfs "$work/img/rootfs"
mkdir -p "$work/img/rootfs/data"
echo "the one file this task reads" >"$work/img/rootfs/data/needed.txt"
files=$(( sample_mb * 2 ))
for i in $(seq "$files"); do head -c 524288 /dev/urandom >"$work/img/rootfs/data/blob-$i.bin"; done
tar -C "$work/img/rootfs" -c . | d import -c 'CMD ["/bin/sh"]' - "$registry/demo/app:1" >/dev/null
d push -q "$registry/demo/app:1" >/dev/null
echo "pushed $registry/demo/app:1"

say "convert: layers published into $fqrn, thin image pushed"
cli convert "$registry/demo/app:1" --storage "$work/stratum" --keys "$work/keys" --fqrn "$fqrn"
thin="$registry/demo/app_thin:1"

say "the plugin: built (plugin/make-plugin-dir.sh), created, configured, enabled"
mkdir -p "$work/etc-cvmfs/keys" "$work/etc-cvmfs/config.d"
cp "$work/keys/$fqrn.pub" "$work/etc-cvmfs/keys/"
printf 'CVMFS_SERVER_URL=http://127.0.0.1:%s/cvmfs/@fqrn@\nCVMFS_HTTP_PROXY=DIRECT\n' "$web_port" \
  >"$work/etc-cvmfs/config.d/$fqrn.conf"
plugin_install d "$work/etc-cvmfs"
echo "dockerd with the plugin ready in $dockerd_ready_ms ms: $(d info --format '{{.Driver}}')"

say "pull and run the thin image lazily"
: >"$work/stratum-access.log.mark"
before=$(wc -l <"$work/stratum-access.log")
t0=$(date +%s%N)
d pull -q "$thin" >/dev/null
d run --rm --network none "$thin" sh -c 'cat /data/needed.txt; date +"task started %T"'
ms=$(( ($(date +%s%N) - t0) / 1000000 ))

say "what moved"
thin_bytes=$(d image inspect --format '{{.Size}}' "$thin")
tail -n +"$((before + 1))" "$work/stratum-access.log" | awk -v img="$sample_mb" '
  $2 == 200 { n++; bytes += $3; if ($1 ~ /\/data\//) { objs++; objbytes += $3 } }
  END {
    printf "stratum: %d requests, %.1f KB (%d data objects, %.1f KB)\n", n, bytes/1024, objs, objbytes/1024
    printf "image data: %d MB; fetched from the stratum: %.3f%% of it\n", img, 100*bytes/(img*1048576)
  }'
echo "thin image as stored by dockerd: $thin_bytes bytes; pull + run: $ms ms"
