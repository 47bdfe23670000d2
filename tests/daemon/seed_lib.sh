# shellcheck shell=bash
# The seed scenario (docs/e2e.md), shared by seed.sh, fix-leases.sh and bench/recovery. Source after lib.sh.
# It runs on the limited stack (the read-limits proxy in front of kinesis-local, scripts/lib/stack.sh) with
# the KCL's default polling settings (maxRecords 10000, idleTimeBetweenReadsInMillis 1500).
#
#   seed_prepare NAME FIX BACKLOG   a stream NAME with 2 shards (leases seeded at LATEST), a producer of
#                                   SEED_USERS users (1 heartbeat/s, every accepted record in SEED_SENT) and
#                                   the daemon with fixStaleLeases=FIX; split shard 0 while it runs; wait for
#                                   the children to start at TRIM_HORIZON; stop the daemon and the producer;
#                                   append BACKLOG heartbeats of users "stale-*" to the two children (written
#                                   straight into kinesis-local's state, scripts/lib/kinesis-backlog.sh; arrival
#                                   times between the children's last record and now) and wait past the TTL
#                                   (arrival time is what ages). Sets SEED_PROPS, SEED_CHILDREN ("c1 c2"),
#                                   SEED_OPEN, SEED_SENT, SEED_INJECT (the injection's figures).
#   seed_restart [WAIT_BACKLOG]     restart the producer and the daemon; per open shard measure the time to
#                                   the first live heartbeat applied (snapshots) and the time until the set
#                                   equals the producer's ground truth; with WAIT_BACKLOG=1 also wait until every
#                                   child reports millisBehindLatest=0. Sets SEED_RESTART_MS, SEED_LIVE[shard]
#                                   (ms after the restart), SEED_TRUTH_MS, SEED_CAUGHT_UP_MS.
#   seed_report                     per-shard table: processors, initial checkpoints, records that arrived
#                                   before the restart (= stale) delivered, skipped (stats stale), applied;
#                                   sets SEED_STALE_DELIVERED, SEED_STALE_SKIPPED, SEED_APPLIED (children).
#   seed_fresh_lost                 records the producer sent into the children that were younger than
#                                   maxReplay when that child's fixer decided (without a decision: sent after
#                                   the restart), up to 5 s ago, and that no processor received: sets
#                                   SEED_FRESH_LOST, SEED_FRESH_OF. Also SEED_LATEST_LOST, SEED_LATEST_OF: the
#                                   same for the unsplit shard, whose lease is at LATEST (the KCL starts it at
#                                   the tip when it takes it: what arrived during the restart is skipped; no
#                                   fixer touches it; docs/leases.md).
#   seed_cut CHILD                  the in-process fixer's cut of CHILD from the log: "<cut seq> <first record
#                                   after it>" (or "- -").
# SEED_PRODUCER_ARGS: extra producer.mjs arguments; default "--api PutRecord": kinesis-local's PutRecords
# costs each entry a pass over its target shard's whole record vector, which wedges it once the children
# hold a big backlog (docs/local-stack-notes.md, "Big backlogs, the fast way"); PutRecord does not.
# Each seed_prepare runs on new emulators (the previous part's are stopped): no state is carried over.
SEED_USERS=${SEED_USERS:-20}
SEED_PRODUCER_ARGS=${SEED_PRODUCER_ARGS---api PutRecord}
declare -A SEED_LIVE=()

