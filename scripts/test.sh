#!/usr/bin/env bash
# The one command that runs every test (see README). Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${CLUSTER_TRUST_SKIP_SETUP:-}" = 1 ] || bash scripts/setup-test-env.sh
npm run --silent build
npm run --silent typecheck
# A private D-Bus session with an unlocked gnome-keyring: the real Secret Service, never the user's.
exec dbus-run-session -- bash scripts/test-in-session.sh "$@"
