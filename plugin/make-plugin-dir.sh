#!/usr/bin/env bash
# Writes OUTDIR/config.json and OUTDIR/rootfs/, ready for `docker plugin create NAME OUTDIR`.
#
# Uses the dockerd that DOCKER_HOST names (it must run with a built-in storage driver, e.g. the
# first start of a daemon that will later use the plugin). Needs no registry: the Dockerfile's
# base image is made here with debootstrap from the machine's Debian mirror and cached.
#
#   plugin/make-plugin-dir.sh OUTDIR
#
# Environment: DOCKER (docker CLI, default: /usr/bin/docker if present), CVMFS_THIN_CACHE (where
# the base rootfs tarball is kept, default /var/cache/cvmfs-thin), DEBIAN_MIRROR (default: the
# first bookworm URI in /etc/apt sources).
set -euo pipefail

out=${1:?usage: plugin/make-plugin-dir.sh OUTDIR}
top=$(cd "$(dirname "$0")/.." && pwd)
docker=${DOCKER:-$( [ -x /usr/bin/docker ] && echo /usr/bin/docker || command -v docker )}
cache=${CVMFS_THIN_CACHE:-/var/cache/cvmfs-thin}
base=cvmfs-thin/plugin-base:bookworm
jar="$top/plugin/target/cvmfs-thin.jar"

[ -f "$jar" ] || { echo "make-plugin-dir: $jar is missing; run 'mvn -B package -DskipTests' first" >&2; exit 1; }

debian_mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
  local uri
  uri=$(grep -hE '^\s*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
  [ -n "$uri" ] || uri=$(grep -hE '^\s*deb\s' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
  [ -n "$uri" ] || { echo "make-plugin-dir: no Debian mirror found; set DEBIAN_MIRROR" >&2; exit 1; }
  echo "$uri"
}

# 1. The base image: bookworm minbase with a Java runtime and libfuse2, made once and cached.
if ! "$docker" image inspect "$base" >/dev/null 2>&1; then
  tarball="$cache/plugin-base-bookworm.tar"
  if [ ! -s "$tarball" ]; then
    command -v debootstrap >/dev/null || { echo "make-plugin-dir: debootstrap is not installed" >&2; exit 1; }
    mkdir -p "$cache"
    work=$(mktemp -d "$cache/rootfs.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    echo "make-plugin-dir: debootstrap of the plugin base (once; cached in $tarball)"
    debootstrap --variant=minbase --include=openjdk-17-jre-headless,libfuse2 \
      bookworm "$work/rootfs" "$(debian_mirror)" >"$work/debootstrap.log" 2>&1 \
      || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
    rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
    mkdir -p "$work/rootfs/data" "$work/rootfs/run/docker/plugins" "$work/rootfs/etc/cvmfs"
    tar -C "$work/rootfs" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$work"; trap - EXIT
  fi
  "$docker" import "$tarball" "$base" >/dev/null
fi

# 2. The plugin image, built from the Dockerfile with the jar (legacy builder: no BuildKit here).
image=cvmfs-thin/plugin-rootfs:build
DOCKER_BUILDKIT=0 "$docker" build -q --network none -t "$image" -f "$top/Dockerfile" "$top" >/dev/null

# 3. Its file system as the plugin rootfs, plus config.json.
mkdir -p "$out"
rm -rf "$out/rootfs"
mkdir -p "$out/rootfs"
cid=$("$docker" create "$image")
trap '"$docker" rm -f "$cid" >/dev/null 2>&1 || true' EXIT
"$docker" export "$cid" | tar -C "$out/rootfs" -x
cp "$top/config.json" "$out/config.json"
echo "make-plugin-dir: wrote $out/config.json and $out/rootfs ($(du -sh "$out/rootfs" | cut -f1))"