seed_prepare() {
  local name=$1 fix=$2 backlog=$3
  SEED_BACKLOG=$backlog
  stack_stop   # a previous part's emulators, if any
  STACK_KINESIS_PERSIST=true e2e_stack "$name" 2
  SEED_PROPS="$STACK_DIR/$name.properties" SEED_TRUTH="$STACK_DIR/$name-truth.json" SEED_SENT="$STACK_DIR/$name-sent.log"
  e2e_properties "$SEED_PROPS" "activeUsers.fixStaleLeases=$fix" IDLE_MS=1500 ${SEED_EXTRA_PROPS:-}
  producer_start --stream "$E2E_STREAM" --users "$SEED_USERS" --period-ms 1000 --truth "$SEED_TRUTH" \
    --truth-every-ms 500 --duration-s 0 --rate-every-ms 10000 --sent-log "$SEED_SENT" ${SEED_PRODUCER_ARGS:-}
  e2e_daemon_start "$SEED_PROPS" "$STACK_DIR/daemon-$name-1.log"
  e2e_check "$name: both shards initialized within 90 s" wait_until 90 \
    eval '[ "$(log_count "initialize: shard ")" -ge 2 ]'
  sleep 2
  local split; split=$(now_ms)
  SEED_CHILDREN="$(stack_split_shard "$E2E_STREAM" shardId-000000000000 | tr '\n' ' ')"
  SEED_CHILDREN=${SEED_CHILDREN% }
  local c1 c2; read -r c1 c2 <<<"$SEED_CHILDREN"
  SEED_OPEN="shardId-000000000001 $c1 $c2"
  e2e_check "$name: children $c1 $c2 initialized at TRIM_HORIZON within 60 s" wait_until 60 \
    eval 'initialized "$c1" TRIM_HORIZON && initialized "$c2" TRIM_HORIZON'
  e2e_say "split -> children started: $(secs $(( $(now_ms) - split ))) s"
  sleep 2
  e2e_note_children
  local t; t=$(now_ms)
  daemon_stop 45
  e2e_say "daemon stopped (SIGTERM) in $(secs $(( $(now_ms) - t ))) s"
  producer_stop
  SEED_INJECT="no backlog"
  if (( backlog > 0 )); then
    # Dense on purpose: the backlog sits between the children's last live record and now (Kinesis's
    # 1,000 records/s per shard write limit would need minutes of waiting); what reading it costs is its
    # record count and bytes, not its time span.
    STACK_BACKLOG_MAX_RATE=0 stack_kinesis_inject_backlog "$E2E_STREAM" "$backlog" 3600 0 "$c1" "$c2" ||
      e2e_fail "backlog injection failed"
    SEED_INJECT="stop $(secs "$BACKLOG_STOP_MS") s, inject $(secs "$BACKLOG_INJECT_MS") s, load $(secs "$BACKLOG_LOAD_MS") s, RSS $((BACKLOG_RSS_KB / 1024)) MiB"
    e2e_say "backlog: $backlog records into $c1 $c2 ($SEED_INJECT); waiting past the TTL ($(( ${E2E_TTL_S:-12} + 2 )) s)"
  fi
  sleep $(( ${E2E_TTL_S:-12} + 2 ))
}

# The epoch ms of the daemon's timestamped (ERROR re-log) line that echoes our line matching REGEX.
daemon_line_ms() {
  local line ts
  line="$(grep -E -- "$1" "$DAEMON_LOG" | grep -E '^[0-9]{4}-' | head -1)" || return 1
  [ -n "$line" ] || return 1
  ts="${line:0:23}"
  date -d "${ts/,/.}" +%s%3N
}

seed_restart() {
  local wait_backlog=${1:-0} s c
  SEED_RESTART_MS=$(now_ms)
  producer_start --stream "$E2E_STREAM" --users "$SEED_USERS" --period-ms 1000 --truth "$SEED_TRUTH" \
    --truth-every-ms 500 --duration-s 0 --rate-every-ms 10000 --sent-log "$SEED_SENT" ${SEED_PRODUCER_ARGS:-}
  e2e_daemon_start "$SEED_PROPS" "$STACK_DIR/daemon-$E2E_APP-2.log"
  SEED_LIVE=() SEED_TRUTH_MS=""
  local deadline=$(( SEED_RESTART_MS + ${SEED_LIVE_BOUND_S:-90} * 1000 ))
  while (( $(now_ms) < deadline )); do
    while read -r s n _; do
      [ -n "$s" ] && (( n > 0 )) && [ -z "${SEED_LIVE[$s]:-}" ] && SEED_LIVE[$s]=$(( $(now_ms) - SEED_RESTART_MS ))
    done < <(node "$E2E_ROOT/tests/daemon/e2e.mjs" live "$E2E_STATE" "$SEED_RESTART_MS")
    e2e_note_children
    local all=1
    for s in $SEED_OPEN; do [ -n "${SEED_LIVE[$s]:-}" ] || all=0; done
    if (( all )) && [ -z "$SEED_TRUTH_MS" ] && compare_truth "$SEED_TRUTH" 2500 >/dev/null 2>&1; then
      SEED_TRUTH_MS=$(( $(now_ms) - SEED_RESTART_MS ))
    fi
    (( all )) && [ -n "$SEED_TRUTH_MS" ] && break
    sleep 0.3
  done
  for s in $SEED_OPEN; do
    [ -n "${SEED_LIVE[$s]:-}" ] || e2e_fail "$E2E_APP: no live heartbeat applied on $s within ${SEED_LIVE_BOUND_S:-90} s of the restart"
  done
  [ -n "$SEED_TRUTH_MS" ] || e2e_fail "$E2E_APP: the set did not equal the ground truth within ${SEED_LIVE_BOUND_S:-90} s"
  SEED_CAUGHT_UP_MS=""
  if (( wait_backlog )); then
    caught_up() {
      for c in $SEED_CHILDREN; do
        ours "$DAEMON_LOG" | grep -F "active-users[$c]" | grep 'stats:' | tail -1 | grep -q 'millisBehindLatest=0$' || return 1
      done
    }
    wait_until "${SEED_CATCHUP_BOUND_S:-240}" caught_up || e2e_fail "$E2E_APP: children not caught up"
    SEED_CAUGHT_UP_MS=$(( $(now_ms) - SEED_RESTART_MS ))
  fi
  sleep 2   # one more stats line per processor
}

