#!/usr/bin/env bash
# The startup lease fixer for KCL applications that are not ours (issue 20; README "Using the lease fixer with
# your own KCL application"): the seed story with peer consumers.
#   node    a Node processor on the official client (npm aws-kcl) behaving as its sample does: it checkpoints at
#           every batch (tests/daemon/peers/node_sample_app.js), under the MultiLangDaemon of this KCL tree;
#   python  the official Python sample (samples/sample_kclpy_app.py of PyPI amazon-kclpy 3.2.0, run as it is: it
#           checkpoints every 60 s), under the MultiLangDaemon of this KCL tree;
#   java    a Java application with the KCL 3.x library inside (tests/daemon/peers/java/, never checkpoints while
#           processing), on the 3.x tree's jars.
# Per peer: 2 shards, leases seeded at LATEST, a producer of SEED_USERS users (1 heartbeat/s each, every record in a
# sent log); the peer starts the stock way; shard 0 is split and the KCL starts both children at TRIM_HORIZON; the
# peer stops; PEERS_BACKLOG heartbeats of users stale-* land in the children (older than maxReplay = E2E_TTL_S by
# the restart) while the producer runs on; then the peer restarts:
#   fix    the MultiLangDaemon peers through active-users-run --max-replay (check-config, the startup fixer, the
#          daemon); the Java one after `active-users fix-leases` with flags only (no properties file);
#   stock  (PEERS_STOCK=1) the same preparation and a plain restart, for the comparison.
# Asserted after a fixed restart: each child's lease was rewritten by the fixer and its new processor starts at that
# cut, not at TRIM_HORIZON; no record older than maxReplay when the fixer decided is delivered, and no record younger
# than that (sent while the peer was down, or after) is lost, on any shard; the lease table keeps its integrity. Measured: restart -> each shard live
# again (its first record sent after the restart delivered), and with PEERS_STOCK=1 the stock start's.
# Every processor's session is recorded by tests/daemon/peers/tap.mjs (the Java one writes the same format), so the
# checks are those of the other daemon tests (tests/daemon/e2e.mjs).
#   tests/daemon/peers.sh VERSION [PEER...]     default: node python, and java on a 3.x tree
# Env: PEERS_BACKLOG (20000), PEERS_STOCK=1, SEED_USERS (20), E2E_TTL_S (maxReplay, 12); PEERS_NODE_APP: another Node
# processor as the node peer (e.g. the client's own samples/basic_sample/consumer/sample_kcl_app.js from its
# repository, which CI cannot fetch; its log4js log goes to NODE_LOG_DIR, the test's folder); PEERS_ROWS_FILE: one line
# per story appended there, "<tree> <peer> <mode> <restart -> every shard live ms> <stale delivered> <lost> <of>
# <the fixer's own ms or ->" (bench/peers).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "${1:-3.5.1}" peers
source "$(dirname "${BASH_SOURCE[0]}")/seed_lib.sh"
shift || true
peers=("$@")
if ((${#peers[@]} == 0)); then
  peers=(node python)
  case "$E2E_VERSION" in 3.*) peers+=(java) ;; esac
fi
backlog=${PEERS_BACKLOG:-20000}
replay_s=${E2E_TTL_S:-12}
kclpy="$E2E_ROOT/.local-stack/peers/amazon_kclpy-3.2.0"
for p in "${peers[@]}"; do
  case "$p" in
    node) [ -f "$E2E_ROOT/node_modules/aws-kcl/index.js" ] || { echo "SKIPPED: no node_modules/aws-kcl: run scripts/setup-stack" >&2; exit 77; } ;;
    python) [ -f "$kclpy/samples/sample_kclpy_app.py" ] || { echo "SKIPPED: no $kclpy: run scripts/setup-stack" >&2; exit 77; }
            command -v python3 >/dev/null || { echo "SKIPPED: no python3" >&2; exit 77; } ;;
    java) command -v javac >/dev/null || { echo "SKIPPED: no javac (openjdk-17-jdk-headless)" >&2; exit 77; }
          ls "$(daemon_jars 3.5.1)"/amazon-kinesis-client-3.*.jar >/dev/null 2>&1 ||
            { echo "SKIPPED: no KCL 3.x jars: run scripts/setup-stack" >&2; exit 77; } ;;
    *) e2e_fail "unknown peer $p (node, python, java)" ;;
  esac
done
# The Python sample imports the package's own modules (nothing beyond the standard library); as if pip-installed.
export PYTHONPATH="$kclpy${PYTHONPATH:+:$PYTHONPATH}"
export NODE_LOG_DIR="$STACK_DIR"   # the Node client's samples log there (log4js), not into the repository

