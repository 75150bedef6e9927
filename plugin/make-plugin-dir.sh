#!/usr/bin/env bash
# Writes OUTDIR/config.json and OUTDIR/rootfs/, ready for `docker plugin create NAME OUTDIR`.
#
# Uses the dockerd that DOCKER_HOST names (it must run with a built-in storage driver, e.g. the
# first start of a daemon that will later use the plugin). Needs no registry: the Dockerfile's
# build stage starts from a Debian image with a JDK that is made here with debootstrap from the
# machine's Debian mirror and cached; its final stage starts from `scratch`.
#
#   plugin/make-plugin-dir.sh OUTDIR
#
# The root file system is cached too, under the sha256 of the jar and the Dockerfile, so the tests
# of one build make it once (CVMFS_THIN_REBUILD=1 makes it anew).
#
# Environment: DOCKER (docker CLI, default: /usr/bin/docker if present), CVMFS_THIN_CACHE (where
# the base and root file system tarballs are kept, default /var/cache/cvmfs-thin), DEBIAN_MIRROR
# (default: the first bookworm URI in /etc/apt sources).
set -euo pipefail

out=${1:?usage: plugin/make-plugin-dir.sh OUTDIR}
top=$(cd "$(dirname "$0")/.." && pwd)
docker=${DOCKER:-$( [ -x /usr/bin/docker ] && echo /usr/bin/docker || command -v docker )}
cache=${CVMFS_THIN_CACHE:-/var/cache/cvmfs-thin}
base=cvmfs-thin/plugin-build:bookworm
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

key=$(cat "$jar" "$top/Dockerfile" | sha256sum | cut -c1-16)
rootfs_tar="$cache/plugin-rootfs-$key.tar"

# 1. The build stage's base: bookworm minbase with a JDK (jdeps, jlink, jmods) and libfuse2, made
#    once and cached.
base_image() {
  if "$docker" image inspect "$base" >/dev/null 2>&1; then return; fi
  local tarball="$cache/plugin-build-bookworm.tar"
  if [ ! -s "$tarball" ]; then
    command -v debootstrap >/dev/null || { echo "make-plugin-dir: debootstrap is not installed" >&2; exit 1; }
    mkdir -p "$cache"
    work=$(mktemp -d "$cache/rootfs.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    echo "make-plugin-dir: debootstrap of the plugin's build base (once; cached in $tarball)"
    debootstrap --variant=minbase --include=openjdk-17-jdk-headless,libfuse2 \
      bookworm "$work/rootfs" "$(debian_mirror)" >"$work/debootstrap.log" 2>&1 \
      || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
    rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
    tar -C "$work/rootfs" -cf "$tarball.tmp.$$" . && mv "$tarball.tmp.$$" "$tarball"
    rm -rf "$work"; trap - EXIT
  fi
  "$docker" import "$tarball" "$base" >/dev/null
}

# 2. The plugin image, built from the Dockerfile with the jar (legacy builder: no BuildKit here),
#    and its file system as a tarball.
if [ "${CVMFS_THIN_REBUILD:-0}" = 1 ] || [ ! -s "$rootfs_tar" ]; then
  base_image
  image=cvmfs-thin/plugin-rootfs:build
  DOCKER_BUILDKIT=0 "$docker" build -q --network none -t "$image" -f "$top/Dockerfile" "$top" >/dev/null
  mkdir -p "$cache"
  cid=$("$docker" create "$image")
  trap '"$docker" rm -f "$cid" >/dev/null 2>&1 || true' EXIT
  "$docker" export "$cid" >"$rootfs_tar.tmp.$$"
  mv "$rootfs_tar.tmp.$$" "$rootfs_tar"
  # root file systems of older jars go after a day
  find "$cache" -maxdepth 1 -name 'plugin-rootfs-*.tar' -mmin +1440 -delete 2>/dev/null || true
fi

# 3. The plugin directory: that file system as rootfs/, plus config.json.
mkdir -p "$out"
rm -rf "$out/rootfs"
mkdir -p "$out/rootfs"
tar -C "$out/rootfs" -xf "$rootfs_tar"
cp "$top/config.json" "$out/config.json"
echo "make-plugin-dir: wrote $out/config.json and $out/rootfs ($(du -sh "$out/rootfs" | cut -f1))"
