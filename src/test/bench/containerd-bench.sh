#!/usr/bin/env bash
# Benchmark (issue 14): time to first task and bytes moved under containerd, our snapshotter's
# three paths beside containerd's built-in overlayfs snapshotter, on the same synthetic image,
# cold, unshaped, all on loopback, in a scratch directory, as root on Debian 12:
#
#   src/test/bench/containerd-bench.sh OUTDIR
#
# Starts, in a scratch directory, a registry behind nginx, a CVMFS stratum served by nginx (its
# access log gives the bytes of both), our snapshotter (`java -jar plugin/target/cvmfs-thin.jar
# snapshotter --layer-repository FQRN`) and Debian's containerd 1.6 with its own root, state and
# socket, the CRI plugin on (snapshotter cvmfs-thin, disable_snapshot_annotations = false) and the
# snapshotter declared as [proxy_plugins.cvmfs-thin]. Makes the synthetic image with GenImage.java
# (busybox sh as the task program, a fixed 1,000-file working set the task reads, filler up to the
# size), pushes it with a private dockerd (stopped before the runs) and converts it with
# `cvmfs-thin convert` (its layers published by digest into the repository, plus its thin image).
#
# Modes: overlayfs      (a) `ctr image pull --snapshotter overlayfs`, the ordinary image (baseline)
#        snap-download  (b) `ctr image pull --snapshotter cvmfs-thin`, the ordinary image: ctr sends
#                           no snapshot labels, so every layer is downloaded and unpacked by us
#        snap-remote    (c) `cvmfs-thin pull --containerd-socket`, the ordinary image, through the
#                           CRI image service: each layer's Prepare carries its digest, the
#                           snapshotter finds it in the repository and commits a remote snapshot
#        snap-thin      (d) `ctr image pull --snapshotter cvmfs-thin`, the converter's thin image
# Each run is timed from the start of the pull to the task's first timestamp (ttft) and to its
# last (total, after reading the working set), then `ctr run --rm --snapshotter X IMAGE ID` with
# the image's command. Before every run (cold): images removed in every namespace (with containerd's
# garbage collection waited for), the snapshotter stopped, its cache deleted and started again,
# the page cache dropped. Modes run round-robin (run 0 of each is a warm-up, not recorded), so a
# drift of the machine's load spreads over all of them.
#
# Writes OUTDIR/results.csv (every run), OUTDIR/results.md (medians, ratios ÷ overlayfs measured in
# this run, the machine's load) and OUTDIR/logs/. Environment: SIZES (GiB, default "0.25"), RUNS
# (N, default 3), MODES (default all four), KEEP=1 (keep the scratch directory), REBUILD=1.
#
# Note: dropping the page cache (echo 3 > /proc/sys/vm/drop_caches) affects the whole machine.
set -euo pipefail
out=${1:?usage: src/test/bench/containerd-bench.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
sizes=${SIZES:-"0.25"}
runs=${RUNS:-3}
modes=${MODES:-"overlayfs snap-download snap-remote snap-thin"}
fqrn=bench.thin.local
snap=cvmfs-thin

# --- what it needs ------------------------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || { echo "bench: run as root (containerd, FUSE, overlayfs, drop_caches)" >&2; exit 1; }
for c in containerd ctr runc dockerd docker-registry nginx java curl; do
  command -v $c >/dev/null || { echo "bench: $c is missing" >&2; exit 1; }
done
[ -x /bin/busybox ] || { echo "bench: /bin/busybox is missing (apt-get install busybox-static)" >&2; exit 1; }
[ -e /dev/fuse ] || { echo "bench: /dev/fuse is missing" >&2; exit 1; }
if [ ! -f "$top/plugin/target/cvmfs-thin.jar" ] || [ -n "${REBUILD:-}" ]; then
  echo "bench: building (mvn -B -q package -DskipTests)"
  (cd "$top" && mvn -B -q package -DskipTests)
fi
# cli, free_port, wait_for, dockerd_start/dockerd_stop/dk, unmount_below
source "$top/scripts/lib.sh"
# start_registry_and_stratum
source "$here/services.sh"

mkdir -p "$out/logs"
out=$(cd "$out" && pwd)
# A short scratch path: containerd puts Unix sockets under its state directory.
work=$(mktemp -d /tmp/ccb.XXXXXX)
chmod 755 "$work"
pids=()
ctd_pid=; snap_pid=

log() { printf '%s bench: %s\n' "$(date -u +%T)" "$*" | tee -a "$out/logs/bench.log" >&2; }
c() { ctr --address "$work/ctd/containerd.sock" "$@"; }

stop_pid() { # pid
  [ -n "$1" ] || return 0
  kill "$1" 2>/dev/null || true
  for _ in $(seq 150); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.2; done
  kill -9 "$1" 2>/dev/null || true
}

start_snapshotter() {
  java -jar "$jar" snapshotter --root "$work/snap/root" --address "$work/snap/snap.sock" \
    --cvmfs-config "$work/etc-cvmfs" --layer-repository "$fqrn" >>"$work/snap/snapshotter.log" 2>&1 &
  snap_pid=$!
  wait_for 60 test -S "$work/snap/snap.sock" || { tail -n 30 "$work/snap/snapshotter.log" >&2; exit 1; }
}

# containerd dials a proxy plugin lazily (and redials with a backoff after a restart): a Prepare
# and a Remove of a probe snapshot through containerd prove the connection.
probe_n=0
snap_reachable() {
  probe_n=$((probe_n + 1))
  c -n bench snapshots --snapshotter "$snap" prepare "probe-$probe_n" "" >/dev/null 2>&1 || return 1
  c -n bench snapshots --snapshotter "$snap" rm "probe-$probe_n" >/dev/null 2>&1
}

stop_snapshotter() {
  stop_pid "$snap_pid"; snap_pid=
  unmount_below "$work/snap/root" || true
}

cleanup() {
  set +e
  stop_pid "$ctd_pid"
  stop_snapshotter
  dockerd_stop builder
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
  done
  unmount_below "$work"
  for f in ctd/containerd.log snap/snapshotter.log registry.log nginx-error.log access.log builder/dockerd.log; do
    [ -f "$work/$f" ] && cp "$work/$f" "$out/logs/$(echo "$f" | tr / -)"
  done
  if [ -z "${KEEP:-}" ]; then rm -rf "$work"; else log "kept $work"; fi
}
trap cleanup EXIT

# --- services: registry and stratum behind nginx (access log) ------------------------------------
log "sizes: $sizes GiB; modes: $modes; runs: 1 warm-up + $runs cold each; scratch: $work"
reg_port=$(free_port); ngx_reg=$(free_port); ngx_str=$(free_port)
start_registry_and_stratum "$work" "$fqrn" "$reg_port" "$ngx_reg" "$ngx_str"
registry=127.0.0.1:$ngx_reg
wait_for 60 curl -fsS "http://$registry/v2/" || { echo "bench: registry not reachable" >&2; exit 1; }
wait_for 60 curl -fsS "http://127.0.0.1:$ngx_str/cvmfs/$fqrn/.cvmfspublished" \
  || { echo "bench: stratum not reachable" >&2; exit 1; }
log "registry $registry (registry :$reg_port); stratum http://127.0.0.1:$ngx_str/cvmfs/$fqrn"

# --- images: built and pushed by a private dockerd, converted ------------------------------------
dockerd_start builder overlay2
tag_of() { echo "img-${1/./_}"; }
for size in $sizes; do
  name=$(tag_of "$size")
  rootfs="$work/rootfs-$name"
  mkdir -p "$rootfs/bin" "$rootfs/etc"
  cp /bin/busybox "$rootfs/bin/"
  for a in sh cat xargs grep adjtimex; do ln -sf busybox "$rootfs/bin/$a"; done
  echo 'root:x:0:0:root:/:/bin/sh' >"$rootfs/etc/passwd"
  java "$here/GenImage.java" "$rootfs" "$size" | tee -a "$out/logs/bench.log"
  cat >"$rootfs/bench/task.sh" <<'TASK'
#!/bin/sh
# The task: a timestamp as soon as it starts, then reads the working set, then a timestamp.
echo start; adjtimex | grep tv_
xargs cat </bench/workset.list >/dev/null
echo end; adjtimex | grep tv_
TASK
  tar -C "$rootfs" -c . | dk builder import -c 'CMD ["/bin/sh", "/bench/task.sh"]' - "$registry/bench/$name:1" >/dev/null
  dk builder push -q "$registry/bench/$name:1" >/dev/null
  rm -rf "$rootfs"
  log "pushed $registry/bench/$name:1; converting (layers by digest + thin image)"
  cli convert "$registry/bench/$name:1" --storage "$work/stratum" --keys "$work/keys" --fqrn "$fqrn" \
    >>"$out/logs/bench.log" 2>&1
done
dockerd_stop builder
unmount_below "$work/builder" || true

# --- snapshotter and containerd --------------------------------------------------------------------
mkdir -p "$work/etc-cvmfs/keys" "$work/etc-cvmfs/config.d" "$work/snap"
cp "$work/keys/$fqrn.pub" "$work/etc-cvmfs/keys/"
cat >"$work/etc-cvmfs/config.d/$fqrn.conf" <<CONF
CVMFS_SERVER_URL=http://127.0.0.1:$ngx_str/cvmfs/@fqrn@
CVMFS_HTTP_PROXY=DIRECT
CONF
start_snapshotter

mkdir -p "$work/ctd/root" "$work/ctd/state" "$work/ctd/opt" "$work/ctd/cni/bin" "$work/ctd/cni/conf" \
  "$work/ctd/certs.d/$registry"
cat >"$work/ctd/certs.d/$registry/hosts.toml" <<TOML
server = "http://$registry"
[host."http://$registry"]
  capabilities = ["pull", "resolve"]
TOML
cat >"$work/ctd/config.toml" <<TOML
version = 2
root = "$work/ctd/root"
state = "$work/ctd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$work/ctd/containerd.sock"
[ttrpc]
  address = "$work/ctd/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$work/ctd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$work/ctd/cni/bin"
    conf_dir = "$work/ctd/cni/conf"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "$snap"
    disable_snapshot_annotations = false
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$work/ctd/certs.d"
[proxy_plugins.$snap]
  type = "snapshot"
  address = "$work/snap/snap.sock"
TOML
containerd --config "$work/ctd/config.toml" >>"$work/ctd/containerd.log" 2>&1 </dev/null &
ctd_pid=$!
wait_for 60 c version || { tail -n 30 "$work/ctd/containerd.log" >&2; exit 1; }
wait_for 60 snap_reachable || { echo "bench: containerd does not reach the snapshotter" >&2; exit 1; }
log "containerd $(c version | awk '/Version/ {print $2; exit}') with the CRI plugin and proxy snapshotter $snap"

# --- runs -----------------------------------------------------------------------------------------
cold_reset() {
  local ns refs
  for ns in bench k8s.io; do
    refs=$(c -n "$ns" images ls -q 2>/dev/null || true)
    [ -z "$refs" ] || c -n "$ns" images rm --sync $refs >/dev/null
  done
  for ns in bench k8s.io; do
    if [ -n "$(c -n "$ns" snapshots --snapshotter "$snap" ls 2>/dev/null | tail -n +2)" ] \
      || [ -n "$(c -n "$ns" snapshots --snapshotter overlayfs ls 2>/dev/null | tail -n +2)" ] \
      || [ -n "$(c -n "$ns" content ls -q 2>/dev/null)" ]; then
      log "warning: namespace $ns still holds snapshots or content after the images were removed"
    fi
  done
  stop_snapshotter
  rm -rf "$work/snap/root/cache"
  start_snapshotter
  wait_for 60 snap_reachable || { echo "bench: containerd does not reach the snapshotter" >&2; exit 1; }
  sync
  echo 3 >/proc/sys/vm/drop_caches
}

csv="$out/results.csv"
# client_s (snap-remote): from the start until containerd logged the CRI PullImage, i.e. the
# `cvmfs-thin pull` JVM starting (on a dropped page cache); kubelet, already running, has none.
echo "mode,size_gib,run,pull_s,ttft_s,total_s,registry_bytes,registry_requests,stratum_bytes,stratum_requests,client_s" >"$csv"

run_one() { # mode size run
  local mode=$1 size=$2 run=$3 ref ns=bench sn=$snap before t0 output ts traffic pull
  ref="$registry/bench/$(tag_of "$size"):1"
  case $mode in
    overlayfs) sn=overlayfs; pull=(c -n bench images pull --plain-http --snapshotter overlayfs "$ref") ;;
    snap-download) pull=(c -n bench images pull --plain-http --snapshotter "$snap" "$ref") ;;
    snap-remote) ns=k8s.io; pull=(cli pull --containerd-socket "$work/ctd/containerd.sock" "$ref") ;;
    snap-thin) ref="$registry/bench/$(tag_of "$size")_thin:1"
      pull=(c -n bench images pull --plain-http --snapshotter "$snap" "$ref") ;;
    *) echo "bench: unknown mode $mode" >&2; exit 1 ;;
  esac
  cold_reset
  before=$(wc -l <"$work/access.log")
  ctd_before=$(wc -l <"$work/ctd/containerd.log")
  t0=$(date +%s.%N)
  if ! output=$("${pull[@]}" 2>&1 >/dev/null && date +pulled%s.%N \
      && c -n "$ns" run --rm --snapshotter "$sn" "$ref" "bench-$mode-$run" 2>&1); then
    log "FAILED $mode $size run $run: $(echo "$output" | tail -n 3 | tr '\n' ' ')"
    [ "$run" = 0 ] || echo "$mode,$size,$run,NA,NA,NA,NA,NA,NA,NA,NA" >>"$csv"
    return 0
  fi
  ts=$(echo "$output" | awk -v t0="$t0" '
    /^pulled/ { pulled = substr($0, 7) - t0 }
    /^start/ { w = "s" } /^end/ { w = "e" }
    /tv_sec/ { sec[w] = $2 } /tv_usec/ { usec[w] = $2 }
    END { printf "%.3f,%.3f,%.3f", pulled, sec["s"] + usec["s"] / 1e6 - t0, sec["e"] + usec["e"] / 1e6 - t0 }')
  traffic=$(tail -n +"$((before + 1))" "$work/access.log" | awk -v r="$ngx_reg" '
    { if ($1 == r) { rb += $3; rn++ } else { sb += $3; sn++ } }
    END { printf "%.0f,%d,%.0f,%d", rb, rn, sb, sn }')
  client=0
  if [ "$mode" = snap-remote ]; then
    client=$(tail -n +"$((ctd_before + 1))" "$work/ctd/containerd.log" \
      | grep -F 'msg="PullImage' | grep -v returns | head -n 1 | sed 's/^time="\([^"]*\)".*/\1/')
    [ -n "$client" ] || { log "warning: no PullImage in containerd's log"; client=$t0; }
    client=$(awk -v a="$(date -d "$client" +%s.%N)" -v t0="$t0" 'BEGIN { printf "%.3f", a - t0 }')
  fi
  [ "$run" = 0 ] || echo "$mode,$size,$run,$ts,$traffic,$client" >>"$csv"
  log "$mode ${size}GiB run $run: pull,ttft,total=$ts s; registry B,req,stratum B,req=$traffic; client start $client s"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# snap-remote's pull starts a JVM (the `pull` command): its start-up, measured here, is part of it.
jvm_s=$(for _ in 1 2 3; do t=$(date +%s.%N); cli --version >/dev/null; awk -v a="$(date +%s.%N)" -v b="$t" 'BEGIN { printf "%.2f\n", a - b }'; done \
  | sort -n | head -n 1)
for size in $sizes; do
  for r in $(seq 0 "$runs"); do
    for mode in $modes; do run_one "$mode" "$size" "$r"; done
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report ---------------------------------------------------------------------------------------
{
  echo "# containerd: overlayfs vs the cvmfs-thin snapshotter, cold, unshaped, loopback"
  echo
  echo "$(date -u +%F), containerd $(c version | awk '/Version/ {print $2; exit}'), $(nproc) cores," \
    "load average (1/5/15 min) $load_before before and $load_after after the runs;" \
    "$runs cold runs per mode after one warm-up, modes round-robin. Medians; bytes as nginx sent" \
    "them (registry + stratum). ttft: pull start to the task's first output; total: to its last" \
    "(working set read). snap-remote's pull time includes starting the \`cvmfs-thin pull\` JVM:" \
    "\`java -jar cvmfs-thin.jar --version\` takes ${jvm_s} s here (fastest of 3, warm);" \
    "client start: from the start until containerd logged the CRI PullImage (snap-remote only)."
  echo
  echo "| mode | GiB | runs | pull s | ttft s | total s | registry MB | registry req | stratum MB | stratum req | client start s | ttft ÷ overlayfs | (ttft − client start) ÷ overlayfs | total ÷ overlayfs | bytes ÷ overlayfs |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  for size in $sizes; do
    awk -F, -v size="$size" -v order="$modes" '
      function median(list,   a, n, i, j, t) {
        n = split(list, a, " ")
        for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
      }
      NR > 1 && $2 == size && $4 != "NA" {
        m = $1; n[m]++
        for (k = 4; k <= 11; k++) v[m, k] = v[m, k] " " $k
        v[m, 12] = v[m, 12] " " ($7 + $9)
        v[m, 13] = v[m, 13] " " ($5 - $11)
      }
      NR > 1 && $2 == size && $4 == "NA" { failed[$1]++ }
      END {
        nm = split(order, ms, " ")
        for (i = 1; i <= nm; i++) { m = ms[i]; for (k = 4; k <= 13; k++) med[m, k] = n[m] ? median(v[m, k]) : "" }
        for (i = 1; i <= nm; i++) {
          m = ms[i]
          if (!n[m]) { printf "| %s | %s | 0 (%d failed) | | | | | | | | | | | | |\n", m, size, failed[m]; continue }
          rt = med["overlayfs", 5] ? sprintf("%.2f", med[m, 5] / med["overlayfs", 5]) : "n/a"
          rT = med["overlayfs", 6] ? sprintf("%.2f", med[m, 6] / med["overlayfs", 6]) : "n/a"
          rb = med["overlayfs", 12] ? sprintf("%.3f", med[m, 12] / med["overlayfs", 12]) : "n/a"
          rc = med["overlayfs", 5] ? sprintf("%.2f", med[m, 13] / med["overlayfs", 5]) : "n/a"
          printf "| %s | %s | %d%s | %.2f | %.2f | %.2f | %.1f | %d | %.1f | %d | %.2f | %s | %s | %s | %s |\n",
            m, size, n[m], failed[m] ? " (" failed[m] " failed)" : "", med[m, 4], med[m, 5], med[m, 6],
            med[m, 7] / 1e6, med[m, 8], med[m, 9] / 1e6, med[m, 10], med[m, 11], rt, rc, rT, rb
        }
      }' "$csv"
  done
  echo
  echo "Modes: overlayfs = \`ctr image pull --snapshotter overlayfs\` (baseline); snap-download = \`ctr image"
  echo "pull --snapshotter cvmfs-thin\` (no labels: downloaded and unpacked by the snapshotter);"
  echo "snap-remote = \`cvmfs-thin pull --containerd-socket\` (CRI, labelled: layers taken from CVMFS by"
  echo "digest, files fetched on first read); snap-thin = the converter's thin image, \`ctr image pull"
  echo "--snapshotter cvmfs-thin\`. Every run: \`ctr run --rm --snapshotter X IMAGE ID\` with the image's command."
} >"$out/results.md"
cat "$out/results.md"
log "wrote $out/results.csv and $out/results.md"
