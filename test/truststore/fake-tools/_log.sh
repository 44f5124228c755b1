# Sourced by the fake tools: record the exact argv, one line per call.
printf '%s' "$(basename "$0")" >> "${FAKE_LOG:?FAKE_LOG must name a log file}"
for a in "$@"; do printf ' [%s]' "$a" >> "$FAKE_LOG"; done
printf '\n' >> "$FAKE_LOG"
# A test can make one tool fail the way a real one does, to prove its stderr reaches the user.
if [ "${FAKE_FAIL:-}" = "$(basename "$0")" ]; then
  echo "$(basename "$0"): p11-kit: couldn't write extracted bundle: Read-only file system" >&2
  exit 1
fi
