#!/usr/bin/env bash
# Issue 5, warm start (docs/active-set.md "Warm start"): no active user disappears from `query --state-dir`
# when the daemon restarts at LATEST or a shard splits. 40 users heartbeat every 20 s on a 2-shard stream, TTL
# 120 s (the production default), one shared stateDir. The set is sampled every 0.5 s throughout.
#   1. control: restart with activeUsers.warmStart = false. The new processors start empty at LATEST and their
#      first snapshots replace the old ones, so users vanish until their next heartbeat: the samples MUST see
#      that (it shows they can), and the figure says how many and for how long.
#   2. restart with the warm start: each new processor logs exactly its shard's user count from its own
#      snapshot, and no user is missing in any sample.
#   3. live split of shard 0: each child logs the parent's final user count "from parents [shard 0]"; no user
#      is missing in any sample, and from the children's first snapshots on, the set WITHOUT the parent's
#      snapshot (what a reader sees once the ended parent's file is gone) misses no one either.
# A restart is sampled from the moment the stopped daemon has exited (its processors wrote their final
# snapshots) until a heartbeat period after the set equals the ground truth again, every user refreshed, with a
# processor running for each shard: KCL 3.5.1 (random workerId) lets its leader give one lease to the STOPPED
# worker ~12 s after the restart and takes it back ~25 s later, so a 3.5.1 restart includes a lease move.
#   tests/daemon/warm-start.sh VERSION
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "${1:-3.5.1}" warm-start
export E2E_TTL_S=${E2E_TTL_S:-120}
users=40 period_ms=20000 ttl_ms=$((E2E_TTL_S * 1000))
s0=shardId-000000000000 s1=shardId-000000000001

e2e_stack e2e-warm-start 2
truth="$STACK_DIR/truth.json" view="$STACK_DIR/view"
e2e_properties "$STACK_DIR/warm.properties"
e2e_properties "$STACK_DIR/cold.properties" activeUsers.warmStart=false
producer_start --stream "$E2E_STREAM" --users "$users" --period-ms "$period_ms" --truth "$truth" \
  --truth-every-ms 250 --duration-s 0 --rate-every-ms 20000

# The set = the ground truth; lastSeen may lag by a period + 4.5 s (the newest heartbeat can be in flight).
in_truth() { compare_truth "$truth" 2500 $((period_ms + 4500)); }
missing_in() {   # DIR: e2e.mjs missing on `query --state-dir DIR`
  "$BIN" query --state-dir "$1" --json 2>/dev/null | node "$E2E_ROOT/tests/daemon/e2e.mjs" missing "$truth" "$ttl_ms" 2000
}
# The set as it would be without the parent's snapshot (the other shards' files only).
children_view() {
  rm -rf "$view" && mkdir -p "$view"
  find "$E2E_STATE" -maxdepth 1 -name 'shardId-*.json' ! -name "$s0.json" ! -name '*.stats.json' -exec cp {} "$view/" \;
}
# users_in SHARD: users in that shard's snapshot (any age).
users_in() { node "$E2E_ROOT/tests/daemon/e2e.mjs" live "$E2E_STATE" 0 | awk -v s="$1" '$1 == s { print $2 }'; }
# warm_started SHARD REGEX [FROM_LINE]: the shard's processors logged a warm start, every one of them REGEX. (KCL
# 3.5.1 may hand a lease back and forth after a restart: each new processor warm-starts again.)
warm_started() {
  local lines; lines="$(ours "$DAEMON_LOG" "${3:-1}" | grep "^active-users\[$1\] info: warm start: " || true)"
  [ -n "$lines" ] && ! grep -Evq -- "warm start: $2\$" <<<"$lines"
}

# sample DIR_CMD DONE_CMD LIMIT_S: samples `missing` every 0.5 s (DIR_CMD prints the folder to read) until
# DONE_CMD succeeds, then for one more heartbeat period + 3 s. Sets S_SAMPLES, S_MAX (most users missing in a
# sample), S_WORST, S_GONE_MS (time from the first to the last sample with someone missing), S_DONE_MS (0 = never).
sample() {
  local dir_cmd=$1 done_cmd=$2 limit=$3 t0 t out miss first=0 last=0
  S_SAMPLES=0 S_MAX=0 S_WORST="" S_DONE_MS=0 t0=$(now_ms)
  while (( $(now_ms) - t0 < limit * 1000 )); do
    t=$(now_ms)
    out="$(missing_in "$($dir_cmd)" || true)"
    read -r miss _ <<<"$out"
    [[ "$miss" =~ ^[0-9]+$ ]] || { e2e_say "sample: no comparison ($out)"; miss=$users; }
    S_SAMPLES=$((S_SAMPLES + 1))
    if (( miss > 0 )); then
      (( first )) || first=$t
      last=$t
      (( miss > S_MAX )) && { S_MAX=$miss S_WORST="$out"; }
    fi
    if (( S_DONE_MS == 0 )) && $done_cmd; then S_DONE_MS=$(now_ms); fi
    if (( S_DONE_MS && $(now_ms) - S_DONE_MS >= period_ms + 3000 )); then break; fi
    e2e_note_children
    local left=$((500 - ($(now_ms) - t)))
    (( left > 0 )) && sleep "$(awk -v ms="$left" 'BEGIN { printf "%.3f", ms / 1000 }')"
  done
  S_GONE_MS=$(( first ? last - first + 500 : 0 ))
}
state_dir() { echo "$E2E_STATE"; }

