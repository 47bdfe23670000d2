# shellcheck shell=bash
# Shared part of the end-to-end tests against the REAL Java MultiLangDaemon (docs/e2e.md).
#   source tests/daemon/lib.sh VERSION NAME     (VERSION = a KCL tree of scripts/setup-stack: 3.5.1, 2.7.2)
# Environment: AU_BIN (the processor binary; default build/active-users), E2E_DEADLINE_S (the script's own
# deadline, below the ctest TIMEOUT, so the traps still stop everything: default 420), E2E_RETRIEVAL (polling, the
# default, or fanout: the daemon reads with enhanced fan-out, e2e_retrieval_mode).
# Conventions: `e2e_check DESC CMD...` fails the test loudly (exit 1) when CMD fails; `e2e_figure TEXT` prints a
# measured figure ("FIGURE <version> <test> TEXT") and appends it to $STACK_DIR/figures.txt. Everything this
# script starts (emulators, daemon, producers, the watchdog) is stopped on exit, also on failure or a signal,
# and the test then checks that no processor child of the daemon is left.
set -euo pipefail
E2E_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../scripts/lib/stack.sh
source "$E2E_ROOT/scripts/lib/stack.sh"

E2E_VERSION=${1:?usage: test VERSION}
E2E_NAME=${2:-e2e}
BIN=${AU_BIN:-$E2E_ROOT/build/active-users}
[ -x "$BIN" ] || { echo "no processor binary $BIN (build first)" >&2; exit 1; }
# Missing prerequisites: exit 77 (ctest: skipped), loudly.
ls "$(daemon_jars "$E2E_VERSION")"/amazon-kinesis-client-multilang-*.jar >/dev/null 2>&1 || {
  echo "SKIPPED: no daemon jars for KCL $E2E_VERSION: run scripts/setup-stack" >&2; exit 77; }
[ -f "$E2E_ROOT/node_modules/dynalite/cli.js" ] && [ -f "$E2E_ROOT/node_modules/kinesis-local/main.js" ] || {
  echo "SKIPPED: node_modules (dynalite, kinesis-local) missing: run scripts/setup-stack" >&2; exit 77; }
command -v java >/dev/null || { echo "SKIPPED: no java" >&2; exit 77; }

mkdir -p "$E2E_ROOT/.local-stack/runs"
STACK_DIR="$(mktemp -d "$E2E_ROOT/.local-stack/runs/e2e-$E2E_NAME-$E2E_VERSION-$(date +%H%M%S)-XXXX")"
stack_init "$STACK_DIR"
E2E_T0=$(date +%s%3N)
E2E_DAEMON_PIDS=()     # every daemon this test started (for the leftover check)
E2E_CHILD_PIDS=()      # processor PIDs seen as children of our daemons

