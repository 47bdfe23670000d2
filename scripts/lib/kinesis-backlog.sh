# shellcheck shell=bash
# Big backlogs of OLD records in kinesis-local, the fast way (docs/local-stack-notes.md, "Big backlogs, the
# fast way"). Sourced by scripts/lib/stack.sh; needs kinesis-local started by stack_start(_kinesis) with
# STACK_KINESIS_PERSIST=true, so that it writes its whole state to its file when it stops.
#
#   stack_kinesis_inject_backlog STREAM COUNT OLDEST_AGE_S NEWEST_AGE_S SHARD...
#       Stops kinesis-local gracefully (it writes its state file at shutdown; checked), appends COUNT
#       heartbeats of users "$STACK_BACKLOG_PREFIX-<i % STACK_BACKLOG_USERS>" (stale-*, 1000) to the given open
#       shards with scripts/lib/kinesis-backlog.mjs (STACK_BACKLOG_PAYLOAD=heartbeat: GUID users and bench/run's
#       107-byte heartbeats instead), arrival times spread over [now - OLDEST_AGE_S,
#       now - NEWEST_AGE_S] but never before a shard's last record, then starts kinesis-local again on the SAME
#       ports and waits until it answers. Refused when a shard's window is shorter than its share of COUNT at
#       STACK_BACKLOG_MAX_RATE records/s (1000, Kinesis's per-shard write limit; 0 = any density): the state
#       file is then left as it was and kinesis-local is started on it again; returns 1.
#   stack_kinesis_restart
#       The same stop and start without a backlog.
#
# After either: KINESIS_PID (the new process), BACKLOG_STOP_MS (SIGTERM -> exited, state written),
# BACKLOG_INJECT_MS, BACKLOG_LOAD_MS (launch -> answering: the file's load is in it), BACKLOG_RSS_KB (RSS
# once answering), BACKLOG_SUMMARY (the injector's JSON summary). One line on stderr with the figures.
# The restarted kinesis-local persists only if STACK_BACKLOG_PERSIST=true (default false: re-serializing a
# few hundred thousand records costs seconds of CPU each time), at STACK_BACKLOG_PERSIST_INTERVAL (1h) and at
# its stop; a later injection or restart needs that, and says so when the file was not written.
# Ports: kinesis-local's own (KINESIS_UPSTREAM_PORT, behind the read-limits proxy; KINESIS_TLS_PORT), so
# every client keeps its endpoint; the proxy keeps running and is checked to answer again.

# stack_kinesis_stop_persisted: SIGTERM to KINESIS_PID, wait for it to exit (STACK_BACKLOG_STOP_TIMEOUT_S,
# 300), check that it wrote its state file after the signal.
stack_kinesis_stop_persisted() {
  local file="$STACK_DIR/kinesis-data/kinesis-data.json" t0 i
  t0=$(date +%s%3N)
  kill -TERM "$KINESIS_PID"
  for ((i = 0; i < ${STACK_BACKLOG_STOP_TIMEOUT_S:-300} * 10; i++)); do
    kill -0 "$KINESIS_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$KINESIS_PID" 2>/dev/null; then
    stack_log "kinesis-local (pid $KINESIS_PID) still writing its state after ${STACK_BACKLOG_STOP_TIMEOUT_S:-300} s"
    stack_kill_pid "$KINESIS_PID" 1
    return 1
  fi
  stack_kill_pid "$KINESIS_PID" 1   # reaps it and drops it from STACK_PIDS
  BACKLOG_STOP_MS=$(( $(date +%s%3N) - t0 ))
  if [ ! -f "$file" ] || (( $(date -r "$file" +%s%3N) < t0 )); then
    stack_log "kinesis-local did not write $file when it stopped (start the stack with STACK_KINESIS_PERSIST=true)"
    return 1
  fi
}

