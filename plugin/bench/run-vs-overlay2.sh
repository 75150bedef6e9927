#!/usr/bin/env bash
# Benchmark: the plugin as storage driver beside Docker's built-in overlay2, measured in one run
# on this machine: dockerd start until its API answers, and `docker run --rm` of an ordinary
# (busybox) image. Interleaved runs; medians and the plugin ÷ overlay2 ratio.
#
#   plugin/bench/run-vs-overlay2.sh        (as root; RUNS=10 restarts=3 by default)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
runs=${RUNS:-10}
restarts=${RESTARTS:-3}
[ -f "$top/plugin/target/cvmfs-thin.jar" ] || (cd "$top" && mvn -B -q package -DskipTests)
work=$(mktemp -d /tmp/cvmfs-thin-bench.XXXXXX)
. "$top/scripts/lib.sh"
cleanup() {
  set +e
  dockerd_stop ov
  dockerd_stop pl
  unmount_below "$work"
  rm -rf "$work"
}
trap cleanup EXIT

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

dockerd_start ov overlay2
dockerd_start pl overlay2
plugin_install pl "$work/etc-cvmfs"
busybox_rootfs "$work/rootfs"
tar -C "$work/rootfs" -cf "$work/base.tar" .
dk ov import "$work/base.tar" bench/base:1 >/dev/null
dk pl import "$work/base.tar" bench/base:1 >/dev/null

ready_ov=() ready_pl=()
for _ in $(seq "$restarts"); do
  dockerd_stop ov; dockerd_start ov overlay2; ready_ov+=("$dockerd_ready_ms")
  dockerd_stop pl; dockerd_start pl cvmfs/thin; ready_pl+=("$dockerd_ready_ms")
done

run_ov=() run_pl=()
dk ov run --rm --network none bench/base:1 true; dk pl run --rm --network none bench/base:1 true
for _ in $(seq "$runs"); do
  t=$(now_ms); dk ov run --rm --network none bench/base:1 true; run_ov+=($(( $(now_ms) - t )))
  t=$(now_ms); dk pl run --rm --network none bench/base:1 true; run_pl+=($(( $(now_ms) - t )))
done

r_ov=$(printf '%s\n' "${ready_ov[@]}" | median); r_pl=$(printf '%s\n' "${ready_pl[@]}" | median)
d_ov=$(printf '%s\n' "${run_ov[@]}" | median); d_pl=$(printf '%s\n' "${run_pl[@]}" | median)
printf '\n| measure (median, ms) | overlay2 | plugin | plugin / overlay2 |\n|---|---|---|---|\n'
printf '| dockerd start until ready (%d starts) | %s | %s | %.2f |\n' "$restarts" "$r_ov" "$r_pl" "$(echo "$r_pl $r_ov" | awk '{print $1/$2}')"
printf '| docker run --rm busybox true (%d runs) | %s | %s | %.2f |\n' "$runs" "$d_ov" "$d_pl" "$(echo "$d_pl $d_ov" | awk '{print $1/$2}')"