# peer_command PEER: the processor the MultiLangDaemon starts, behind the recording tap.
peer_command() {
  local tap="node $E2E_ROOT/tests/daemon/peers/tap.mjs $E2E_TRANSCRIPTS --"
  case "$1" in
    node) echo "$tap node ${PEERS_NODE_APP:-$E2E_ROOT/tests/daemon/peers/node_sample_app.js}" ;;
    python) echo "$tap python3 $kclpy/samples/sample_kclpy_app.py" ;;
  esac
}
# peer_properties PEER OUT: the test stack's daemon file (failover 3 s, polling at the KCL's default 1.5 s) with the
# peer as executableName, a stable workerId (as the README recommends; on KCL 3.x a new id at each start makes the
# restarted worker wait for its leader's reassignment) and no activeUsers key at all.
peer_properties() {
  stack_write_properties "$(stack_properties_template "$E2E_VERSION")" "$2" STREAM="$E2E_STREAM" APP="$E2E_APP" \
    FAILOVER_MS=3000 SHARD_SYNC_MS=1000 PARENT_POLL_MS=1000 SHUTDOWN_GRACE_MS=10000 IDLE_MS=1500 EXECUTABLE=PEER
  sed -i "s|^executableName = PEER .*|executableName = $(peer_command "$1")|" "$2"
  echo "workerId = peer-$1" >>"$2"
  grep -q "^executableName = node $E2E_ROOT/tests/daemon/peers/tap.mjs" "$2" || e2e_fail "no peer executableName in $2"
  ! grep -q '^activeUsers\.' "$2" || e2e_fail "$2 has activeUsers keys: it must be a peer's file"
}
# Start and stop the peer: the MultiLangDaemon ones as the stack starts daemons (DAEMON_PID), the Java one itself.
peer_start() {   # PEER MODE(first|stock|fix) LOG
  local peer=$1 mode=$2 log=$3
  if [ "$peer" = java ]; then
    if [ "$mode" = fix ]; then
      "$BIN" fix-leases --table "$E2E_APP" --stream "$E2E_STREAM" --region us-east-1 \
        --kinesis-endpoint "$KINESIS_ENDPOINT" --dynamodb-endpoint "$DYNAMO_ENDPOINT" \
        --max-replay "${replay_s}s" --apply --resume-latest >>"$log" 2>&1 || e2e_fail "fix-leases (flags only) failed: $log"
    fi
    KCL_JARS="$(daemon_jars 3.5.1)" bash "$E2E_ROOT/tests/daemon/peers/java/run.sh" --stream "$E2E_STREAM" \
      --app "$E2E_APP" --region us-east-1 --kinesis-endpoint "$KINESIS_ENDPOINT" --dynamodb-endpoint "$DYNAMO_ENDPOINT" \
      --transcripts "$E2E_TRANSCRIPTS" --worker-id "peer-java" --failover-ms 3000 --shard-sync-ms 1000 --parent-poll-ms 1000 \
      --idle-ms 1500 >>"$log" 2>&1 </dev/null &
    DAEMON_PID=$! DAEMON_LOG=$log
    STACK_PIDS+=("$DAEMON_PID")
    return
  fi
  if [ "$mode" = fix ]; then
    # What a user runs: active-users-run with the peer's own file. JAVA_OPTS: the launcher's defaults plus the
    # test stack's JSON wire (daemon_java_opts); the daemon's copy of the file goes to the test's folder.
    local opts; opts="$(daemon_java_opts "$E2E_VERSION" "$PEER_PROPS")" || e2e_fail "no JVM options for $PEER_PROPS"
    (cd "$E2E_ROOT" && exec env JAVA_OPTS="$opts" KCL_JARS="$(daemon_jars "$E2E_VERSION")" ACTIVE_USERS_BIN="$BIN" \
       RUNTIME_DIRECTORY="$STACK_DIR" "$E2E_ROOT/scripts/run" --properties "$PEER_PROPS" --kcl "$E2E_VERSION" \
       --max-replay "${replay_s}s") >>"$log" 2>&1 </dev/null &
    DAEMON_PID=$! DAEMON_LOG=$log
    E2E_DAEMON_PIDS+=("$DAEMON_PID")
  else
    e2e_daemon_start "$PEER_PROPS" "$log"
  fi
}
# peer_started SHARD CHECKPOINT_REGEX [SINCE_MS]: a processor of SHARD was initialized at a matching checkpoint.
peer_started() {
  transcripts | awk -v s="$1" -v re="^($2)\$" -v since="${3:-0}" '$2 == s && $3 ~ re && $4 >= since { f = 1 } END { exit !f }'
}
# The first processor of SHARD started at/after SINCE: its initial checkpoint.
peer_initial() { transcripts | awk -v s="$1" -v since="$2" '$2 == s && $4 >= since { print $3; exit }'; }

