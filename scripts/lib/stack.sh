# shellcheck shell=bash
# Local stack for active-users: dynalite (DynamoDB) + kinesis-local (Kinesis), and the Java KCL
# MultiLangDaemon. Source it from bash scripts and tests:
#
#   source scripts/lib/stack.sh
#   stack_install_traps                 # EXIT/INT/TERM/HUP -> stack_cleanup (stops only what we started)
#   stack_start                         # both emulators on free loopback ports; exports the endpoints
#   stack_create_stream mystream 2
#   stack_create_lease_table myapp
#   stack_write_properties properties/local.properties "$STACK_DIR/run.properties" STREAM=mystream APP=myapp
#   daemon_start 3.5.1 "$STACK_DIR/run.properties"
#   daemon_wait_log 'Initializing|initialize' 60
#   ...
#   daemon_stop; stack_stop             # or just exit: the trap does it
#
# Everything binds 127.0.0.1 only. kinesis-local has no host option and binds 0.0.0.0, so stack_patch_kinesis
# makes a COPY of its entry file with the one listen address rewritten to 127.0.0.1 (.local-stack/kinesis-local/,
# git-ignored; node_modules stays untouched). See docs/local-stack-notes.md.
#
# PIDs: every server is started as a direct background child of the calling shell (`cmd &`, or a
# subshell that `exec`s), so $! is the server's own PID; stop functions signal exactly those PIDs.
# Call the start functions directly, never inside $(...) (that would make them a subshell's children).
#
# Kinesis read limits: by default stack_start_kinesis puts scripts/lib/kinesis-limits.mjs in front of
# kinesis-local (Kinesis's per-shard GetRecords limits and a time-based MillisBehindLatest, HTTP/2 cleartext
# and HTTP/1.1 on one port; docs/local-stack-notes.md), and KINESIS_ENDPOINT/KINESIS_PORT are the proxy's, so
# the daemon, the producer and our binary all read through it. STACK_KINESIS_LIMITS=off: no proxy, the
# endpoint is kinesis-local itself. The limits' own knobs (KINESIS_LIMIT_*) are read from the environment.
#
# Exported after start: STACK_DIR, DYNAMO_PORT, DYNAMO_ENDPOINT, DYNAMO_PID, KINESIS_PORT, KINESIS_ENDPOINT
# (what clients use), KINESIS_UPSTREAM_PORT, KINESIS_UPSTREAM_ENDPOINT, KINESIS_TLS_PORT, KINESIS_PID
# (kinesis-local itself; its TLS port is never limited), KINESIS_LIMITS_PID (the proxy, when on); after
# daemon_start: DAEMON_PID, DAEMON_LOG. Fake credentials and region.

STACK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_AWS="$STACK_ROOT/scripts/lib/aws-local.mjs"
: "${STACK_STATE_MS:=50}"          # emulator state transitions (CREATING/UPDATING), default there 500 ms
STACK_PIDS=()                      # everything we started, in start order (stack_cleanup stops them in reverse)

stack_log() { echo "stack: $*" >&2; }

# ---------------------------------------------------------------------------------------------- helpers
# A free TCP port on 127.0.0.1, below the kernel's ephemeral range and reserved for this script
# ($$, also inside $(...)) until it exits: scripts/lib/free-port.mjs.
stack_free_port() {
  node "$STACK_ROOT/scripts/lib/free-port.mjs" "$$"
}

# stack_kill_pid PID [grace_seconds=10]: SIGTERM, wait, then SIGKILL. Only the given PID.
stack_kill_pid() {
  local pid=$1 grace=${2:-10} i
  [ -n "$pid" ] || return 0
  if ! kill -0 "$pid" 2>/dev/null; then wait "$pid" 2>/dev/null || true; return 0; fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    stack_log "pid $pid ignored SIGTERM for ${grace}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true   # reaps it (only works for our own children); never trips errexit
  local keep=() p
  for p in "${STACK_PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
  STACK_PIDS=("${keep[@]}")
  return 0
}