# restart NAME PROPS: SIGTERM the daemon, note each shard's user count in its final snapshot, start the daemon
# again with PROPS (log daemon-NAME.log) and sample the set until both shards' processors run (at LATEST), have
# refreshed every user, and the set equals the ground truth. Sets COUNT_S0/COUNT_S1 and S_*.
restart() {
  local name=$1 props=$2 t_stop
  e2e_note_children
  t_stop=$(now_ms)
  daemon_stop 45
  e2e_say "$name: daemon stopped in $(secs $(($(now_ms) - t_stop))) s"
  COUNT_S0=$(users_in $s0) COUNT_S1=$(users_in $s1)
  e2e_say "$name: final snapshots: $s0 $COUNT_S0 users, $s1 $COUNT_S1 users"
  e2e_daemon_start "$props" "$STACK_DIR/daemon-$name.log"
  local up; up=$(now_ms)
  restarted() {   # a processor per shard, every user refreshed by the new processors, the set = the truth
    initialized $s0 LATEST && initialized $s1 LATEST && [ "$(ps -o pid= --ppid "$DAEMON_PID" | wc -l)" = 2 ] &&
      [ "$(node "$E2E_ROOT/tests/daemon/e2e.mjs" live "$E2E_STATE" "$up" | awk '{ n += $2 } END { print n + 0 }')" = "$users" ] &&
      in_truth >/dev/null
  }
  sample state_dir restarted 180
  e2e_figure "$name: SIGTERM -> the set = ground truth again: $(secs $((S_DONE_MS ? S_DONE_MS - t_stop : 0))) s;" \
    "users missing from query --state-dir: at most $S_MAX of $users, for $(secs "$S_GONE_MS") s ($S_SAMPLES samples)"
  e2e_check "$name: both shards re-initialized at LATEST and the set = ground truth again" [ "$S_DONE_MS" -gt 0 ]
}

# ---- before: everybody active
e2e_daemon_start "$STACK_DIR/warm.properties" "$STACK_DIR/daemon-first.log"
e2e_check "all $users users active within 120 s" wait_until 120 active_count_is "$users"
e2e_check "active set = ground truth" in_truth

# ---- 1. control: restart without the warm start
restart cold "$STACK_DIR/cold.properties"
e2e_check_none "control: no warm start was logged (processor log)" 'warm start:' ours
e2e_check "control: the samples saw users vanish without the warm start (max $S_MAX)" [ "$S_MAX" -gt 0 ]

# ---- 2. restart with the warm start
restart warm "$STACK_DIR/warm.properties"
for s in $s0 $s1; do
  n=$COUNT_S0; [ $s = $s1 ] && n=$COUNT_S1
  e2e_check "warm: $s seeded its $n users from its own snapshot" \
    warm_started "$s" "$n active users from the own snapshot, 0 from parents \[\]"
done
e2e_check "warm: the two snapshots held all $users users at the stop" [ $((COUNT_S0 + COUNT_S1)) = "$users" ]
e2e_check "warm: no active user missing in any of $S_SAMPLES samples (max $S_MAX${S_WORST:+: $S_WORST})" \
  eval '[ "$S_SAMPLES" -gt 0 ] && [ "$S_MAX" = 0 ]'

# ---- 3. live split of shard 0
from=$(($(log_lines) + 1))
split=$(now_ms)
read -r c1 c2 <<<"$(stack_split_shard "$E2E_STREAM" $s0 | tr '\n' ' ')"
e2e_say "split $s0 -> $c1 $c2"
children_up() {
  initialized "$c1" TRIM_HORIZON "$from" && initialized "$c2" TRIM_HORIZON "$from" &&
    [ -f "$E2E_STATE/$c1.json" ] && [ -f "$E2E_STATE/$c2.json" ]
}
sample state_dir children_up 120
e2e_figure "split: -> children initialized with snapshots: $(secs $((S_DONE_MS ? S_DONE_MS - split : 0))) s;" \
  "users missing from query --state-dir: at most $S_MAX ($S_SAMPLES samples)"
e2e_check "split: parent checkpointed SHARD_END" log_has "shard end: checkpointed SHARD_END" "$from"
e2e_check "split: both children initialized and wrote snapshots" [ "$S_DONE_MS" -gt 0 ]
e2e_check "split: no active user missing in any of $S_SAMPLES samples (max $S_MAX${S_WORST:+: $S_WORST})" \
  eval '[ "$S_SAMPLES" -gt 0 ] && [ "$S_MAX" = 0 ]'
parent_n=$(users_in $s0)
for c in $c1 $c2; do
  e2e_check "split: $c seeded the parent's $parent_n users from its final snapshot" \
    warm_started "$c" "0 active users from the own snapshot, $parent_n from parents \[$s0\]" "$from"
done
view_dir() { children_view; echo "$view"; }
sample view_dir true 60
e2e_figure "split: without the parent's snapshot, users missing: at most $S_MAX ($S_SAMPLES samples over" \
  "$(secs $((period_ms + 3000))) s after the children's first snapshots)"
e2e_check "split: the children's and $s1's snapshots alone miss no active user in $S_SAMPLES samples (max $S_MAX${S_WORST:+: $S_WORST})" \
  eval '[ "$S_SAMPLES" -gt 0 ] && [ "$S_MAX" = 0 ]'
e2e_check "active set = ground truth after the split" in_truth
e2e_check_none "no stale or malformed records (stats lines)" 'stale=[1-9]|malformed=[1-9]' stats_lines
e2e_check "lease table integrity (parent at SHARD_END, children name it)" lease_integrity
e2e_note_children
transcripts
daemon_stop 30
