#!/usr/bin/env bash
# Benchmark (issue 8): time to first task and bytes moved, thin vs regular images, as the image
# grows. All on loopback, in a scratch directory, as root on Debian 12:
#
#   src/test/bench/run.sh [--quick] [--prefetch] OUTDIR
#
# Makes synthetic images (busybox sh as the task program, a fixed 1,000-file working set that the
# task reads, filler up to the image size), pushes each to a local registry and converts it into a
# thin image in a CVMFS repository served by nginx. Then, unshaped and shaped (10 ms per request,
# 100 Mbit/s, by Shaper.java in front of both the registry and the stratum), for every size and
# mode, one warm-up run, N cold runs (images removed, plugin cache cleared, page cache dropped) and
# N warm runs, each timed from the start of `docker pull` to the task's first timestamp (ttft) and
# to its last (total), with the bytes and requests nginx logged for the registry and the stratum.
#
# Modes: overlay2-regular  (a) a dockerd with the built-in overlay2 driver, the ordinary image
#        plugin-regular    (b) a dockerd with the cvmfs/thin plugin, the ordinary image
#        plugin-thin       (c) the same dockerd, the thin image, no prefetch list (every cold run
#                              starts without one: the lists the plugin records are deleted)
#        plugin-thin-prefetch (d) as (c), with a prefetch list recorded elsewhere: before the runs,
#                              one run of the thin image on a cache that is then thrown away records
#                              the list; it is published into the repository with `prefetch
#                              publish` and deleted from the plugin, so each cold run starts with an
#                              empty cache and no local list and finds the list in the repository,
#                              as a second host would. --prefetch adds this mode to the default set.
#                              Its runs come after those of every other mode (a published list is
#                              found by every run of the image), so they are not interleaved with
#                              them; the ratios still come from one run of this script.
#
# Writes OUTDIR/results.csv, OUTDIR/results.md (p50/p95 and thin ÷ regular ratios), OUTDIR/ttft.png, OUTDIR/total.png,
# OUTDIR/runs-detail.csv (pull time, registry and stratum apart) and OUTDIR/logs/. --quick: 0.1 and 0.5 GiB, N=2; default: 0.25, 1 and 4 GiB, N=5.
# Environment: SIZES ("0.1 0.5"), RUNS (N), SHAPED ("no yes"), MODES, KEEP=1 (keep the scratch
# directory), REBUILD=1 (rebuild the jar), INTERLEAVE=1 (run sizes and modes round-robin, each
# cold run followed by a warm one, so that a noisy machine's drift does not favour one size).
#
# Note: dropping the page cache (echo 3 > /proc/sys/vm/drop_caches) affects the whole machine.
set -euo pipefail
quick=; prefetch=
while :; do
  case "${1:-}" in
    --quick) quick=1; shift ;;
    --prefetch) prefetch=1; shift ;;
    *) break ;;
  esac