stack_aws() { node "$STACK_AWS" "$@"; }

# ------------------------------------------------------------------------------------------ run folder
# stack_init [dir]: the run's folder for logs, data and generated properties (default: a new folder under
# .local-stack/runs/). Idempotent.
stack_init() {
  if [ -z "${STACK_DIR:-}" ]; then
    STACK_DIR="${1:-}"
    if [ -z "$STACK_DIR" ]; then
      mkdir -p "$STACK_ROOT/.local-stack/runs"
      STACK_DIR="$(mktemp -d "$STACK_ROOT/.local-stack/runs/$(date +%Y%m%d-%H%M%S)-XXXX")"
    fi
  fi
  mkdir -p "$STACK_DIR"
  export STACK_DIR
  export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-AKIDLOCALSTACK}"
  export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-local-stack-dummy-secret}"
  export AWS_REGION="${AWS_REGION:-us-east-1}"
  export AWS_DEFAULT_REGION="$AWS_REGION"
}

# --------------------------------------------------------------------------------------------- traps
stack_cleanup() {
  local i pid pids
  daemon_stop || true
  pids=("${STACK_PIDS[@]}")
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    if [ -n "$pid" ]; then stack_kill_pid "$pid" 10 || true; fi
  done
  STACK_PIDS=()
  unset DYNAMO_PID KINESIS_PID KINESIS_LIMITS_PID PRODUCER_PID
  return 0
}

# Installs EXIT/INT/TERM/HUP traps that stop everything started through this file. This replaces the caller's
# traps for these signals; a caller with its own cleanup should call stack_cleanup from it instead.
# Note: bash runs a trap only after the current FOREGROUND command returns (Ctrl-C reaches the whole
# foreground process group, so that is immediate; a SIGTERM sent to the script alone waits for it).
# The waits in this file poll in 0.1 s steps, so they never delay a trap.
stack_install_traps() {
  trap 'stack_cleanup' EXIT
  trap 'stack_cleanup; trap - INT; kill -INT $$' INT
  trap 'stack_cleanup; exit 143' TERM
  trap 'stack_cleanup; exit 129' HUP
}

# ---------------------------------------------------------------------------------------------- kinesis
# Bind-patched copy of kinesis-local's entry file. Fails if the package's listen host is not the single
# expected literal (i.e. a different kinesis-local version): then update this function.
stack_patch_kinesis() {
  local src="$STACK_ROOT/node_modules/kinesis-local" dst="$STACK_ROOT/.local-stack/kinesis-local"
  [ -f "$src/main.js" ] || { stack_log "node_modules/kinesis-local missing: run scripts/setup-stack"; return 1; }
  if [ -f "$dst/main.js" ] && [ "$dst/main.js" -nt "$src/main.js" ] && [ -f "$dst/.patched" ]; then
    return 0
  fi
  local n
  n=$(grep -o 'Host$().em("0.0.0.0")' "$src/main.js" | wc -l)
  if [ "$n" != 1 ]; then
    stack_log "kinesis-local main.js: expected exactly one 'Host\$().em(\"0.0.0.0\")', found $n; cannot bind-patch"
    return 1
  fi
  mkdir -p "$dst"
  sed 's/Host\$()\.em("0\.0\.0\.0")/Host$().em("127.0.0.1")/' "$src/main.js" > "$dst/main.js.tmp"
  grep -q 'Host$().em("127.0.0.1")' "$dst/main.js.tmp" || { stack_log "bind patch failed"; return 1; }
  mv "$dst/main.js.tmp" "$dst/main.js"
  cp "$src/server.json" "$dst/server.json"
  touch "$dst/.patched"
  stack_log "kinesis-local: bind-patched copy at $dst/main.js (listens on 127.0.0.1 only)"
}

