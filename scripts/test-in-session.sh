#!/usr/bin/env bash
# Runs inside dbus-run-session (see test.sh): unlock a throwaway keyring, then the test files.
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_DATA_HOME; XDG_DATA_HOME=$(mktemp -d /tmp/ct-keyring.XXXXXX)
# An empty password would make the daemon wait for a prompt that never comes.
eval "$(printf '%s' 'cluster-trust-test-keyring' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
files=("$@")
if [ "${#files[@]}" -eq 0 ]; then
  mapfile -t files < <(find test -name '*.test.ts' -not -path 'test/e2e/*' | sort)
  mapfile -t -O "${#files[@]}" files < <(find test/e2e -name '*.test.ts' 2>/dev/null | sort)
fi
status=0
xvfb-run -a -s "-screen 0 1280x860x24" node --import tsx --test --test-concurrency=2 --test-reporter=spec "${files[@]}" || status=$?
rm -rf "$XDG_DATA_HOME"
exit $status
