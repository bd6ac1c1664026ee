#!/usr/bin/env bash
# Runs a command from an image's extracted root file system as a container runtime would, with no
# runtime: Sandbox starts this under `unshare --mount --net --pid --fork --kill-child`, so every
# mount below is private to this run and disappears with it, the network is a fresh loopback-only
# one (the image's default ports cannot collide with anything on the host; without --net, for a
# Spec with hostNetwork, the host's, whose loopback is left as it is) and the command is
# PID 1. Here: loopback up, /proc, a minimal /dev, /sys read-only, optionally a read-only root with
# a tmpfs /tmp (the chart's operator pod), then the command with the image's user, working
# directory and environment only.
#
#   sandbox.sh ROOTFS READ_ONLY(0|1) WORKDIR UID GID ENVFILE -- ARGV...
#   ENVFILE: NAME=VALUE entries separated by NUL bytes.
set -euo pipefail
root=$1 read_only=$2 workdir=$3 uid=$4 gid=$5 envfile=$6
shift 6
[ "$1" = "--" ] && shift
unshare_bin=$(command -v unshare)
"$unshare_bin" --help | grep -q -- '--wd' || { echo "sandbox.sh: util-linux 2.38+ needed (unshare --root/--wd)" >&2; exit 125; }
command -v ip >/dev/null || { echo "sandbox.sh: 'ip' (iproute2) needed to bring the loopback interface up" >&2; exit 125; }

# a fresh network namespace's loopback is down; the host's (hostNetwork) is up and stays untouched
if ip -o link show lo | grep -q 'state DOWN'; then
  ip link set lo up
fi
if [ "$read_only" = 1 ]; then
  mount --bind "$root" "$root"
  mount -o remount,bind,ro "$root"
fi
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
mount -t tmpfs -o nosuid,mode=755 tmpfs "$root/dev"
for d in null zero full random urandom tty; do
  touch "$root/dev/$d"
  mount --bind "/dev/$d" "$root/dev/$d"
done
mkdir "$root/dev/shm"
mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs "$root/dev/shm"
mount --rbind /sys "$root/sys"
mount -o remount,bind,ro "$root/sys"
if [ "$read_only" = 1 ]; then
  mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs "$root/tmp"
fi

mapfile -d '' -t env <"$envfile"
exec env -i "${env[@]}" "$unshare_bin" --root="$root" --wd="$workdir" --setgid="$gid" --setuid="$uid" -- "$@"
