#!/usr/bin/env bash
# Installs what building, the quick start and the tests need on Debian 12, as root: a JDK and
# Maven (if missing), Debian's dockerd 20.10 (docker.io), docker-registry, FUSE, nginx,
# busybox-static (test images) and debootstrap (the plugin's base rootfs). Idempotent.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: run as root (apt-get, FUSE, overlayfs, dockerd)" >&2
  exit 1
fi
need=(docker.io docker-registry fuse3 libfuse2 nginx busybox-static debootstrap attr xz-utils curl)
command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need+=(maven)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
modprobe fuse 2>/dev/null || true
modprobe overlay 2>/dev/null || true
[ -e /dev/fuse ] || { echo "install-deps: /dev/fuse is missing" >&2; exit 1; }
grep -q overlay /proc/filesystems || { echo "install-deps: the kernel has no overlayfs" >&2; exit 1; }
