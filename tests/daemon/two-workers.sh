#!/usr/bin/env bash
# Issue 5, two workers (docs/active-set.md "Two workers"): two MultiLangDaemons = two KCL workers of the same
# application (same lease table, workerId tw-a / tw-b) on a 4-shard stream, both writing the shared Redis
# set (a redis-server of this test) and sharing one stateDir.
#   1. the KCL's lease balancing spreads the 4 leases over both workers;
#   2. `query --redis` and `serve --redis` (/active-users, /active-users/count) equal the producer's ground truth;
#   3. SIGTERM to tw-b: its shards move to tw-a, which ends up holding all 4 leases, and during and after the
#      move no active user disappears from the Redis set (sampled every 0.5 s).
# TTL 30 s (E2E_TTL_S): a lease move takes the expiry (failoverTimeMillis 3 s) plus the leader's assignment
# round (every 2 x failover) plus the new processor's start, so the moved shards' users are not refreshed for
# ~10-20 s; with lib.sh's 12 s test TTL they would expire by design (the production default is 120 s).
# Both KCL trees: 3.x assigns leases through its leader (LeaseAssignmentManager), 2.x through each worker's
# lease taker; the assertions are the same.
#   tests/daemon/two-workers.sh VERSION
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "${1:-3.5.1}" two-workers
E2E_TTL_S=${E2E_TTL_S:-30}
users=40 ttl_s=$E2E_TTL_S shards=4
# KCL 3.x's leader counts a worker as alive until its WORKER_METRIC_STATS row is 2 x this old, and meanwhile
# leaves its expired leases alone (default 30000: a stopped worker's shards waited ~40 s in the first runs).
metrics_ms=5000
command -v redis-server >/dev/null || { echo "SKIPPED: no redis-server" >&2; exit 77; }

# ---- our own processes: the second daemon (stopped FIRST on exit), serve, redis-server (in STACK_PIDS)
B_PID="" B_LOG="$STACK_DIR/daemon-b-$E2E_VERSION.log" A_LOG="$STACK_DIR/daemon-a-$E2E_VERSION.log"
note_b_children() { [ -z "$B_PID" ] || e2e_note_children "$B_PID"; }
tw_cleanup() {
  note_b_children
  if [ -n "$B_PID" ]; then stack_kill_pid "$B_PID" 30; B_PID=""; fi
}
tw_on_exit() { local rc=$?; set +e; tw_cleanup; (exit "$rc"); e2e_on_exit; }
trap tw_on_exit EXIT

e2e_stack e2e-two-workers "$shards"
truth="$STACK_DIR/truth.json" key="active-users:$E2E_APP"

redis_port=$(stack_free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$STACK_DIR" \
  >>"$STACK_DIR/redis.log" 2>&1 </dev/null &
STACK_PIDS+=("$!")
redis_pid=$!
redis_url="redis://127.0.0.1:$redis_port"
e2e_check "redis-server (pid $redis_pid) answers on 127.0.0.1:$redis_port" \
  wait_until 10 eval '[ "$(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null)" = PONG ]'

kcl3=(); case "$E2E_VERSION" in 3.*) kcl3=("workerMetricsReporterFreqInMillis=$metrics_ms") ;; esac
for w in a b; do
  e2e_properties "$STACK_DIR/run-$w.properties" "workerId=tw-$w" "activeUsers.redisUrl=$redis_url" "${kcl3[@]}"
done
producer_start --stream "$E2E_STREAM" --users "$users" --period-ms 1000 --truth "$truth" --truth-every-ms 250 \
  --duration-s 0 --rate-every-ms 5000

