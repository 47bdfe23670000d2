#!/usr/bin/env bash
# scripts/run-local stops cleanly when it was started the hard way: from a script, in its own session, with
# SIGINT ignored (as `setsid scripts/run-local &` in a script gives), then SIGINT to its process group (what
# Ctrl-C does). Once the daemon's processors run, the group gets SIGINT; then it asserts that
#   - the script exits by SIGINT (status 130) within 90 s;
#   - its goodbye line names the daemon and its processors as stopped and nothing as STILL RUNNING;
#   - no process that carries the run's marker in its environment is left (run-local, the emulators, the
#     proxy, serve, the producer, the JVM and its processors all inherit it; no name matching).
#   tests/stack/run_local_stop.sh BUILD_DIR    (ctest "stack: run-local stops cleanly"; exit 77 = skipped)
# ~45 s on 2 idle cores (the daemon's start is most of it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build=${1:?usage: run_local_stop.sh BUILD_DIR}
skip() { echo "SKIPPED: $*" >&2; exit 77; }
[ -f "$root/node_modules/kinesis-local/main.js" ] || skip "node_modules missing: run scripts/setup-stack"
ls "$root/.daemon/3.5.1/jars/"amazon-kinesis-client-multilang-*.jar >/dev/null 2>&1 || skip "no KCL 3.5.1 jars: run scripts/setup-stack"
command -v java >/dev/null || skip "no java"
command -v setsid >/dev/null || skip "no setsid (util-linux)"
[ -x "$build/active-users" ] && [ -x "$build/active-users-serve" ] || skip "no $build/active-users(-serve)"

mkdir -p "$root/.local-stack/runs"
dir="$(mktemp -d "$root/.local-stack/runs/run-local-stop-$(date +%H%M%S)-XXXX")"
mark="RUN_LOCAL_STOP_TEST=$$-$RANDOM"
out="$dir/run-local.out"
marked() {   # PIDs whose environment carries the marker (our own shell does not: it is set for run-local only)
  grep -lsz -- "^$mark\$" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 | sort -n | tr '\n' ' ' || true
}
fail() {
  echo "FAIL: $*" >&2
  echo "---- run-local's output ($dir)" >&2; tr '\r' '\n' <"$out" | tail -25 >&2 || true
  # Our own leftovers only: run-local first gets SIGTERM and up to 60 s for its own stop, then what carries
  # the marker is killed.
  local p i
  if kill -0 "${pid:-0}" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 600; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  for p in $(marked); do kill -KILL "$p" 2>/dev/null || true; done
  exit 1
}

STACK_DIR="$dir/stack" AU_BUILD_DIR="$build" RUN_LOCAL_NO_SETUP=1 \
  setsid env "$mark" bash -c 'trap "" INT; exec "$0" --users 10 --period-s 2' "$root/scripts/run-local" \
  >"$out" 2>&1 </dev/null &
pid=$!
t0=$(date +%s)
# The daemon's processors are up when its log has an initialize.
until grep -qs "initialize: shard" "$dir/stack/daemon-3.5.1.log"; do
  kill -0 "$pid" 2>/dev/null || fail "run-local exited before the processors started"
  (( $(date +%s) - t0 < 150 )) || fail "no processor started within 150 s"
  sleep 0.5
done
before="$(marked)"
echo "processors up after $(( $(date +%s) - t0 )) s; the run's processes: $before"
[ "$(grep -c . <<<"${before// /$'\n'}")" -ge 7 ] || fail "expected at least 7 processes of the run, saw: $before"
pgid=$(ps -o pgid= -p "$pid" | tr -d ' ')
[ "$pgid" = "$pid" ] || fail "run-local is not its own process group leader (pgid $pgid)"
t1=$(date +%s)
kill -INT -- "-$pgid"
for ((i = 0; i < 900; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "run-local still running 90 s after SIGINT to its group"
rc=0; wait "$pid" || rc=$?
echo "run-local exited with status $rc, $(( $(date +%s) - t1 )) s after SIGINT"
[ "$rc" = 130 ] || fail "exit status $rc, expected 130 (SIGINT)"
bye="$(grep -a 'run-local: goodbye (SIGINT)' "$out" || true)"
echo "$bye"
[ -n "$bye" ] || fail "no goodbye line"
grep -q 'stopped .*daemon [0-9]' <<<"$bye" || fail "the goodbye does not name the daemon as stopped"
grep -q 'processor [0-9]' <<<"$bye" || fail "the goodbye names no processor"
grep -q 'STILL RUNNING' <<<"$bye" && fail "something is still running"
sleep 0.5
left="$(marked)"
[ -z "$left" ] || fail "left running: $(for p in $left; do ps -o pid=,args= -p "$p" | cut -c1-100; done)"
echo "PASS: nothing of the run is left"
rm -rf "$dir"