# Sum over the processors of shard S (each restarts its counters): the last stats line of each.
shard_stats() {   # SHARD -> "applied stale"
  ours "$DAEMON_LOG" | awk -v tag="active-users[$1]" '
    index($0, tag) == 1 {
      if ($0 ~ /initialize: shard/) { if (have) { A += a; S += s }; have = 0 }
      if ($0 ~ / stats: /) {
        match($0, /applied=[0-9]+/); a = substr($0, RSTART + 8, RLENGTH - 8)
        match($0, /stale=[0-9]+/); s = substr($0, RSTART + 6, RLENGTH - 6); have = 1
      }
    }
    END { if (have) { A += a; S += s }; print A + 0, S + 0 }'
}

seed_report() {
  local s procs inits old fresh first last lost applied stale
  SEED_STALE_DELIVERED=0 SEED_STALE_SKIPPED=0 SEED_APPLIED=0
  printf '%-22s %5s %-24s %14s %12s %10s %12s %9s\n' shard procs initial-checkpoints stale-delivered stale-skipped applied first-live-s leaseLost
  while read -r s procs inits old fresh first last lost; do
    read -r applied stale < <(shard_stats "$s")
    printf '%-22s %5s %-24s %14s %12s %10s %12s %9s\n' "$s" "$procs" "$(abbrev_inits "$inits")" "$old" "$stale" "$applied" \
      "$( [ -n "${SEED_LIVE[$s]:-}" ] && secs "${SEED_LIVE[$s]}" || echo -)" "$lost"
    case " $SEED_CHILDREN " in
      *" $s "*) SEED_STALE_DELIVERED=$((SEED_STALE_DELIVERED + old)); SEED_STALE_SKIPPED=$((SEED_STALE_SKIPPED + stale))
                SEED_APPLIED=$((SEED_APPLIED + applied)) ;;
    esac
  done < <(node "$E2E_ROOT/tests/daemon/e2e.mjs" delivered "$E2E_TRANSCRIPTS" "$SEED_RESTART_MS" "$SEED_RESTART_MS")
}
# "TRIM_HORIZON,4959...0123" -> "TRIM_HORIZON,…00123" (sequence numbers shortened for the table).
abbrev_inits() { sed -E 's/[0-9]{10,}([0-9]{5})/…\1/g' <<<"$1"; }

seed_fresh_lost() {
  local to=$(( $(now_ms) - 5000 ))
  # shellcheck disable=SC2086
  read -r SEED_FRESH_LOST SEED_FRESH_OF < <(stack_fresh_lost "$SEED_SENT" "$E2E_TRANSCRIPTS" "$DAEMON_LOG" \
    "$SEED_RESTART_MS" "${E2E_TTL_S:-12}" "$to" $SEED_CHILDREN)
  read -r SEED_LATEST_LOST SEED_LATEST_OF < <(stack_fresh_lost "$SEED_SENT" "$E2E_TRANSCRIPTS" "$DAEMON_LOG" \
    "$SEED_RESTART_MS" "${E2E_TTL_S:-12}" "$to" shardId-000000000001)
}

seed_cut() {
  local line
  line="$(ours "$DAEMON_LOG" | grep -E "lease $1 cut: [0-9]+ " | head -1)" || true
  [ -n "$line" ] || { echo "- -"; return; }
  echo "$(grep -oE "cut: [0-9]+" <<<"$line" | cut -d' ' -f2) $(grep -oE "the first record after it: [0-9]+" <<<"$line" | awk '{print $NF}')"
}

# The in-process fixer's cut of CHILD -> the new processor's initialize at the cut, in ms (needs the
# transcripts); prints "cut_after_restart_ms init_after_cut_ms".
seed_rewrite_timing() {
  local c=$1 rw init
  rw=$(daemon_line_ms "lease $c cut: ") || { echo "- -"; return; }
  init=$(node "$E2E_ROOT/tests/daemon/e2e.mjs" delivered "$E2E_TRANSCRIPTS" "$SEED_RESTART_MS" "$SEED_RESTART_MS" |
         awk -v s="$c" '$1 == s { print $7 }')
  echo "$(( rw - SEED_RESTART_MS )) $(( init - rw ))"
}