# ---- the lease table: "<shard> <owner>" per lease row (non-lease rows of 3.x skipped)
leases() {
  stack_scan_leases "$E2E_APP" | node -e '
    const rows = JSON.parse(require("fs").readFileSync(0, "utf8"));
    for (const r of rows) {
      if (r.entityType && r.entityType !== "LEASE") continue;
      if (!String(r.leaseKey).startsWith("shardId-")) continue;
      console.log(`${r.leaseKey} ${r.leaseOwner || "-"}`);
    }'
}
owned_by() { leases | awk -v w="$1" '$2 == w' | wc -l; }
balanced() {
  local l; l="$(leases)" || return 1
  [ "$(awk '$2 == "tw-a"' <<<"$l" | wc -l)" -ge 1 ] && [ "$(awk '$2 == "tw-b"' <<<"$l" | wc -l)" -ge 1 ] &&
    [ "$(awk '$2 == "tw-a" || $2 == "tw-b"' <<<"$l" | wc -l)" = "$shards" ]
}
initialized_in() { ours "$1" | grep -c "initialize: shard " || true; }

# ---- readers of the shared set
redis_json() { "$BIN" query --redis "$redis_url" --key "$key" --json; }
redis_count() { "$BIN" query --redis "$redis_url" --key "$key" 2>/dev/null | head -1 || echo 0; }
redis_count_is() { [ "$(redis_count)" = "$1" ]; }
# compare_json JSON SLACK_MS [MAX_LAG_MS]: as lib.sh's compare_truth (e2e.mjs compare reads the truth file once it
# has been rewritten after the set was read: the Redis set, written right after each batch, can be ahead of it).
compare_json() {
  local json=$1; shift
  node "$E2E_ROOT/tests/daemon/e2e.mjs" compare "$truth" "$((ttl_s * 1000))" "$@" <<<"$json"
}
compare_redis() { local j; j="$(redis_json 2>/dev/null)" || return 1; compare_json "$j" "$@"; }
# During the move: "<missing> <oldest lastSeen age ms> <missing ids>": ground-truth users that heartbeated within
# TTL - 2 s but are not in the set (no wait: a user the set holds is never "missing" because of that race).
missing_now() {
  redis_json 2>/dev/null | node "$E2E_ROOT/tests/daemon/e2e.mjs" missing "$truth" "$((ttl_s * 1000))" 2000
}

# ---- 1. two workers, leases spread by the KCL
launch=$(now_ms)
e2e_daemon_start "$STACK_DIR/run-a.properties" "$A_LOG"
# tw-b starts once tw-a runs: two KCL 3.5.1 workers starting together on a fresh lease table race on the
# "Migration3.0" row; the loser logs "Failed to create migration state for CLIENT_VERSION_3X", then
# "AssignmentMode is not initialized" on every retry and shuts down after 20 attempts (seen in the first run).
e2e_check "tw-a initialized a processor within 120 s" wait_until 120 eval '[ "$(initialized_in "$A_LOG")" -ge 1 ]'
e2e_figure "daemon tw-a launch -> first processor initialized: $(secs $(($(now_ms) - launch))) s"
launch_b=$(now_ms)
b_opts="$(daemon_java_opts "$E2E_VERSION")"   # as daemon_start
# shellcheck disable=SC2086
(cd "$E2E_ROOT" && exec java $b_opts -Dfile.encoding=UTF-8 \
    -cp "$(daemon_jars "$E2E_VERSION")/*" software.amazon.kinesis.multilang.MultiLangDaemon \
    --properties-file "$STACK_DIR/run-b.properties") >>"$B_LOG" 2>&1 </dev/null &
B_PID=$!
E2E_DAEMON_PIDS+=("$B_PID")
e2e_say "daemon tw-a pid $DAEMON_PID ($A_LOG), daemon tw-b pid $B_PID ($B_LOG)"

e2e_check "the KCL spreads the $shards leases over tw-a and tw-b within 150 s" \
  wait_until 150 eval 'note_b_children; balanced'
