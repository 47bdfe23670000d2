#!/usr/bin/env bash
# Test of the fast backlog (stack_kinesis_inject_backlog, scripts/lib/kinesis-backlog.{sh,mjs}) against a
# real kinesis-local started through scripts/lib/stack.sh with persistence on (and the read-limits proxy in
# front, as by default):
#   - a stream with 2 shards, shard 0 split (the children are open, the parent closed), 5 live records in
#     the first child and in shard 1;
#   - refused: a window that ends before the first child's live records (kinesis-local comes back with its
#     state unchanged), and 10,000 records in 5 s at the default density limit (the file is untouched);
#   - the same with STACK_BACKLOG_MAX_RATE=0; then, read back through the Kinesis API (tests/backlog/check.mjs):
#     counts, the live records first and unchanged, sequence numbers increasing, arrival times never
#     decreasing and inside the window asked (strictly increasing in the child without live records),
#     payloads, AT_TIMESTAMP, and PutRecords afterwards landing after the backlog; one read through the proxy.
# Exit 77 (skipped) without node_modules/kinesis-local (scripts/setup-stack). Everything started is stopped
# by PID on exit; the run folder is removed when the test passes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[ -f "$root/node_modules/kinesis-local/main.js" ] || { echo "SKIPPED: node_modules/kinesis-local missing: run scripts/setup-stack" >&2; exit 77; }
# shellcheck source=../../scripts/lib/stack.sh
source "$root/scripts/lib/stack.sh"
mkdir -p "$root/.local-stack/runs"
stack_init "$(mktemp -d "$root/.local-stack/runs/test-backlog-$(date +%H%M%S)-XXXX")"
on_exit() {
  local rc=$?
  stack_cleanup
  if [ "$rc" = 0 ]; then rm -rf "$STACK_DIR"; echo "PASSED"; else echo "FAILED (exit $rc); logs in $STACK_DIR" >&2; fi
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
check() { node "$root/tests/backlog/check.mjs" "$@"; }
now_ms() { date +%s%3N; }

export STACK_KINESIS_PERSIST=true STACK_BACKLOG_PERSIST=true   # every restart writes the state again at its stop
stack_start_kinesis
stack_create_stream bl 2
read -r c1 c2 <<<"$(stack_split_shard bl shardId-000000000000 | tr '\n' ' ')"
check live bl "$STACK_DIR/live.json" "$c1" shardId-000000000001
sleep 1.5   # the window ends 1 s ago: after the live records

echo "--- refusals"
# A window that ends before the first child's live records (arrival times never decrease): refused, and
# kinesis-local comes back on its unchanged state.
if stack_kinesis_inject_backlog bl 20000 7200 3600 "$c1" "$c2"; then
  echo "FAIL: the injection was not refused" >&2; exit 1
fi
check unchanged bl "$STACK_DIR/live.json" "$c1" "$c2" shardId-000000000001
# The default density limit (1000 records/s per shard): 10,000 records in a 5 s window, on a copy of the file.
cp "$STACK_DIR/kinesis-data/kinesis-data.json" "$STACK_DIR/copy.json"
if node "$root/scripts/lib/kinesis-backlog.mjs" --file "$STACK_DIR/copy.json" --stream bl --count 10000 \
     --from-ms $(( $(now_ms) - 10000 )) --to-ms $(( $(now_ms) - 5000 )) "$c2"; then
  echo "FAIL: 10,000 records in 5 s were not refused" >&2; exit 1
fi
cmp -s "$STACK_DIR/kinesis-data/kinesis-data.json" "$STACK_DIR/copy.json" && [ ! -e "$STACK_DIR/copy.json.backlog-tmp" ] ||
  { echo "FAIL: a refused injection changed the file" >&2; exit 1; }
echo "ok: refused, file untouched"

echo "--- 20,000 records, any density"
t0=$(now_ms)
STACK_BACKLOG_MAX_RATE=0 stack_kinesis_inject_backlog bl 20000 7200 1 "$c1" "$c2"
t1=$(now_ms)
printf '%s\n' "$BACKLOG_SUMMARY" >"$STACK_DIR/summary.json"
if [ -n "${KINESIS_LIMITS_PID:-}" ]; then   # the read-limits proxy in front still serves the restarted kinesis-local
  check head bl "$c2" "$(node -pe 'JSON.parse(process.argv[1]).shards[1].firstSequenceNumber' "$BACKLOG_SUMMARY")"
fi
# The bulk reads go to kinesis-local directly (the proxy's 2 MiB/s per shard would only slow them down).
KINESIS_ENDPOINT=$KINESIS_UPSTREAM_ENDPOINT check verify bl "$STACK_DIR/live.json" "$STACK_DIR/summary.json" "$t0" "$t1" 7200 1 "$c1" "$c2"
check unchanged bl "$STACK_DIR/live.json" shardId-000000000001
echo "figures: inject $BACKLOG_INJECT_MS ms, load $BACKLOG_LOAD_MS ms, RSS $((BACKLOG_RSS_KB / 1024)) MiB, test $(( $(now_ms) - t0 )) ms after the injection started"