now_ms() { date +%s%3N; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'; }   # ms -> "12.3"
e2e_say() { printf '[%s %s +%ss] %s\n' "$E2E_NAME" "$E2E_VERSION" "$(secs $(( $(now_ms) - E2E_T0 )))" "$*"; }
e2e_fail() {
  printf '\nE2E FAIL [%s %s]: %s\n' "$E2E_NAME" "$E2E_VERSION" "$*" >&2
  exit 1
}
e2e_check() {
  local desc=$1; shift
  if "$@"; then e2e_say "ok: $desc"; else e2e_fail "$desc"; fi
}
# e2e_check_none DESC REGEX CMD...: CMD's output is what is checked: it must hold at least one line (else the
# check fails: nothing was checked, e.g. a missing log or no stats line yet) and no line may match REGEX
# (grep -E). A negated grep over an empty source would pass without checking anything.
e2e_check_none() {
  local desc=$1 regex=$2 out rc=0 n; shift 2
  out="$("$@")" || rc=$?
  n=$(grep -c . <<<"$out" || true)
  (( n > 0 )) || e2e_fail "$desc: nothing to check ($* printed nothing, exit $rc)"
  (( rc == 0 )) || e2e_fail "$desc: $* failed (exit $rc)"
  if grep -Eq -- "$regex" <<<"$out"; then
    grep -E -- "$regex" <<<"$out" | head -5 >&2
    e2e_fail "$desc"
  fi
  e2e_say "ok: $desc ($n lines checked)"
}
# e2e_check_none_of DESC COUNT OF: COUNT (e.g. records lost) is 0 out of OF checked items, and OF > 0: zero
# out of nothing proves nothing.
e2e_check_none_of() {
  local desc=$1 count=$2 of=$3
  [[ "$of" =~ ^[0-9]+$ ]] && (( of > 0 )) || e2e_fail "$desc: nothing was checked (${count:-?} of ${of:-?})"
  e2e_check "$desc ($count of $of)" [ "$count" = 0 ]
}
e2e_figure() {
  printf 'FIGURE %s %s: %s\n' "$E2E_VERSION" "$E2E_NAME" "$*" | tee -a "$STACK_DIR/figures.txt"
}

# e2e_note_children [DAEMON_PID]: the processor children (and grandchildren) of that daemon (default: the running one),
# remembered for the leftover check.
e2e_note_children() {
  local d=${1:-${DAEMON_PID:-}} p
  [ -n "$d" ] || return 0
  # The daemon's children and theirs (a peer's processor behind tests/daemon/peers/tap.mjs).
  for p in $(ps -o pid= --ppid "$d" 2>/dev/null) $(ps -o pid= --ppid "$(ps -o pid= --ppid "$d" 2>/dev/null | tr -s ' \n' ',' | sed 's/^,//; s/,$//')" 2>/dev/null); do
    case " ${E2E_CHILD_PIDS[*]} " in *" $p "*) ;; *) E2E_CHILD_PIDS+=("$p") ;; esac
  done
}
# Leftovers: any processor we saw, or any active-users process whose parent is (was) one of our daemons
# or that runs with one of this test's properties files.
e2e_leftovers() {
  local p left=() d
  for p in "${E2E_CHILD_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && left+=("$p"); done
  for d in "${E2E_DAEMON_PIDS[@]}"; do
    for p in $(ps -o pid= --ppid "$d" 2>/dev/null); do left+=("$p"); done
  done
  while read -r p; do [ -n "$p" ] && left+=("$p"); done < <(pgrep -f -- "--properties $STACK_DIR/" || true)
  printf '%s\n' "${left[@]}" | sort -u | grep -v '^$' || true
}

e2e_on_exit() {
  local rc=$? left
  trap - EXIT
  e2e_note_children
  stack_cleanup
  left="$(e2e_leftovers)"
  if [ -n "$left" ]; then
    echo "E2E FAIL [$E2E_NAME $E2E_VERSION]: processes left behind: $(echo $left)" >&2
    ps -o pid,ppid,args -p "$(echo $left | tr ' ' ,)" >&2 || true
    rc=1
  fi
  if [ "$rc" != 0 ]; then
    echo "---- daemon log tail ($STACK_DIR)" >&2
    for f in "$STACK_DIR"/daemon-*.log; do [ -f "$f" ] && tail -25 "$f" >&2; done
    echo "E2E FAILED [$E2E_NAME $E2E_VERSION] (exit $rc); everything is in $STACK_DIR" >&2
  else
    echo "E2E PASSED [$E2E_NAME $E2E_VERSION] in $(secs $(( $(now_ms) - E2E_T0 ))) s; logs in $STACK_DIR"
  fi
  exit "$rc"
}
trap e2e_on_exit EXIT
trap 'echo "E2E [$E2E_NAME $E2E_VERSION]: signal, stopping" >&2; exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP

# The script's own deadline (one node process, stopped by stack_cleanup like everything else).
node -e 'setTimeout(() => { console.error("E2E watchdog: deadline reached"); try { process.kill(+process.argv[1], "SIGTERM"); } catch {} }, +process.argv[2] * 1000)' \
  "$$" "${E2E_DEADLINE_S:-420}" </dev/null &