# peer_story PEER MODE: the whole story; sets STORY_LIVE[shard] (ms after the restart), STORY_STALE (records older than
# maxReplay at the fixer's start, or at a stock restart, delivered after it), STORY_LOST / STORY_OF (younger records
# not delivered / checked), STORY_FIXER_MS (the fixer's own run; "-" for stock).
declare -A STORY_LIVE=()
peer_story() {
  local peer=$1 mode=$2 name="peer-$1-$2" c1 c2 s t
  stack_stop
  STACK_KINESIS_PERSIST=true e2e_stack "$name" 2
  PEER_PROPS="$STACK_DIR/$name.properties"
  local sent="$STACK_DIR/$name-sent.log" truth="$STACK_DIR/$name-truth.json"
  if [ "$peer" != java ]; then
    peer_properties "$peer" "$PEER_PROPS"
    "$BIN" check-config --properties "$PEER_PROPS" >"$STACK_DIR/$name-check-config.txt" 2>&1 ||
      e2e_fail "check-config refused the peer's file: $(cat "$STACK_DIR/$name-check-config.txt")"
    e2e_check "$name: check-config reads the peer's file and says what it cannot check" \
      grep -q "not active-users" "$STACK_DIR/$name-check-config.txt"
  fi
  local producer=(--stream "$E2E_STREAM" --users "$SEED_USERS" --period-ms 1000 --truth "$truth" --truth-every-ms 500
                  --duration-s 0 --rate-every-ms 10000 --sent-log "$sent" $SEED_PRODUCER_ARGS)
  producer_start "${producer[@]}"
  peer_start "$peer" first "$STACK_DIR/$name-1.log"
  e2e_check "$name: both shards initialized within 90 s" wait_until 90 \
    eval 'peer_started shardId-000000000000 LATEST && peer_started shardId-000000000001 LATEST'
  sleep 2
  read -r c1 c2 <<<"$(stack_split_shard "$E2E_STREAM" shardId-000000000000 | tr '\n' ' ')"
  e2e_check "$name: children $c1 $c2 started at TRIM_HORIZON (the KCL's hard-coded position) within 60 s" wait_until 60 \
    eval 'peer_started "$c1" TRIM_HORIZON && peer_started "$c2" TRIM_HORIZON'
  sleep 2
  e2e_note_children
  t=$(now_ms)
  stack_kill_pid "$DAEMON_PID" 45
  e2e_say "$name: stopped in $(secs $(( $(now_ms) - t ))) s"
  producer_stop
  STACK_BACKLOG_MAX_RATE=0 stack_kinesis_inject_backlog "$E2E_STREAM" "$backlog" 3600 0 "$c1" "$c2" ||
    e2e_fail "backlog injection failed"
  # The producer runs on while the consumer is down: at the restart the shards hold records older than maxReplay
  # (to be skipped) and younger ones (to be delivered), on both sides of the cut.
  producer_start "${producer[@]}"
  e2e_say "$name: $backlog stale records in $c1 $c2; the producer runs on; restart in $((replay_s + 2)) s"
  sleep $((replay_s + 2))

  STORY_RESTART_MS=$(now_ms)
  peer_start "$peer" "$mode" "$STACK_DIR/$name-2.log"
  STORY_LIVE=()
  local open="shardId-000000000001 $c1 $c2" bound=90
  [ "$mode" = fix ] || bound=240
  all_live() {
    local s ms
    while read -r s ms _; do [ "$ms" != - ] && [ -z "${STORY_LIVE[$s]:-}" ] && STORY_LIVE[$s]=$ms; done \
      < <(node "$E2E_ROOT/tests/daemon/e2e.mjs" fresh-after "$E2E_TRANSCRIPTS" "$STORY_RESTART_MS")
    for s in $open; do [ -n "${STORY_LIVE[$s]:-}" ] || return 1; done
  }
  e2e_check "$name: every shard live again (a record sent after the restart delivered) within $bound s" wait_until "$bound" all_live
  sleep 3   # a few more seconds of fresh records for the loss check
  e2e_note_children
  # The window: a record older than maxReplay when the fixer decided must not be delivered, a younger one must. Each
  # lease is planned at its own time within the fixer's run ("N ms from <start>" in its report): older than
  # maxReplay at its start = stale for every plan, younger at its end = fresh for every plan. Without the fixer
  # (stock), the restart is both ends.
  local from_ms=$STORY_RESTART_MS to_ms=$STORY_RESTART_MS
  STORY_FIXER_MS=-
  if [ "$mode" = fix ]; then
    local summary elapsed started
    summary="$(grep -E '^applied: .* ms from [0-9T:.-]+Z' "$STACK_DIR/$name-2.log" | tail -1)"
    [ -n "$summary" ] || e2e_fail "$name: no report of the startup fixer in $STACK_DIR/$name-2.log"
    elapsed="$(sed -E 's/.*; ([0-9]+) ms from .*/\1/' <<<"$summary")"
    started="$(date -d "$(sed -E 's/.* ms from ([0-9T:.-]+Z).*/\1/' <<<"$summary")" +%s%3N)"
    from_ms=$started to_ms=$(( started + elapsed )) STORY_FIXER_MS=$elapsed
    e2e_figure "$peer fix: the startup fixer ran $(secs "$elapsed") s, $(secs $(( started - STORY_RESTART_MS ))) s after the restart"
  fi
  local stale_before=$(( from_ms - replay_s * 1000 )) fresh_from=$(( to_ms - replay_s * 1000 ))
  STORY_STALE=0
  while read -r s _ _ old _; do STORY_STALE=$((STORY_STALE + old)); done \
    < <(node "$E2E_ROOT/tests/daemon/e2e.mjs" delivered "$E2E_TRANSCRIPTS" "$STORY_RESTART_MS" "$stale_before")
  read -r STORY_LOST STORY_OF _ < <(node "$E2E_ROOT/tests/daemon/e2e.mjs" lost "$sent" "$E2E_TRANSCRIPTS" \
    "$fresh_from" $(( $(now_ms) - 3000 )) $open)
  read -r STORY_DOWN_OF _ < <(node "$E2E_ROOT/tests/daemon/e2e.mjs" lost "$sent" "$E2E_TRANSCRIPTS" \
    "$fresh_from" "$STORY_RESTART_MS" $open | awk '{ print $2 }')
  STORY_C1=$c1 STORY_C2=$c2
  if [ "$mode" = fix ]; then
    # The leaseOwner policy by the table's KCL generation (docs/leases.md): removed on a 2.x table, kept on 3.x.
    local owner=kept; case "$peer:$E2E_VERSION" in node:2.*|python:2.*) owner=removed ;; esac
    for s in $c1 $c2; do
      e2e_check "$name: the startup fixer rewrote $s, leaseOwner $owner" \
        grep -Eq "^$s .*rewritten .*leaseOwner $owner \\(auto" "$STACK_DIR/$name-2.log"
      local init; init="$(peer_initial "$s" "$STORY_RESTART_MS")"
      e2e_check "$name: $s's new processor starts at the cut (a sequence number), not at TRIM_HORIZON: $init" \
        eval '[[ "$init" =~ ^[0-9]+$ ]]'
    done
    e2e_check "$name: no record older than maxReplay ($replay_s s) when the fixer decided delivered ($STORY_STALE)" [ "$STORY_STALE" = 0 ]
    e2e_check "$name: records sent while it was down and younger than maxReplay were checked ($STORY_DOWN_OF)" [ "$STORY_DOWN_OF" -gt 0 ]
  else
    e2e_check "$name: the stock start replays the stale backlog ($STORY_STALE >= $backlog)" [ "$STORY_STALE" -ge "$backlog" ]
  fi
  e2e_check_none_of "$name: no record younger than maxReplay lost (sent while it was down or after)" "$STORY_LOST" "$STORY_OF"
  e2e_check "$name: lease table integrity" lease_integrity
  for s in $open; do e2e_figure "$peer $mode: $s restart -> live $(secs "${STORY_LIVE[$s]}") s"; done
  e2e_figure "$peer $mode: stale records delivered $STORY_STALE (backlog $backlog), fresh lost $STORY_LOST of $STORY_OF"
  [ -z "${PEERS_ROWS_FILE:-}" ] ||
    echo "$E2E_VERSION $peer $mode $(live_max) $STORY_STALE $STORY_LOST $STORY_OF $STORY_FIXER_MS" >>"$PEERS_ROWS_FILE"
  stack_kill_pid "$DAEMON_PID" 45
  unset DAEMON_PID
  producer_stop
}

live_max() { local m=0 s; for s in "${!STORY_LIVE[@]}"; do (( STORY_LIVE[$s] > m )) && m=${STORY_LIVE[$s]}; done; echo "$m"; }
for p in "${peers[@]}"; do
  peer_story "$p" fix
  fix_live=$(live_max)
  e2e_figure "$p fix: restart -> every shard live $(secs "$fix_live") s (stale delivered $STORY_STALE)"
  if [ "${PEERS_STOCK:-0}" = 1 ]; then
    peer_story "$p" stock
    e2e_figure "$p stock: restart -> every shard live $(secs "$(live_max)") s (stale delivered $STORY_STALE); with the fixer $(secs "$fix_live") s"
  fi
done