# stack_kinesis_launch PORT TLS_PORT: starts kinesis-local in the background on those ports and returns
# at once (the caller takes $!, records it in STACK_PIDS and waits for readiness). State file:
# $STACK_DIR/kinesis-data/kinesis-data.json, loaded at start if it exists; written every
# STACK_KINESIS_PERSIST_INTERVAL (1s) and at a graceful stop when STACK_KINESIS_PERSIST=true. Shards per
# account: STACK_KINESIS_SHARD_LIMIT (kinesis-local's SHARD_LIMIT, default 50).
stack_kinesis_launch() {
  local port=$1 tls=$2 dst="$STACK_ROOT/.local-stack/kinesis-local" ms="${STACK_STATE_MS}ms"
  mkdir -p "$STACK_DIR/kinesis-data"
  KINESIS_MOCK_PLAIN_PORT=$port KINESIS_MOCK_TLS_PORT=$tls KINESIS_MOCK_CERT_PATH="$dst/server.json" \
    CREATE_STREAM_DURATION=$ms DELETE_STREAM_DURATION=$ms SPLIT_SHARD_DURATION=$ms MERGE_SHARDS_DURATION=$ms \
    UPDATE_SHARD_COUNT_DURATION=$ms REGISTER_STREAM_CONSUMER_DURATION=$ms DEREGISTER_STREAM_CONSUMER_DURATION=$ms \
    START_STREAM_ENCRYPTION_DURATION=$ms STOP_STREAM_ENCRYPTION_DURATION=$ms UPDATE_STREAM_MODE_DURATION=$ms \
    SHARD_LIMIT="${STACK_KINESIS_SHARD_LIMIT:-50}" \
    SHOULD_PERSIST_DATA="${STACK_KINESIS_PERSIST:-false}" PERSIST_PATH="$STACK_DIR/kinesis-data" \
    PERSIST_INTERVAL="${STACK_KINESIS_PERSIST_INTERVAL:-1s}" LOG_LEVEL="${STACK_KINESIS_LOG_LEVEL:-WARN}" \
    SHARD_LIMIT="${STACK_KINESIS_SHARD_LIMIT:-50}" node "$dst/main.js" >>"$STACK_DIR/kinesis.log" 2>&1 </dev/null &
}

stack_start_kinesis() {
  stack_init
  stack_patch_kinesis || return 1
  local try port tls pid
  # A new kinesis-local starts empty: a state file left by an earlier one in this run folder (a backlog
  # injection persists it) would be loaded and could take a minute.
  rm -rf "$STACK_DIR/kinesis-data"
  for try in 1 2 3; do
    port=$(stack_free_port); tls=$(stack_free_port)
    [ "$port" != "$tls" ] || continue
    stack_kinesis_launch "$port" "$tls"
    pid=$!
    STACK_PIDS+=("$pid")
    export KINESIS_PID=$pid KINESIS_PORT=$port KINESIS_TLS_PORT=$tls KINESIS_ENDPOINT="http://127.0.0.1:$port"
    export KINESIS_UPSTREAM_PORT=$port KINESIS_UPSTREAM_ENDPOINT="http://127.0.0.1:$port"
    if stack_aws wait-ready kinesis 30000 && kill -0 "$pid" 2>/dev/null; then
      stack_log "kinesis-local pid $pid on 127.0.0.1:$port (tls $tls), log $STACK_DIR/kinesis.log"
      [ "${STACK_KINESIS_LIMITS:-on}" = off ] && return 0
      stack_start_kinesis_limits && return 0
      stack_kill_pid "$pid" 5
      unset KINESIS_PID
      return 1
    fi
    stack_log "kinesis-local did not come up on $port (try $try); log tail:"; tail -5 "$STACK_DIR/kinesis.log" >&2
    stack_kill_pid "$pid" 5
  done
  unset KINESIS_PID
  return 1
}

