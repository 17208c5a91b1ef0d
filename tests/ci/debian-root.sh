#!/usr/bin/env bash
# Runs a command as root inside a minimal Debian root (debootstrap
# --variant=minbase) of the given suite, e.g. bookworm (Debian 12) or trixie
# (Debian 13).
#
#   tests/ci/debian-root.sh SUITE [options] -- COMMAND [ARG...]
#
#   --instance NAME  run in a persistent copy NAME of the suite's pristine
#                    root (created on first use, kept for the next run: a
#                    cache of what COMMAND installs, e.g. build dependencies)
#   --fresh          run in a throwaway copy of the pristine root, deleted
#                    afterwards (a clean machine every time)
#   --bind SRC:DST   bind-mount host directory SRC at DST inside the root
#   --apt-cache      keep the .debs apt downloads inside the root in the cache
#                    (one directory per suite), for the next run
#
# The pristine roots are cached outside any clone, in
# $GST_CARTESIA_ROOT_CACHE (default /var/cache/gst-cartesia/roots), one
# directory per suite, marked complete only once debootstrap has finished and
# rebuilt when older than $GST_CARTESIA_ROOT_MAX_AGE_DAYS (default 14).
# /proc, /sys, /dev and /dev/pts are mounted for the command and always
# unmounted afterwards.  The host's apt sources decide the mirror, its apt
# proxy settings (if any) are copied in.
#
# Exit status: COMMAND's, or 77 (SKIP, printed loudly) when a root cannot be
# made here: not root, no debootstrap, or the mirror is unreachable.
set -euo pipefail

SKIP=77
suite="${1:?usage: debian-root.sh SUITE [--instance NAME|--fresh] [--bind SRC:DST]... -- COMMAND...}"
shift
instance=""
fresh=0
apt_cache=0
binds=()
while [ $# -gt 0 ]; do
  case "$1" in
    --instance) instance="$2"; shift 2 ;;
    --fresh) fresh=1; shift ;;
    --bind) binds+=("$2"); shift 2 ;;
    --apt-cache) apt_cache=1; shift ;;
    --) shift; break ;;
    *) echo "debian-root.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ $# -gt 0 ] || { echo "debian-root.sh: no command" >&2; exit 2; }

skip () {
  echo "******************************************************************" >&2
  echo "SKIPPED: Debian $suite root: $*" >&2
  echo "******************************************************************" >&2
  exit $SKIP
}

[ "$(id -u)" -eq 0 ] || skip "needs root (debootstrap, chroot, mount)"
command -v debootstrap >/dev/null || skip "debootstrap is not installed"

cache="${GST_CARTESIA_ROOT_CACHE:-/var/cache/gst-cartesia/roots}"
max_age="${GST_CARTESIA_ROOT_MAX_AGE_DAYS:-14}"
pristine="$cache/$suite"
stamp=".gst-cartesia-root-complete"
mkdir -p "$cache"

# The mirror: the first Debian archive URI in the host's apt sources.
mirror=""
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [ -r "$f" ] || continue
  m=$(grep -Eo 'https?://[^ ]+/debian/?( |$)' "$f" | head -n1 | tr -d ' ' || true)
  if [ -n "$m" ]; then mirror="${m%/}"; break; fi
done
mirror="${GST_CARTESIA_DEBIAN_MIRROR:-${mirror:-http://deb.debian.org/debian}}"
security="${mirror%/debian}/debian-security"

fresh_enough () {
  [ -f "$1/$stamp" ] && [ -z "$(find "$1/$stamp" -mtime +"$max_age")" ]
}

# One builder at a time per suite; readers of a complete root hold it shared.
exec 9>"$cache/$suite.lock"
flock 9
if ! fresh_enough "$pristine"; then
  host="${mirror#*://}"
  host="${host%%/*}"
  port=80
  case "$mirror" in https://*) port=443 ;; esac
  case "$host" in *:*) port="${host##*:}"; host="${host%:*}" ;; esac
  # Through a proxy, if apt has one, the mirror itself need not answer.
  if ! apt-config dump 2>/dev/null | grep -qi 'Acquire::https\?::Proxy "[^"]'; then
    timeout 20 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null \
      || skip "mirror $mirror is unreachable (no network?)"
  fi
  echo "debian-root.sh: debootstrap --variant=minbase $suite from $mirror into $pristine"
  rm -rf "$pristine" "$pristine.new"
  # Roots copied from an old pristine root are stale too.
  rm -rf "$cache/$suite"-instance-*
  if ! debootstrap --variant=minbase "$suite" "$pristine.new" "$mirror" \
      >"$cache/$suite.debootstrap.log" 2>&1; then
    tail -n 30 "$cache/$suite.debootstrap.log" >&2
    rm -rf "$pristine.new"
    echo "debian-root.sh: debootstrap of $suite FAILED" >&2
    exit 1
  fi
  {
    echo "deb $mirror $suite main"
    echo "deb $mirror $suite-updates main"
    echo "deb $security $suite-security main"
  } >"$pristine.new/etc/apt/sources.list"
  # The host's apt proxy settings, if any.
  for f in /etc/apt/apt.conf /etc/apt/apt.conf.d/*; do
    [ -f "$f" ] && grep -qi 'proxy' "$f" && cp "$f" "$pristine.new${f}"
  done
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
    >"$pristine.new/etc/apt/apt.conf.d/90gst-cartesia-no-recommends"
  # A policy that keeps daemons from starting inside the root.
  printf '#!/bin/sh\nexit 101\n' >"$pristine.new/usr/sbin/policy-rc.d"
  chmod 755 "$pristine.new/usr/sbin/policy-rc.d"
  date -u >"$pristine.new/$stamp"
  mv "$pristine.new" "$pristine"
fi
flock -u 9
exec 9>&-

if [ -n "$instance" ]; then
  root="$cache/$suite-instance-$instance"
  exec 8>"$root.lock"
  flock 8
  if [ ! -f "$root/$stamp" ]; then
    rm -rf "$root"
    cp -a "$pristine" "$root.new"
    mv "$root.new" "$root"
  fi
elif [ "$fresh" -eq 1 ]; then
  root=$(mktemp -d "$cache/$suite-fresh.XXXXXX")
  rmdir "$root"
  cp -a "$pristine" "$root"
else
  root="$pristine"
fi

mounted=()
cleanup () {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount -l "${mounted[$i]}" 2>/dev/null || true
  done
  if [ "$fresh" -eq 1 ]; then
    rm -rf --one-file-system "$root"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

do_mount () {  # do_mount DST mount-args...
  local dst="$1"; shift
  mkdir -p "$dst"
  mount "$@" "$dst"
  mounted+=("$dst")
}
do_mount "$root/proc" -t proc proc
do_mount "$root/sys" -t sysfs sysfs
do_mount "$root/dev" --bind /dev
do_mount "$root/dev/pts" --bind /dev/pts
if [ "$apt_cache" -eq 1 ]; then
  mkdir -p "$cache/$suite-apt-archives/partial"
  binds+=("$cache/$suite-apt-archives:/var/cache/apt/archives")
fi
for b in "${binds[@]}"; do
  do_mount "$root${b#*:}" --bind "${b%%:*}"
done
# The host's name resolution: its DNS, and /etc/hosts, where Debian maps the
# machine's own name (which the root shares) to a loopback address.
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
cp /etc/hosts "$root/etc/hosts" 2>/dev/null || true

set +e
env -i HOME=/root TERM="${TERM:-dumb}" LANG=C.UTF-8 \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  DEBIAN_FRONTEND=noninteractive \
  chroot "$root" "$@"
rc=$?
set -e
exit $rc