STACK_PIDS+=("$!")

# wait_until SECONDS CMD...: polls CMD every 0.5 s; false on timeout.
wait_until() {
  local limit=$1 start; shift
  start=$(now_ms)
  while (( $(now_ms) - start < limit * 1000 )); do
    "$@" && return 0
    e2e_note_children
    sleep 0.5
  done
  return 1
}

# ------------------------------------------------------------------------------------------ stack set-up
# e2e_stack STREAM SHARDS: emulators, the stream, the KCL lease table (APP = STREAM) seeded at LATEST.
e2e_stack() {
  E2E_STREAM=$1 E2E_APP=$1
  stack_start
  stack_create_stream "$E2E_STREAM" "${2:-2}"
  stack_create_lease_table "$E2E_APP"
  stack_seed_leases "$E2E_APP" "$E2E_STREAM" LATEST >/dev/null
  E2E_STATE="$STACK_DIR/state-$E2E_APP" E2E_TRANSCRIPTS="$STACK_DIR/transcripts-$E2E_APP"
}

# e2e_properties OUT [activeUsers.key=value | daemonKey=value ...] [TEMPLATE_KEY=VALUE ...]: the test properties
# (lower-case keys are appended as they are, upper-case ones fill the template's placeholders):
# seeded leases, failover 3 s, shard sync and parent poll 1 s, grace 10 s, transcripts recorded, TTL
# E2E_TTL_S (12), stats every second, event time from the payload's ts.
e2e_properties() {
  local out=$1 kv own=() kcl=(); shift
  for kv in "$@"; do case "$kv" in [a-z]*) own+=("$kv") ;; *) kcl+=("$kv") ;; esac; done
  stack_write_properties "$(stack_properties_template "$E2E_VERSION")" "$out" STREAM="$E2E_STREAM" APP="$E2E_APP" \
    FAILOVER_MS=3000 SHARD_SYNC_MS=1000 PARENT_POLL_MS=1000 SHUTDOWN_GRACE_MS=10000 EXECUTABLE="$BIN" \
    "${kcl[@]}"
  # The transcript flag goes after the binary (stack_write_properties refuses spaces in EXECUTABLE).
  sed -i "s|^executableName = $BIN |executableName = $BIN --record-transcript $E2E_TRANSCRIPTS |" "$out"
  grep -q -- "--record-transcript $E2E_TRANSCRIPTS" "$out" || e2e_fail "could not add --record-transcript to $out"
  e2e_retrieval_mode "$out"
  {
    echo "activeUsers.stateDir = $E2E_STATE"
    echo "activeUsers.ttlSeconds = ${E2E_TTL_S:-12}"
    echo "activeUsers.statsIntervalSeconds = 1"
    echo "activeUsers.eventTimeField = ts"
    for kv in "${own[@]}"; do echo "${kv%%=*} = ${kv#*=}"; done
  } >>"$out"
  "$BIN" check-config --properties "$out" >/dev/null || e2e_fail "check-config refused $out"
}

# e2e_retrieval_mode FILE: E2E_RETRIEVAL=fanout turns the file into an enhanced fan-out one: retrievalMode =
# FANOUT, and no polling key (idleTimeBetweenReadsInMillis would only be ignored, but a file should say one
# mode). Default (polling): the templates' retrievalMode = POLLING as it is.
E2E_RETRIEVAL=${E2E_RETRIEVAL:-polling}
e2e_retrieval_mode() {
  case "$E2E_RETRIEVAL" in
    polling) ;;
    fanout)
      sed -i -e '/^retrievalMode = /d' -e '/^idleTimeBetweenReadsInMillis = /d' -e '/^maxRecords = /d' "$1"
      echo "retrievalMode = FANOUT" >>"$1" ;;
    *) e2e_fail "E2E_RETRIEVAL must be polling or fanout, not '$E2E_RETRIEVAL'" ;;
  esac
}