# stack_start_kinesis_limits: the read-limits proxy in front of KINESIS_UPSTREAM_ENDPOINT (called by
# stack_start_kinesis); on success KINESIS_ENDPOINT/KINESIS_PORT are the proxy's.
stack_start_kinesis_limits() {
  local try port pid
  for try in 1 2 3; do
    port=$(stack_free_port)
    node "$STACK_ROOT/scripts/lib/kinesis-limits.mjs" --upstream "$KINESIS_UPSTREAM_ENDPOINT" --port "$port" \
      >>"$STACK_DIR/kinesis-limits.log" 2>&1 </dev/null &
    pid=$!
    STACK_PIDS+=("$pid")
    export KINESIS_LIMITS_PID=$pid KINESIS_PORT=$port KINESIS_ENDPOINT="http://127.0.0.1:$port"
    if stack_aws wait-ready kinesis 10000 && kill -0 "$pid" 2>/dev/null; then
      stack_log "kinesis-limits pid $pid on 127.0.0.1:$port (Kinesis read limits), log $STACK_DIR/kinesis-limits.log"
      return 0
    fi
    stack_log "kinesis-limits did not come up on $port (try $try); log tail:"; tail -5 "$STACK_DIR/kinesis-limits.log" >&2
    stack_kill_pid "$pid" 5
  done
  unset KINESIS_LIMITS_PID
  export KINESIS_PORT=$KINESIS_UPSTREAM_PORT KINESIS_ENDPOINT=$KINESIS_UPSTREAM_ENDPOINT
  return 1
}

# ---------------------------------------------------------------------------------------------- dynalite
stack_start_dynalite() {
  stack_init
  local try port pid path_args=()
  [ "${STACK_DYNAMO_PERSIST:-false}" = true ] && path_args=(--path "$STACK_DIR/dynamo-data")
  for try in 1 2 3; do
    port=$(stack_free_port)
    node "$STACK_ROOT/node_modules/dynalite/cli.js" --host 127.0.0.1 --port "$port" "${path_args[@]}" \
      --createTableMs "$STACK_STATE_MS" --deleteTableMs "$STACK_STATE_MS" --updateTableMs "$STACK_STATE_MS" \
      >>"$STACK_DIR/dynalite.log" 2>&1 </dev/null &
    pid=$!
    STACK_PIDS+=("$pid")
    export DYNAMO_PID=$pid DYNAMO_PORT=$port DYNAMO_ENDPOINT="http://127.0.0.1:$port"
    if stack_aws wait-ready dynamodb 15000 && kill -0 "$pid" 2>/dev/null; then
      stack_log "dynalite pid $pid on 127.0.0.1:$port, log $STACK_DIR/dynalite.log"
      return 0
    fi
    stack_log "dynalite did not come up on $port (try $try)"; tail -5 "$STACK_DIR/dynalite.log" >&2
    stack_kill_pid "$pid" 5
  done
  unset DYNAMO_PID
  return 1
}

# stack_start: both emulators (idempotent: a running one is kept).
stack_start() {
  stack_init
  if [ -z "${DYNAMO_PID:-}" ] || ! kill -0 "$DYNAMO_PID" 2>/dev/null; then stack_start_dynalite || return 1; fi
  if [ -z "${KINESIS_PID:-}" ] || ! kill -0 "$KINESIS_PID" 2>/dev/null; then stack_start_kinesis || return 1; fi
}

# stack_stop: stops the emulators (and the daemon, if running) that this shell started.
stack_stop() {
  daemon_stop || true
  if [ -n "${KINESIS_LIMITS_PID:-}" ]; then stack_kill_pid "$KINESIS_LIMITS_PID" 10; fi
  if [ -n "${KINESIS_PID:-}" ]; then stack_kill_pid "$KINESIS_PID" 10; fi
  if [ -n "${DYNAMO_PID:-}" ]; then stack_kill_pid "$DYNAMO_PID" 10; fi
  unset KINESIS_LIMITS_PID KINESIS_PID DYNAMO_PID
  return 0
}

