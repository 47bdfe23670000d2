#!/usr/bin/env bash
# Scenario 1, steady state (docs/e2e.md): N users send a heartbeat every second; `active-users query` shows
# exactly the producer's ground-truth active set; after the producer stops every user drops out after the
# TTL. Then the lease table integrity checks (scenario 4).   tests/daemon/steady.sh VERSION
# E2E_RETRIEVAL=fanout (the ctest "daemon: steady-fanout VERSION"): the same under enhanced fan-out, and it
# checks that no GetRecords was made.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "${1:-3.5.1}" steady
users=40 ttl_s=${E2E_TTL_S:-12}

e2e_stack e2e-steady 2
props="$STACK_DIR/run.properties" truth="$STACK_DIR/truth.json"
e2e_properties "$props"
producer_start --stream "$E2E_STREAM" --users "$users" --period-ms 1000 --truth "$truth" --truth-every-ms 250 \
  --duration-s 0 --rate-every-ms 5000
launch=$(now_ms)
e2e_daemon_start "$props"
e2e_check "both shards initialized within 90 s" wait_until 90 \
  eval '[ "$(log_count "initialize: shard ")" -ge 2 ]'
e2e_figure "daemon launch -> both shards initialized: $(secs $(( $(now_ms) - launch ))) s"
e2e_check "all $users users active within 30 s" wait_until 30 active_count_is "$users"
e2e_figure "daemon launch -> all $users users active: $(secs $(( $(now_ms) - launch ))) s"

# The active set equals the ground truth, several times over 10 s (2.5 s slack for in-flight heartbeats
# and the 1 s snapshot interval).
for i in 1 2 3 4 5; do
  sleep 2
  e2e_check "active set = ground truth (sample $i)" compare_truth "$truth" 2500
done

# Producer stops: the last heartbeats are at most ~1 s old; every user must drop out TTL after its last one.
producer_stop
stopped=$(now_ms)
last_ts=$(node -e 'console.log(Math.max(...Object.values(JSON.parse(require("fs").readFileSync(process.argv[1])))))' "$truth")
e2e_check "users still active right after the stop" compare_truth "$truth" 2500
e2e_check "all users dropped out within TTL + 4 s" wait_until $((ttl_s + 4)) active_count_is 0
gone=$(now_ms)
e2e_figure "last heartbeat -> active set empty: $(secs $(( gone - last_ts ))) s (TTL ${ttl_s} s)"
e2e_check "no user dropped out before TTL - 2.5 s" [ $(( gone - last_ts )) -ge $(( ttl_s * 1000 - 2500 )) ]
# Half-way through the TTL everyone was still there (checked once more from the ground truth).
e2e_check_none "no leaseLost and no shutdown while steady (transcripts)" 'leaseLost|shutdown' transcripts
e2e_check_none "processors saw no malformed or stale records (stats lines)" 'stale=[1-9]|malformed=[1-9]' stats_lines
e2e_check "lease table integrity" lease_integrity
if [ "$E2E_RETRIEVAL" = fanout ]; then
  # Enhanced fan-out (docs/local-stack-notes.md "Enhanced fan-out"): the consumer was registered, and every
  # record came through SubscribeToShard: the read-limits proxy saw no GetRecords (its totals on SIGUSR1).
  e2e_check "fan-out: the daemon registered its stream consumer" grep -q "FanOutConsumerRegistration" "$DAEMON_LOG"
  no_getrecords() {
    kill -USR1 "$KINESIS_LIMITS_PID" && sleep 1 && grep -q "since start" "$STACK_DIR/kinesis-limits.log" &&
      ! grep -Eq ": [0-9]+ calls, throttled|GetRecords with foreign iterators" "$STACK_DIR/kinesis-limits.log"
  }
  e2e_check "fan-out: no GetRecords at all (the read-limits proxy's totals)" no_getrecords
fi
e2e_note_children
daemon_stop 30
transcripts