t_bal=$(now_ms)
leases | tee "$STACK_DIR/leases-balanced.txt"
na=$(awk '$2 == "tw-a"' "$STACK_DIR/leases-balanced.txt" | wc -l)
nb=$(awk '$2 == "tw-b"' "$STACK_DIR/leases-balanced.txt" | wc -l)
e2e_figure "daemon tw-b launch -> leases spread over both workers: $(secs $((t_bal - launch_b))) s" \
  "(tw-a $na, tw-b $nb; failoverTimeMillis 3000)"
e2e_check "each worker runs a processor per lease it owns (tw-a $na, tw-b $nb)" wait_until 60 eval \
  'note_b_children; [ "$(initialized_in "$A_LOG")" -ge "$na" ] && [ "$(initialized_in "$B_LOG")" -ge "$nb" ]'
e2e_check "all $users users in the Redis set within 60 s" wait_until 60 redis_count_is "$users"
e2e_figure "daemon launch -> all $users users in the Redis set: $(secs $(($(now_ms) - launch))) s"

# ---- 2. query --redis and serve --redis = the ground truth
serve_port=$(stack_free_port)
"$BIN" serve --redis "$redis_url" --key "$key" --listen "127.0.0.1:$serve_port" >>"$STACK_DIR/serve.log" 2>&1 </dev/null &
serve_pid=$!
STACK_PIDS+=("$serve_pid")
serve_get() { curl -sf --max-time 5 "http://127.0.0.1:$serve_port$1"; }
e2e_check "serve (pid $serve_pid) answers /healthz on 127.0.0.1:$serve_port" wait_until 15 eval 'serve_get /healthz >/dev/null'
compare_serve() { local j; j="$(serve_get /active-users)" || return 1; compare_json "$j" 2500 "$@"; }
# The KCL keeps rebalancing (its leader re-evaluates every 3rd assignment round, ~18 s here): a lease move
# leaves that shard's users un-refreshed for several seconds. First the set must converge (lastSeen lag within
# 4.5 s), then each sample must hold exactly the ground truth's users (slack 2.5 s), lastSeen at most 12 s behind.
e2e_check "query --redis converges to the ground truth within 30 s" wait_until 30 compare_redis 2500
for i in 1 2 3; do
  sleep 1
  e2e_check "query --redis = ground truth (sample $i)" compare_redis 2500 12000
  e2e_check "serve GET /active-users = ground truth (sample $i)" compare_serve 12000
  e2e_check "serve GET /active-users/count = {\"count\":$users} (sample $i)" \
    eval '[ "$(serve_get /active-users/count)" = "{\"count\":$users}" ]'
done