# stack_check_loopback: fails if any process we started listens on anything but 127.0.0.1.
stack_check_loopback() {
  local pid bad=0 line
  for pid in "${STACK_PIDS[@]}" ${DAEMON_PID:-}; do
    [ -n "$pid" ] || continue
    while read -r line; do
      case "$line" in
        *"127.0.0.1:"*) ;;
        *) stack_log "NOT loopback (pid $pid): $line"; bad=1 ;;
      esac
    done < <(ss -Hltnp 2>/dev/null | grep "pid=$pid," | awk '{print $4}')
  done
  return $bad
}

# ---------------------------------------------------------------------------------- streams and leases
stack_create_stream() { stack_aws create-stream "$1" "${2:-1}"; }        # NAME [SHARDS]: create, wait ACTIVE
stack_wait_stream_active() { stack_aws wait-stream-active "$1"; }        # NAME
stack_delete_stream() { stack_aws kinesis DeleteStream "{\"StreamName\":\"$1\",\"EnforceConsumerDeletion\":true}" >/dev/null; }
stack_list_shards() { stack_aws list-shards "$1"; }                      # id parent adjParent startHash endHash open|closed
stack_open_shards() { stack_aws list-shards "$1" | awk '$6=="open"{print $1}'; }
stack_split_shard() { stack_aws split-shard "$1" "$2"; }                 # NAME SHARD_ID -> prints child ids
stack_create_lease_table() { stack_aws create-lease-table "$1"; }        # TABLE (= applicationName)
stack_delete_table() { stack_aws delete-table "$1"; }
stack_scan_leases() { stack_aws scan "$1"; }                             # TABLE -> JSON array on stdout
# stack_fresh_lost SENT_LOG TRANSCRIPTS DAEMON_LOG RESTART_MS MAX_REPLAY_S TO_MS SHARD...: prints
# "<lost> <of>": the records the producer sent (its --sent-log) into these shards that no processor
# received (--record-transcript), counted per shard from its fixer's decision minus maxReplay (the
# cutoff: "lease X starts stale from" in the daemon log) or, without a decision, from the restart,
# up to TO_MS.
stack_fresh_lost() {
  local sent=$1 transcripts=$2 log=$3 restart=$4 replay_s=$5 to=$6 c line from l o lost=0 of=0
  shift 6
  for c in "$@"; do
    from=$restart
    line="$(grep -E "lease $c starts stale from" "$log" | grep -E '^[0-9]{4}-' | head -1 || true)"
    [ -n "$line" ] && from=$(( $(date -d "$(tr , . <<<"${line:0:23}")" +%s%3N) - replay_s * 1000 ))
    read -r l o _ < <(node "$STACK_ROOT/tests/daemon/e2e.mjs" lost "$sent" "$transcripts" "$from" "$to" "$c")
    lost=$((lost + l)) of=$((of + o))
  done
  echo "$lost $of"
}
# stack_seed_leases TABLE STREAM [LATEST|TRIM_HORIZON]: one unowned lease per open shard, so the daemon skips
# its random 1-30 s "lease table is still empty" wait at start-up (prints the shard ids seeded).
stack_seed_leases() { stack_aws seed-leases "$@"; }
# stack_rewrite_lease TABLE LEASE_KEY [--remove-owner]: kcl-multilang.md §5 rewrite to checkpoint LATEST.
stack_rewrite_lease() { stack_aws rewrite-lease "$@"; }

