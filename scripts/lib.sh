# Shell helpers shared by the quick start and the benchmark scripts: free loopback ports, a
# private dockerd with its own data-root, exec-root and socket, the plugin installed into it.
# Source it; callers set $work (a scratch directory) first. Everything started here is stopped
# by pid by the caller's cleanup.

docker_cli=$( [ -x /usr/bin/docker ] && echo /usr/bin/docker || command -v docker )
top=${top:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
jar="$top/plugin/target/cvmfs-thin.jar"

cli() { java -jar "$jar" "$@"; }

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 20000))
    (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

wait_for() { # seconds, command...
  local n=$(( $1 * 5 )); shift
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# dockerd_start NAME STORAGE_DRIVER: a private dockerd under $work/NAME; `dk NAME ...` talks to it.
# Sets dockerd_ready_ms to the time from start until its API answered.
dockerd_start() {
  local name=$1 driver=$2 dir=$work/$1 t0
  mkdir -p "$dir"
  t0=$(now_ms)
  dockerd --experimental --data-root "$dir/root" --exec-root "$dir/exec" \
    -H "unix://$dir/docker.sock" --pidfile "$dir/docker.pid" \
    --bridge none --iptables=false --ip-masq=false --storage-driver "$driver" \
    >>"$dir/dockerd.log" 2>&1 &
  wait_for 90 dk "$name" version || { tail -n 30 "$dir/dockerd.log" >&2; return 1; }
  dockerd_ready_ms=$(( $(now_ms) - t0 ))
}

dockerd_stop() {
  local pidfile=$work/$1/docker.pid pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

dk() { local name=$1; shift; DOCKER_HOST="unix://$work/$name/docker.sock" DOCKER_BUILDKIT=0 "$docker_cli" "$@"; }

# plugin_install NAME ETC_CVMFS: builds the plugin directory with dockerd NAME (running on a
# built-in driver), creates and enables cvmfs/thin with ETC_CVMFS as its /etc/cvmfs, then
# restarts dockerd NAME with the plugin as storage driver.
plugin_install() {
  local name=$1 etc=$2
  DOCKER_HOST="unix://$work/$name/docker.sock" "$top/plugin/make-plugin-dir.sh" "$work/plugin-dir" >/dev/null
  mkdir -p "$etc/keys" "$etc/config.d"
  dk "$name" plugin create cvmfs/thin "$work/plugin-dir" >/dev/null
  dk "$name" plugin set cvmfs/thin "cvmfs-config.source=$etc"
  dk "$name" plugin enable cvmfs/thin >/dev/null
  dockerd_stop "$name"
  dockerd_start "$name" cvmfs/thin
}

# busybox_rootfs DIR: a minimal root file system from Debian's busybox-static.
busybox_rootfs() {
  mkdir -p "$1/bin" "$1/etc" "$1/tmp"
  cp /bin/busybox "$1/bin/"
  local a
  for a in sh cat ls date echo wc sha256sum head true sleep find xargs; do ln -sf busybox "$1/bin/$a"; done
  echo 'root:x:0:0:root:/:/bin/sh' >"$1/etc/passwd"
}

unmount_below() {
  grep -F " $1" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
}