done
out=${1:?usage: src/test/bench/run.sh [--quick] [--prefetch] OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
if [ -n "$quick" ]; then sizes=${SIZES:-"0.1 0.5"}; runs=${RUNS:-2}
else sizes=${SIZES:-"0.25 1 4"}; runs=${RUNS:-5}; fi
shaped_states=${SHAPED:-"no yes"}
modes=${MODES:-"overlay2-regular plugin-regular plugin-thin${prefetch:+ plugin-thin-prefetch}"}
fqrn=bench.thin.local

# --- what it needs ------------------------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || { echo "bench: run as root (dockerd, FUSE, overlayfs, drop_caches)" >&2; exit 1; }
missing=()
for p in docker.io docker-registry nginx busybox-static gnuplot-nox curl fuse3 libfuse2 debootstrap; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "bench: missing Debian packages; install them with:" >&2
  echo "  apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
for c in java mvn; do command -v $c >/dev/null || { echo "bench: $c is missing (scripts/install-deps.sh)" >&2; exit 1; }; done
[ -e /dev/fuse ] || { echo "bench: /dev/fuse is missing" >&2; exit 1; }
if [ ! -f "$top/plugin/target/cvmfs-thin.jar" ] || [ -n "${REBUILD:-}" ]; then
  echo "bench: building (mvn -B -q package -DskipTests)"
  (cd "$top" && mvn -B -q package -DskipTests)
fi
# cli, free_port, wait_for, $jar and $docker_cli (the quick start's helpers)
source "$top/scripts/lib.sh"
# start_registry_and_stratum
source "$here/services.sh"

mkdir -p "$out/logs"
out=$(cd "$out" && pwd)
# A short scratch path: dockerd and containerd put Unix sockets under their exec-roots.
work=$(mktemp -d /tmp/cvb.XXXXXX)
chmod 755 "$work"
pids=()
da_pid=; dp_pid=

log() { printf '%s bench: %s\n' "$(date -u +%T)" "$*" | tee -a "$out/logs/bench.log" >&2; }
da() { DOCKER_HOST="unix://$work/da/docker.sock" DOCKER_BUILDKIT=0 "$docker_cli" "$@"; }
dp() { DOCKER_HOST="unix://$work/dp/docker.sock" DOCKER_BUILDKIT=0 "$docker_cli" "$@"; }

start_dockerd() { # name (da|dp), storage driver; sets <name>_pid
  local dir="$work/$1"
  mkdir -p "$dir"
  dockerd --experimental --data-root "$dir/root" --exec-root "$dir/exec" \
    -H "unix://$dir/docker.sock" --pidfile "$dir/docker.pid" \
    --bridge none --iptables=false --ip-masq=false --storage-driver "$2" \
    >>"$dir/dockerd.log" 2>&1 &
  printf -v "$1_pid" %s $!
  wait_for 120 "$1" version || { tail -n 30 "$dir/dockerd.log" >&2; exit 1; }
}

stop_dockerd() { # name
  local var="$1_pid" pid
  pid=${!var}
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  printf -v "$var" %s ""
}

cleanup() {
  set +e
  stop_dockerd dp
  stop_dockerd da
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
  done
  grep -F " $work" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
  for f in da/dockerd.log dp/dockerd.log registry.log nginx-error.log access.log shaper.log; do
    [ -f "$work/$f" ] && cp "$work/$f" "$out/logs/$(echo "$f" | tr / -)"
  done
  if [ -z "${KEEP:-}" ]; then rm -rf "$work"; else log "kept $work"; fi
}
trap cleanup EXIT

# --- services: registry and stratum behind nginx (access log), nginx behind the shaper ----------
log "sizes: $sizes GiB; runs: 1 warm-up + $runs cold + $runs warm; shaped: $shaped_states; scratch: $work"
reg_port=$(free_port); ngx_reg=$(free_port); ngx_str=$(free_port); sh_reg=$(free_port); sh_str=$(free_port)
start_registry_and_stratum "$work" "$fqrn" "$reg_port" "$ngx_reg" "$ngx_str"
echo "0 0" >"$work/shaper.mode"
java "$here/Shaper.java" "$work/shaper.mode" "$sh_reg:$ngx_reg" "$sh_str:$ngx_str" >"$work/shaper.log" 2>&1 &
pids+=($!)
registry=127.0.0.1:$sh_reg
wait_for 60 curl -fsS "http://$registry/v2/" || { echo "bench: registry not reachable" >&2; exit 1; }
wait_for 60 curl -fsS "http://127.0.0.1:$sh_str/cvmfs/$fqrn/.cvmfspublished" \
  || { echo "bench: stratum not reachable" >&2; exit 1; }
log "registry $registry (nginx :$ngx_reg, registry :$reg_port); stratum http://127.0.0.1:$sh_str/cvmfs/$fqrn (nginx :$ngx_str)"

# --- dockerds: (a) overlay2; (b, c) the plugin, bootstrapped as a user would --------------------
start_dockerd da overlay2
start_dockerd dp overlay2
log "plugin: make-plugin-dir, create, set, enable; dockerd restarted with cvmfs/thin"
DOCKER_HOST="unix://$work/dp/docker.sock" "$top/plugin/make-plugin-dir.sh" "$work/plugin-dir" >>"$out/logs/bench.log" 2>&1
mkdir -p "$work/etc-cvmfs/keys" "$work/etc-cvmfs/config.d"
cp "$work/keys/$fqrn.pub" "$work/etc-cvmfs/keys/"
cat >"$work/etc-cvmfs/config.d/$fqrn.conf" <<CONF
CVMFS_SERVER_URL=http://127.0.0.1:$sh_str/cvmfs/@fqrn@
CVMFS_HTTP_PROXY=DIRECT
CONF
dp plugin create cvmfs/thin "$work/plugin-dir" >/dev/null
dp plugin set cvmfs/thin "cvmfs-config.source=$work/etc-cvmfs"
dp plugin enable cvmfs/thin >/dev/null
plugin_id=$(dp plugin inspect --format '{{.Id}}' cvmfs/thin)
stop_dockerd dp
start_dockerd dp cvmfs/thin
plugin_state="$work/dp/root/plugins/$plugin_id/propagated-mount/.cvmfs-thin"
plugin_cache="$plugin_state/cache"

# --- images ---------------------------------------------------------------------------------------
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
  tar -C "$rootfs" -c . | da import -c 'CMD ["/bin/sh", "/bench/task.sh"]' - "$registry/bench/$name:1" >/dev/null
  da push -q "$registry/bench/$name:1" >/dev/null
  rm -rf "$rootfs"
  log "pushed $registry/bench/$name:1; converting"
  cli convert "$registry/bench/$name:1" --storage "$work/stratum" --keys "$work/keys" --fqrn "$fqrn" \
    >>"$out/logs/bench.log" 2>&1
done

# --- runs -----------------------------------------------------------------------------------------
cold_reset() { # daemon
  local d=$1 ids
  ids=$($d ps -aq); [ -z "$ids" ] || $d rm -f $ids >/dev/null
  ids=$($d images -q | sort -u); [ -z "$ids" ] || $d rmi -f $ids >/dev/null
  if [ "$d" = dp ]; then
    for _ in $(seq 50); do
      grep -F " $work/dp/" /proc/self/mountinfo | grep -q fuse || break
      sleep 0.2
    done
    if grep -F " $work/dp/" /proc/self/mountinfo | grep -q fuse; then
      log "warning: a FUSE mount is still up after the images were removed; clearing the cache anyway"
    fi
    # A thin image's prefetch session ends, and a recording is saved, 5 s (the plugin's linger)
    # after its last container stopped: wait for that before the lists are removed.
    sleep 7
    rm -rf "${plugin_cache:?}"/*
    # No local prefetch list: plugin-thin runs without one; plugin-thin-prefetch finds the one
    # published in the repository (the plugin keeps a copy after it read it).
    rm -rf "${plugin_state:?}/prefetch"
  fi
  sync
  echo 3 >/proc/sys/vm/drop_caches
}

# --- prefetch lists recorded elsewhere (plugin-thin-prefetch) -----------------------------------
record_list() { # size: one run of the thin image records its list; publish it, drop the local copy
  local size=$1 ref list
  ref="$registry/bench/$(tag_of "$size")_thin:1"
  cold_reset dp
  dp pull -q "$ref" >/dev/null
  dp run --rm --network none "$ref" >/dev/null
  # The plugin saves a list when the image's last container stopped (after a short linger).
  for _ in $(seq 150); do
    list=$(ls "$plugin_state/prefetch" 2>/dev/null | grep -E '^[0-9a-f]{64}$' | head -n 1 || true)
    [ -n "$list" ] && break
    sleep 0.2
  done
  if [ -z "$list" ]; then log "no prefetch list recorded for ${size} GiB"; return 1; fi
  log "${size} GiB: recorded $(grep -vc '^#' "$plugin_state/prefetch/$list") files as $list; publishing"
  cli prefetch publish --storage "$work/stratum" --keys "$work/keys" "$fqrn" \
    "$plugin_state/prefetch/$list" >>"$out/logs/bench.log" 2>&1
  dp rmi -f "$ref" >/dev/null
}
csv="$out/results.csv"
echo "mode,size_gib,state,run,ttft_s,total_s,bytes,requests,shaped" >"$csv"
# The same runs with the time docker pull returned and the registry/stratum split.
details="$out/runs-detail.csv"
echo "mode,size_gib,state,run,shaped,pull_s,ttft_s,total_s,registry_bytes,registry_requests,stratum_bytes,stratum_requests" >"$details"

run_one() { # mode size state run shaped
  local mode=$1 size=$2 state=$3 run=$4 shaped=$5 d ref before t0 output ts
  case $mode in
    overlay2-regular) d=da; ref="$registry/bench/$(tag_of "$size"):1" ;;
    plugin-regular) d=dp; ref="$registry/bench/$(tag_of "$size"):1" ;;
    plugin-thin|plugin-thin-prefetch) d=dp; ref="$registry/bench/$(tag_of "$size")_thin:1" ;;
  esac
  [ "$state" = warm ] || cold_reset "$d"
  before=$(wc -l <"$work/access.log")
  t0=$(date +%s.%N)
  if ! output=$($d pull -q "$ref" 2>&1 >/dev/null && date +pulled%s.%N && $d run --rm --network none "$ref" 2>&1); then
    log "FAILED $mode $size $state $run shaped=$shaped: $(echo "$output" | tail -n 3 | tr '\n' ' ')"
    echo "$mode,$size,$state,$run,NA,NA,NA,NA,$shaped" >>"$csv"
    return 0
  fi
  ts=$(echo "$output" | awk -v t0="$t0" '
    /^pulled/ { pulled = substr($0, 7) - t0 }
    /^start/ { w = "s" } /^end/ { w = "e" }
    /tv_sec/ { sec[w] = $2 } /tv_usec/ { usec[w] = $2 }
    END { printf "%.3f,%.3f %.3f", sec["s"] + usec["s"] / 1e6 - t0, sec["e"] + usec["e"] / 1e6 - t0, pulled }')
  traffic=$(tail -n +"$((before + 1))" "$work/access.log" | awk -v r="$ngx_reg" -v s="$ngx_str" '
    { n++; b += $3; if ($1 == r) { rb += $3; rn++ } else { sb += $3; sn++ } }
    END { printf "%.0f,%d %.0f,%d,%.0f,%d", b, n, rb, rn, sb, sn }')
  if [ "$run" != 0 ]; then
    echo "$mode,$size,$state,$run,${ts%% *},${traffic%% *},$shaped" >>"$csv"
    echo "$mode,$size,$state,$run,$shaped,${ts#* },${ts%% *},${traffic#* }" >>"$details"
  fi
  log "$mode ${size}GiB $state run $run shaped=$shaped: ttft,total=${ts%% *} s (pull ${ts#* } s); bytes,requests=${traffic%% *} (registry B,req,stratum B,req: ${traffic#* })"
}

measure() { # modes: every shaping state, size and mode of them
  for shaped in $shaped_states; do
    if [ "$shaped" = yes ]; then echo "10 100" >"$work/shaper.mode"; else echo "0 0" >"$work/shaper.mode"; fi
    sleep 1
    if [ -n "${INTERLEAVE:-}" ]; then
      # Round-robin over sizes and modes, each cold run followed by a warm one: slow drifts of
      # the machine's load spread over all of them instead of landing on one size.
      for size in $sizes; do for mode in $1; do run_one "$mode" "$size" cold 0 "$shaped"; done; done
      for r in $(seq "$runs"); do
        for size in $sizes; do
          for mode in $1; do
            run_one "$mode" "$size" cold "$r" "$shaped"
            run_one "$mode" "$size" warm "$r" "$shaped"
          done
        done
      done
    else
      for size in $sizes; do
        for mode in $1; do
          run_one "$mode" "$size" cold 0 "$shaped" # the warm-up, not recorded
          for r in $(seq "$runs"); do run_one "$mode" "$size" cold "$r" "$shaped"; done
          for r in $(seq "$runs"); do run_one "$mode" "$size" warm "$r" "$shaped"; done
        done
      done
    fi
  done
}

# A published list is found by every run of its image, so the runs without a list come first;
# then the lists are recorded and published, and the runs with a list follow.
no_list_modes=$(echo " $modes " | sed 's/ plugin-thin-prefetch / /' | xargs)
[ -z "$no_list_modes" ] || measure "$no_list_modes"
if [[ " $modes " == *" plugin-thin-prefetch "* ]]; then
  echo "0 0" >"$work/shaper.mode"
  for size in $sizes; do record_list "$size"; done
  measure plugin-thin-prefetch
fi

# --- report ---------------------------------------------------------------------------------------
java "$here/Report.java" "$out"
(cd "$out" && gnuplot ttft.gp && gnuplot total.gp) || log "gnuplot failed; the .dat and .gp files are in $out"
log "wrote $out/results.csv, $out/results.md, $out/ttft.png, $out/total.png"