# ---- 3. SIGTERM to tw-b: its shards move to tw-a; nobody disappears from the Redis set meanwhile
leases >"$STACK_DIR/leases-before-stop.txt"
moved=($(awk '$2 == "tw-b" {print $1}' "$STACK_DIR/leases-before-stop.txt"))
e2e_check "tw-b still owns leases before the stop (${moved[*]})" [ "${#moved[@]}" -ge 1 ]
leader=$(stack_scan_leases "$E2E_APP" | node -e '
  const r = JSON.parse(require("fs").readFileSync(0, "utf8")).find((x) => x.leaseKey === "Leader");
  console.log(r ? r.ownerName || "-" : "none")')
e2e_say "KCL leader (lease table row Leader): $leader"
note_b_children
a_from=$(($(wc -l <"$A_LOG") + 1))
t_stop=$(now_ms)
kill -TERM "$B_PID"
e2e_say "SIGTERM to tw-b (pid $B_PID), its shards: ${moved[*]}"
samples=0 max_missing=0 max_oldest=0 worst="" t_b_exit=0 t_all=0 t_init=0 after=0
moved_ok() {   # LEASES: tw-a holds all leases and started a processor for every moved shard after the stop
  local s
  [ "$(awk '$2 == "tw-a"' <<<"$1" | wc -l)" = "$shards" ] || return 1
  for s in "${moved[@]}"; do ours "$A_LOG" "$a_from" | grep -q "initialize: shard $s " || return 1; done
}
while (( $(now_ms) - t_stop < 120000 )); do
  t=$(now_ms)
  out="$(missing_now || true)"
  samples=$((samples + 1))
  read -r miss oldest _ <<<"$out"
  [[ "$miss" =~ ^[0-9]+$ && "$oldest" =~ ^[0-9]+$ ]] || { miss=-1 oldest=0; e2e_say "sample $samples: no comparison: $out"; }
  if (( miss != 0 )); then e2e_say "sample $samples (+$(secs $((t - t_stop))) s): missing $out"; fi
  if (( miss > max_missing || miss < 0 )); then max_missing=$miss worst="$out"; fi
  (( oldest > max_oldest )) && max_oldest=$oldest
  if (( t_b_exit == 0 )) && ! kill -0 "$B_PID" 2>/dev/null; then t_b_exit=$(now_ms); fi
  if (( t_init == 0 && samples % 2 == 1 )); then   # a lease scan every 2nd sample until the move is complete
    l="$(leases || true)"
    if (( t_all == 0 )) && [ "$(awk '$2 == "tw-a"' <<<"$l" | wc -l)" = "$shards" ]; then t_all=$(now_ms); fi
    if moved_ok "$l"; then t_init=$(now_ms); fi
  fi
  # keep sampling 10 s after the move (the moved shards' users must stay and be refreshed)
  if (( t_init && t_b_exit && $(now_ms) - t_init >= 10000 )); then after=1; break; fi
  left=$((500 - ($(now_ms) - t)))
  (( left > 0 )) && sleep "$(awk -v ms="$left" 'BEGIN { printf "%.3f", ms / 1000 }')"
done
b_status=0
if (( t_b_exit )); then wait "$B_PID" || b_status=$?; B_PID=""; fi
leases | tee "$STACK_DIR/leases-after.txt"
e2e_figure "SIGTERM to tw-b -> tw-b exited: $(secs $((t_b_exit ? t_b_exit - t_stop : 0))) s (status $b_status)"
e2e_figure "SIGTERM to tw-b -> tw-a owns all $shards leases: $(secs $((t_all ? t_all - t_stop : 0))) s;" \
  "-> tw-a processors initialized for ${moved[*]}: $(secs $((t_init ? t_init - t_stop : 0))) s"
t_end=$(now_ms)
e2e_figure "Redis set sampled $samples times in $(secs $((t_end - t_stop))) s (mean every $(secs $(((t_end - t_stop) / samples))) s)" \
  "from the SIGTERM until 10 s after the move:" \
  "max ground-truth users missing $max_missing (TTL ${ttl_s} s, users within TTL - 2 s);" \
  "oldest lastSeen in the set: $(secs "$max_oldest") s"
e2e_check "tw-b exited after SIGTERM" [ "$t_b_exit" -gt 0 ]
e2e_check "tw-a took over all $shards leases and started the moved shards within 120 s" [ "$after" = 1 ]
e2e_check "no active user missing from the Redis set in $samples samples during the move (max $max_missing${worst:+: $worst})" \
  eval '[ "$samples" -gt 0 ] && [ "$max_missing" = 0 ]'
e2e_check "tw-a still holds all $shards leases" [ "$(owned_by tw-a)" = "$shards" ]
# After the move the moved shards' users are refreshed again (normal lastSeen lag).
e2e_check "query --redis = ground truth after the move" wait_until 20 compare_redis 2500
e2e_check "serve GET /active-users = ground truth after the move" compare_serve
e2e_check "serve GET /active-users/count = {\"count\":$users} after the move" \
  eval '[ "$(serve_get /active-users/count)" = "{\"count\":$users}" ]'
e2e_check_none "processors saw no malformed or stale records (stats lines of both workers)" \
  'stale=[1-9]|malformed=[1-9]' eval '{ stats_lines "$A_LOG"; stats_lines "$B_LOG"; }'
e2e_check "lease table integrity" lease_integrity
e2e_note_children
transcripts
daemon_stop 30