# stack_kinesis_relaunch: kinesis-local on the ports it had, loading its state file; waits until it answers
# (STACK_BACKLOG_LOAD_TIMEOUT_S, 600).
stack_kinesis_relaunch() {
  local port=${KINESIS_UPSTREAM_PORT:-$KINESIS_PORT} t0 pid
  t0=$(date +%s%3N)
  STACK_KINESIS_PERSIST=${STACK_BACKLOG_PERSIST:-false} STACK_KINESIS_PERSIST_INTERVAL=${STACK_BACKLOG_PERSIST_INTERVAL:-1h} \
    stack_kinesis_launch "$port" "$KINESIS_TLS_PORT"
  pid=$!
  STACK_PIDS+=("$pid")
  export KINESIS_PID=$pid
  if ! KINESIS_ENDPOINT="http://127.0.0.1:$port" stack_aws wait-ready kinesis "$(( ${STACK_BACKLOG_LOAD_TIMEOUT_S:-600} * 1000 ))" ||
     ! kill -0 "$pid" 2>/dev/null; then
    stack_log "kinesis-local did not come back on $port; log tail:"; tail -5 "$STACK_DIR/kinesis.log" >&2
    return 1
  fi
  BACKLOG_LOAD_MS=$(( $(date +%s%3N) - t0 ))
  if [ -n "${KINESIS_LIMITS_PID:-}" ] && ! stack_aws wait-ready kinesis 10000; then
    stack_log "kinesis-local is back on $port, but the proxy in front of it does not answer"; return 1
  fi
  BACKLOG_RSS_KB=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
}

stack_kinesis_running() {
  [ -n "${KINESIS_PID:-}" ] && kill -0 "$KINESIS_PID" 2>/dev/null && return 0
  stack_log "kinesis-local is not running (start it with stack_start)"
  return 1
}

stack_kinesis_restart() {
  stack_kinesis_running || return 1
  BACKLOG_INJECT_MS=0 BACKLOG_SUMMARY=
  stack_kinesis_stop_persisted || { stack_kinesis_relaunch; return 1; }
  stack_kinesis_relaunch || return 1
  stack_log "kinesis-local restarted: stop $BACKLOG_STOP_MS ms, load $BACKLOG_LOAD_MS ms, RSS $((BACKLOG_RSS_KB / 1024)) MiB"
}

stack_kinesis_inject_backlog() {
  local stream=$1 count=$2 oldest=$3 newest=$4 now t0 rc=0; shift 4
  [ $# -gt 0 ] || { stack_log "usage: stack_kinesis_inject_backlog STREAM COUNT OLDEST_AGE_S NEWEST_AGE_S SHARD..."; return 1; }
  stack_kinesis_running || return 1
  BACKLOG_INJECT_MS=0 BACKLOG_SUMMARY=
  stack_kinesis_stop_persisted || { stack_kinesis_relaunch; return 1; }
  t0=$(date +%s%3N) now=$t0
  BACKLOG_SUMMARY="$(node "$STACK_ROOT/scripts/lib/kinesis-backlog.mjs" --file "$STACK_DIR/kinesis-data/kinesis-data.json" \
    --stream "$stream" --count "$count" --from-ms $(( now - oldest * 1000 )) --to-ms $(( now - newest * 1000 )) \
    --max-rate "${STACK_BACKLOG_MAX_RATE:-1000}" --prefix "${STACK_BACKLOG_PREFIX:-stale}" \
    --users "${STACK_BACKLOG_USERS:-1000}" --payload "${STACK_BACKLOG_PAYLOAD:-stale}" "$@")" || rc=1
  BACKLOG_INJECT_MS=$(( $(date +%s%3N) - t0 ))
  stack_kinesis_relaunch || return 1
  (( rc == 0 )) || { stack_log "backlog refused; kinesis-local restarted on its unchanged state"; return 1; }
  stack_log "backlog: $count records into $*: stop $BACKLOG_STOP_MS ms, inject $BACKLOG_INJECT_MS ms," \
    "load $BACKLOG_LOAD_MS ms, RSS $((BACKLOG_RSS_KB / 1024)) MiB"
}