e2e_daemon_start() {   # PROPERTIES [LOG]
  daemon_start "$E2E_VERSION" "$1" "${2:-}"
  E2E_DAEMON_PIDS+=("$DAEMON_PID")
}
# e2e_worker_start PROPERTIES LOG: one more daemon (another KCL worker) started as daemon_start does, its PID in
# WORKER_PID; DAEMON_PID/DAEMON_LOG are left alone. The caller stops it (stack_cleanup stops DAEMON_PID only).
e2e_worker_start() {
  local keep_pid=${DAEMON_PID:-} keep_log=${DAEMON_LOG:-}
  unset DAEMON_PID
  daemon_start "$E2E_VERSION" "$1" "$2" || { DAEMON_PID=$keep_pid DAEMON_LOG=$keep_log; return 1; }
  WORKER_PID=$DAEMON_PID
  E2E_DAEMON_PIDS+=("$WORKER_PID")
  if [ -n "$keep_pid" ]; then DAEMON_PID=$keep_pid; else unset DAEMON_PID; fi
  DAEMON_LOG=$keep_log
}

# e2e_redis_start: a redis-server of this test on a free loopback port (no persistence, stopped with the stack);
# sets REDIS_URL and REDIS_PORT. Exit 77 without redis-server.
e2e_redis_start() {
  command -v redis-server >/dev/null || { echo "SKIPPED: no redis-server" >&2; exit 77; }
  REDIS_PORT=$(stack_free_port)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$STACK_DIR" \
    >>"$STACK_DIR/redis.log" 2>&1 </dev/null &
  STACK_PIDS+=("$!")
  REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
  e2e_check "redis-server (pid $!) answers on 127.0.0.1:$REDIS_PORT" \
    wait_until 10 eval '[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]'
}

# ------------------------------------------------------------------------------------------- observing
# Our processors' lines in the daemon log (the daemon echoes each child's stderr; its ERROR re-log of the
# same line is skipped), from line FROM (default 1).
ours() { tail -n +"${2:-1}" "${1:-$DAEMON_LOG}" 2>/dev/null | grep '^active-users\[' || true; }
# The count `query --state-dir` prints; "unreadable" when it fails (never a 0 that counted nothing).
active_count() { "$BIN" query --state-dir "$E2E_STATE" 2>/dev/null | head -1 || echo unreadable; }
active_count_is() { [ "$(active_count)" = "$1" ]; }
compare_truth() {   # TRUTH SLACK_MS [MAX_LAG_MS]: the active set equals the producer's ground truth (e2e.mjs compare)
  "$BIN" query --state-dir "$E2E_STATE" --json 2>/dev/null |
    node "$E2E_ROOT/tests/daemon/e2e.mjs" compare "$1" "$(( ${E2E_TTL_S:-12} * 1000 ))" "${2:-2500}" ${3:+"$3"}
}
transcripts() { node "$E2E_ROOT/tests/daemon/e2e.mjs" transcripts "$E2E_TRANSCRIPTS"; }
lease_integrity() {
  e2e_say "lease table $E2E_APP:"
  node "$E2E_ROOT/tests/daemon/e2e.mjs" integrity "$E2E_APP" "$E2E_STREAM"
}
# log_has REGEX [FROM_LINE]: one of our processors' lines in the daemon log (from that line) matches.
log_has() { ours "$DAEMON_LOG" "${2:-1}" | grep -Eq -- "$1"; }
log_count() { ours "$DAEMON_LOG" "${2:-1}" | grep -Ec -- "$1" || true; }
log_lines() { wc -l <"$DAEMON_LOG"; }
# Our processors' stats lines (what "no stale or malformed record" reads).
stats_lines() { ours "$@" | grep 'stats:'; }
# initialized SHARD CHECKPOINT [FROM_LINE]: our processor logged "initialize: shard S from checkpoint C".
initialized() { log_has "initialize: shard $1 from checkpoint $2" "${3:-1}"; }