# ----------------------------------------------------------------------------------------- properties
# stack_write_properties TEMPLATE OUT [KEY=VALUE...]: copies TEMPLATE to OUT replacing @KEY@ placeholders.
# Always available: @KINESIS_PORT@ @DYNAMO_PORT@ @KINESIS_ENDPOINT@ @DYNAMO_ENDPOINT@ @ROOT@ (repo root,
# absolute) @PROPERTIES@ (OUT, absolute) and, with defaults, @STREAM@ @APP@ @EXECUTABLE@ @FAILOVER_MS@ (10000)
# @SHUTDOWN_GRACE_MS@ (30000) @INITIAL_POSITION@ (LATEST) @SHARD_SYNC_MS@ (60000) @PARENT_POLL_MS@ (10000)
# @IDLE_MS@ (idleTimeBetweenReadsInMillis, 250; the KCL's default is 1500);
# KEY=VALUE pairs override or add. Fails on any placeholder left. Comment lines of the template are dropped.
# Template per KCL tree: stack_properties_template VERSION.
stack_write_properties() {
  local template=$1 out=$2; shift 2
  [ -f "$template" ] || { stack_log "no template $template"; return 1; }
  mkdir -p "$(dirname "$out")"
  local abs_out; abs_out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
  local -A v=(
    [KINESIS_PORT]="${KINESIS_PORT:-}" [DYNAMO_PORT]="${DYNAMO_PORT:-}"
    [KINESIS_ENDPOINT]="${KINESIS_ENDPOINT:-}" [DYNAMO_ENDPOINT]="${DYNAMO_ENDPOINT:-}"
    [ROOT]="$STACK_ROOT" [PROPERTIES]="$abs_out"
    [STREAM]="${STACK_STREAM:-active-users-local}" [APP]="${STACK_APP:-active-users-local}"
    [EXECUTABLE]="$STACK_ROOT/build/active-users"
    [FAILOVER_MS]=10000 [SHUTDOWN_GRACE_MS]=30000 [INITIAL_POSITION]=LATEST
    [SHARD_SYNC_MS]=60000 [PARENT_POLL_MS]=10000 [IDLE_MS]=250
  )
  local kv
  for kv in "$@"; do v[${kv%%=*}]="${kv#*=}"; done
  case "$STACK_ROOT$abs_out${v[EXECUTABLE]}" in
    *" "*) stack_log "paths with spaces break executableName (the daemon splits it on spaces)"; return 1 ;;
  esac
  local text k left
  text="$(grep -v '^[[:space:]]*[#!]' "$template")"   # comments are dropped (they may mention @NAME@)
  for k in "${!v[@]}"; do text="${text//@$k@/${v[$k]}}"; done
  left="$(grep -o '@[A-Z_]*@' <<<"$text" | sort -u | tr '\n' ' ' || true)"
  if [ -n "$left" ]; then
    stack_log "unfilled placeholders in $template: $left"
    return 1
  fi
  printf '%s\n' "$text" >"$out"
}

# stack_properties_template VERSION: the committed template for that KCL tree (2.x keys differ, see the file).
stack_properties_template() {
  case "${1:-3.5.1}" in
    2.*) echo "$STACK_ROOT/properties/local-2x.properties" ;;
    *) echo "$STACK_ROOT/properties/local.properties" ;;
  esac
}

# --------------------------------------------------------------------------------------------- daemon
# daemon_jars VERSION: the folder with that KCL tree's jars (scripts/setup-stack fetches them);
# STACK_DAEMON_JARS overrides it (bench/pipeline runs on a private copy).
daemon_jars() { echo "${STACK_DAEMON_JARS:-$STACK_ROOT/.daemon/${1:-3.5.1}/jars}"; }

# daemon_java_opts VERSION [PROPERTIES]: the JVM options of the stack's daemons: DAEMON_JAVA_OPTS if set (empty =
# none), else the production launcher's defaults for that properties file (one source: the heap sized by the
# stream's open shards), plus the JSON wire (-Daws.cborEnabled=false: the read-limits proxy speaks JSON only)
# unless STACK_DAEMON_CBOR=on.
daemon_java_opts() {
  local opts
  if [ -n "${DAEMON_JAVA_OPTS+set}" ]; then opts=$DAEMON_JAVA_OPTS
  else opts="$(env -u JAVA_OPTS KCL_JARS="$(daemon_jars "${1:-3.5.1}")" "$STACK_ROOT/scripts/run" --print-java-opts \
                 --kcl "${1:-3.5.1}" ${2:+--properties "$2"} 2>/dev/null)" || return 1
  fi
  [ "${STACK_DAEMON_CBOR:-off}" = on ] || opts+=" -Daws.cborEnabled=false"
  echo "$opts"
}

