#!/usr/bin/env bash
# The kinesis-limits proxy against the real kinesis-local: starts kinesis-local and the proxy through
# scripts/lib/stack.sh (stack_start_kinesis, as every stack user gets them), runs tests/stack/proxy.test.mjs
# against them, and stops exactly those PIDs (the trap; the test then checks they are gone).
#   tests/stack/proxy.sh            (ctest: "stack: kinesis-limits proxy"; exit 77 = skipped)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[ -f "$root/node_modules/kinesis-local/main.js" ] || {
  echo "SKIPPED: node_modules/kinesis-local missing: run scripts/setup-stack" >&2; exit 77; }
# shellcheck source=../../scripts/lib/stack.sh
source "$root/scripts/lib/stack.sh"
mkdir -p "$root/.local-stack/runs"
stack_init "$(mktemp -d "$root/.local-stack/runs/kinesis-limits-$(date +%H%M%S)-XXXX")"

started=()
on_exit() {
  local rc=$? p
  trap - EXIT
  stack_cleanup
  for p in "${started[@]}"; do
    if kill -0 "$p" 2>/dev/null; then echo "FAIL: pid $p still running after cleanup" >&2; rc=1; fi
  done
  [ "$rc" = 0 ] || { echo "---- kinesis-limits log ($STACK_DIR)" >&2; tail -20 "$STACK_DIR/kinesis-limits.log" >&2 || true; }
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

unset STACK_KINESIS_LIMITS
stack_start_kinesis
started=("$KINESIS_PID" "$KINESIS_LIMITS_PID")
[ "$KINESIS_ENDPOINT" != "$KINESIS_UPSTREAM_ENDPOINT" ] || { echo "FAIL: the stack's endpoint is not the proxy" >&2; exit 1; }
stack_check_loopback
node --test --test-reporter=spec "$root/tests/stack/proxy.test.mjs"
