#!/usr/bin/env bash
# Runs inside dbus-run-session (see test.sh): unlock a throwaway keyring, then the test files.
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_DATA_HOME; XDG_DATA_HOME=$(mktemp -d /tmp/ct-keyring.XXXXXX)
# An empty password would make the daemon wait for a prompt that never comes.
eval "$(printf '%s' 'cluster-trust-test-keyring' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
files=()
specs=()
# *.spec.ts are the renderer's component tests (Svelte in jsdom): vitest runs them, node's runner the rest.
for f in "$@"; do
  case "$f" in *.spec.ts) specs+=("$f") ;; *) files+=("$f") ;; esac
done
if [ "$#" -eq 0 ]; then
  mapfile -t files < <(find test -name '*.test.ts' -not -path 'test/e2e/*' | sort)
  mapfile -t -O "${#files[@]}" files < <(find test/e2e -name '*.test.ts' 2>/dev/null | sort)
  mapfile -t specs < <(find test -name '*.spec.ts' | sort)
fi
status=0
if [ "${#specs[@]}" -gt 0 ]; then
  npx --no-install vitest run --config test/renderer/vitest.config.ts "${specs[@]}" || status=$?
fi
if [ "${#files[@]}" -gt 0 ]; then
  xvfb-run -a -s "-screen 0 1280x860x24" node --import tsx --test --test-concurrency=2 --test-timeout=600000 --test-force-exit --test-reporter=spec "${files[@]}" || status=$?
fi
rm -rf "$XDG_DATA_HOME"
exit $status