# daemon_start VERSION PROPERTIES [LOG]: starts the MultiLangDaemon in the repo root (the working directory
# matters: the daemon runs executableName as given, relative paths resolve against it). Sets DAEMON_PID,
# DAEMON_LOG. JVM options: daemon_java_opts (the launcher's defaults: the daemon runs as in production).
daemon_start() {
  stack_init
  local version=${1:-3.5.1} props=$2 jars
  jars="$(daemon_jars "$version")"
  ls "$jars"/amazon-kinesis-client-multilang-*.jar >/dev/null 2>&1 || {
    stack_log "no daemon jars in $jars: run scripts/setup-stack"; return 1; }
  [ -f "$props" ] || { stack_log "no properties file $props"; return 1; }
  props="$(cd "$(dirname "$props")" && pwd)/$(basename "$props")"
  if [ -n "${DAEMON_PID:-}" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
    stack_log "daemon already running (pid $DAEMON_PID)"; return 1
  fi
  DAEMON_LOG=${3:-$STACK_DIR/daemon-$version.log}
  local opts; opts="$(daemon_java_opts "$version" "$props")" || return 1
  # shellcheck disable=SC2086
  (cd "$STACK_ROOT" && exec java $opts -Dfile.encoding=UTF-8 \
      -cp "$jars/*" software.amazon.kinesis.multilang.MultiLangDaemon --properties-file "$props") \
    >>"$DAEMON_LOG" 2>&1 </dev/null &
  DAEMON_PID=$!
  export DAEMON_PID DAEMON_LOG
  stack_log "daemon KCL $version pid $DAEMON_PID, log $DAEMON_LOG"
}

# daemon_stop [timeout_seconds=45]: SIGTERM (graceful: shutdownGraceMillis), then SIGKILL after the timeout.
daemon_stop() {
  [ -n "${DAEMON_PID:-}" ] || return 0
  stack_kill_pid "$DAEMON_PID" "${1:-45}"
  unset DAEMON_PID
}

# daemon_wait_log REGEX [timeout_seconds=60] [FILE=$DAEMON_LOG]: waits for an extended regex in the log.
daemon_wait_log() {
  local re=$1 t=${2:-60} f=${3:-$DAEMON_LOG} i
  for ((i = 0; i < t * 10; i++)); do
    grep -Eq -- "$re" "$f" 2>/dev/null && return 0
    if [ -n "${DAEMON_PID:-}" ] && ! kill -0 "$DAEMON_PID" 2>/dev/null; then
      stack_log "daemon exited while waiting for /$re/"; return 1
    fi
    sleep 0.1
  done
  stack_log "timed out after ${t}s waiting for /$re/ in $f"
  return 1
}

# daemon_running: true while the daemon we started is alive.
daemon_running() { [ -n "${DAEMON_PID:-}" ] && kill -0 "$DAEMON_PID" 2>/dev/null; }

# ------------------------------------------------------------------------------------------- producer
# producer_start ARGS...: scripts/lib/producer.mjs in the background (PID in PRODUCER_PID, stopped by
# producer_stop or stack_cleanup). Example: producer_start --stream s --users 100 --period-ms 1000 --truth F
producer_start() {
  stack_init
  node "$STACK_ROOT/scripts/lib/producer.mjs" "$@" >>"$STACK_DIR/producer.log" 2>&1 </dev/null &
  PRODUCER_PID=$!
  STACK_PIDS+=("$PRODUCER_PID")
  export PRODUCER_PID
  stack_log "producer pid $PRODUCER_PID, log $STACK_DIR/producer.log"
}
producer_stop() {
  if [ -n "${PRODUCER_PID:-}" ]; then stack_kill_pid "$PRODUCER_PID" 10; fi
  unset PRODUCER_PID
  return 0
}

# Big backlogs of old records (stack_kinesis_inject_backlog, stack_kinesis_restart).
# shellcheck source=kinesis-backlog.sh
source "$STACK_ROOT/scripts/lib/kinesis-backlog.sh"
