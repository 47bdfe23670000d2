#!/usr/bin/env bash
# Issue 18, the very first start of an application (README "Checkpointing is a policy", docs/leases.md "The first
# start"): the lease table is empty, users have been heartbeating for more than a period, and the daemon starts
# through the production launcher (scripts/run). The launcher gives the daemon initialPositionInStreamExtended =
# launch - maxReplay, so the KCL creates the new leases at the AT_TIMESTAMP sentinel (HierarchicalShardSyncer,
# EmptyLeaseTableSynchronizer) and reads them from that time: the heartbeats of the last maxReplay before the
# start are read, nothing older is applied, and the set equals the producer's ground truth within 15 s of the
# first initialize (a start at LATEST would wait up to a heartbeat period, here 30 s, for each user).
#   tests/daemon/first-start.sh VERSION
# Asserted: the leases were created by the KCL at AT_TIMESTAMP and each processor started there; no record that
# arrived before the configured timestamp was delivered; every record older than maxReplay when it was delivered
# was skipped (the processors' stale count); no record sent in the last maxReplay before the first initialize
# (or after it) was lost; the set = the ground truth within 15 s of the first initialize and before a period.
# ~100-150 s: the emulators, one heartbeat period before the start, the KCL's empty-table start (1-30 s random
# wait on both trees), the check.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "${1:-3.5.1}" first-start
export E2E_TTL_S=${E2E_TTL_S:-45}   # = maxReplay
users=60 period_ms=30000 replay_ms=$((E2E_TTL_S * 1000)) goal_ms=15000
shards=2

# ---- the launcher's rule, without a daemon (scripts/run --dry-run on variants of one file): the timestamp replaces
# LATEST (or no position) only; maxReplaySeconds, else ttlSeconds, else 120 s; the file's own choice is kept.
dry_dir="$STACK_DIR/dry-run"
mkdir -p "$dry_dir"
dry() {   # NAME [ARGS...] < PROPERTIES-TAIL: the daemon's properties the launcher would write for FILE (or FILE itself)
  local name=$1; shift
  { printf 'executableName = %s --properties %s\nstreamName = s\napplicationName = a\nregionName = us-east-1\nworkerId = w\n' \
      "$BIN" "$dry_dir/$name.properties"; cat; } >"$dry_dir/$name.properties"
  local out; out="$(KCL_JARS="$(daemon_jars "$E2E_VERSION")" ACTIVE_USERS_BIN="$BIN" RUNTIME_DIRECTORY="$dry_dir" \
    "$E2E_ROOT/scripts/run" --properties "$dry_dir/$name.properties" --kcl "$E2E_VERSION" --dry-run "$@" 2>/dev/null)" ||
    e2e_fail "scripts/run --dry-run ($name)"
  sed -E 's/.*--properties-file ([^ ]+) *$/\1/' <<<"$out"
}
ext_of() { sed -nE 's/^initialPositionInStreamExtended = ([0-9]+)$/\1/p' "$1"; }
near() { local want=$(( $(date +%s) - $2 )); [ -n "$1" ] && (( $1 <= want && $1 >= want - 3 )); }
f="$(printf 'initialPositionInStream = LATEST\nactiveUsers.maxReplaySeconds = 300\nactiveUsers.ttlSeconds = 60\n' | dry latest)"
e2e_check "dry run, LATEST: initialPositionInStreamExtended = now - maxReplaySeconds, the LATEST line commented out" \
  eval 'near "$(ext_of "$f")" 300 && grep -q "^# replaced by active-users-run: initialPositionInStream = LATEST" "$f"'
f="$(printf 'activeUsers.ttlSeconds = 60\n' | dry none)"
e2e_check "dry run, no position: now - ttlSeconds" eval 'near "$(ext_of "$f")" 60'
f="$(printf 'initialPositionInStream   latest\n' | dry default)"
e2e_check "dry run, 'initialPositionInStream   latest': now - 120 s (the default maxReplay), the line commented out" \
  eval 'near "$(ext_of "$f")" 120 && grep -q "^# replaced by active-users-run: initialPositionInStream   latest" "$f"'
for kv in "initialPositionInStream = TRIM_HORIZON" "initialPositionInStreamExtended = 1700000000"; do
  f="$(printf '%s\n' "$kv" | dry own)"
  e2e_check "dry run, '$kv': left as the file says" eval '[ "$f" = "$dry_dir/own.properties" ] && [ -z "$(ext_of "$f" | grep -v 1700000000)" ]'
done
f="$(printf 'initialPositionInStream = LATEST\n' | dry keep --keep-initial-position)"
e2e_check "dry run, --keep-initial-position: left as the file says" eval '[ "$f" = "$dry_dir/keep.properties" ]'

# The stack WITHOUT seeded leases: the table exists (the stack's emulators need it pre-created) but is empty,
# so the KCL takes its first-start path and creates the leases itself.
E2E_STREAM=e2e-first-start E2E_APP=e2e-first-start
stack_start
stack_create_stream "$E2E_STREAM" "$shards"
stack_create_lease_table "$E2E_APP"
E2E_STATE="$STACK_DIR/state-$E2E_APP" E2E_TRANSCRIPTS="$STACK_DIR/transcripts-$E2E_APP"
props="$STACK_DIR/run.properties" truth="$STACK_DIR/truth.json" sent="$STACK_DIR/sent.log"
e2e_properties "$props"   # initialPositionInStream = LATEST, as users write it
grep -q '^initialPositionInStream = LATEST$' "$props" || e2e_fail "the test properties do not say LATEST"
e2e_check "the lease table is empty" eval '[ "$(stack_scan_leases "$E2E_APP" | node -e "console.log(JSON.parse(require(\"fs\").readFileSync(0)).length)")" = 0 ]'

producer_t0=$(now_ms)
producer_start --stream "$E2E_STREAM" --users "$users" --period-ms "$period_ms" --truth "$truth" --truth-every-ms 250 \
  --duration-s 0 --rate-every-ms 10000 --sent-log "$sent"
# One period and a bit before the daemon: every user has heartbeated once, before the daemon exists.
sleep $(( period_ms / 1000 + 3 ))

# ---- the first start, through the production launcher (scripts/run execs java: its PID is the JVM's)
launch=$(now_ms)
DAEMON_LOG="$STACK_DIR/daemon-$E2E_VERSION.log"
(cd "$E2E_ROOT" && KCL_JARS="$(daemon_jars "$E2E_VERSION")" ACTIVE_USERS_BIN="$BIN" RUNTIME_DIRECTORY="$STACK_DIR" \
  JAVA_OPTS="$(daemon_java_opts "$E2E_VERSION")" exec scripts/run --properties "$props" --kcl "$E2E_VERSION" \
  --worker-id first-start-a) >>"$DAEMON_LOG" 2>&1 </dev/null &
DAEMON_PID=$!
export DAEMON_PID DAEMON_LOG
E2E_DAEMON_PIDS+=("$DAEMON_PID")
e2e_say "scripts/run pid $DAEMON_PID, log $DAEMON_LOG"
e2e_check "the launcher set the initial position" daemon_wait_log 'run: new leases start at AT_TIMESTAMP' 30
seen=$(now_ms)
daemon_props="$(sed -nE 's/^run: new leases start at AT_TIMESTAMP .*daemon properties: (.*)\)$/\1/p' "$DAEMON_LOG" | tail -1)"
at_s="$(sed -nE 's/^initialPositionInStreamExtended = ([0-9]+)$/\1/p' "$daemon_props")"
# Computed right before the JVM starts (after check-config and fix-leases), in whole seconds rounded down.
e2e_check "the daemon's properties: initialPositionInStreamExtended = now - maxReplay ($at_s), no initialPositionInStream" \
  eval '[ -n "$at_s" ] && (( at_s * 1000 <= seen - replay_ms && at_s * 1000 > launch - replay_ms - 1000 )) &&
        ! grep -Eq "^[[:space:]]*initialPositionInStream[[:space:]]*[=:]" "$daemon_props"'
at_ms=$((at_s * 1000))

first_init() {   # the t of the first initialize in the transcripts (epoch ms), or nothing
  node -e '
    const fs = require("fs"), path = require("path"), dir = process.argv[1];
    let first = Infinity;
    for (const f of (fs.existsSync(dir) ? fs.readdirSync(dir) : []).filter((f) => f.endsWith(".jsonl"))) {
      for (const text of fs.readFileSync(path.join(dir, f), "utf8").split("\n")) {
        let l; try { l = JSON.parse(text); } catch { continue; }
        if (l.dir === "in" && l.line && l.line.includes("\"initialize\"")) { first = Math.min(first, l.t); break; }
      }
    }
    if (first < Infinity) console.log(first);' "$E2E_TRANSCRIPTS"
}
e2e_check "a first processor initialized within 90 s" wait_until 90 eval '[ -n "$(first_init)" ]'
init_ms=$(first_init)
e2e_figure "launch -> first initialize: $(secs $((init_ms - launch))) s"

# ---- the set = the ground truth: sampled every 0.25 s from the first initialize on. Every user of the truth active
# and nobody else; a user's lastSeen may lag its newest heartbeat by a period + 4.5 s (a heartbeat in flight when the
# set is read; the records lost check below shows that none is missed).
# truth_ms = when the successful sample read the set (a comparison itself takes 0.5-3 s on a loaded machine: it waits
# for the producer's next truth file).
truth_ms=0 samples=0
while (( $(now_ms) - init_ms < period_ms + 10000 )); do
  samples=$((samples + 1)) t=$(now_ms)
  if compare_truth "$truth" 2500 $((period_ms + 4500)) >"$STACK_DIR/compare.txt" 2>&1; then truth_ms=$t; break; fi
  e2e_note_children
  sleep 0.25
done
# The KCL's own part: first initialize -> each shard's first batch with records (from the transcripts).
first_batches="$(node -e '
  const fs = require("fs"), path = require("path"), [dir, init] = [process.argv[1], +process.argv[2]];
  const out = [];
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".jsonl"))) {
    let shard = "?", t = 0;
    for (const text of fs.readFileSync(path.join(dir, f), "utf8").split("\n")) {
      let l, m; try { l = JSON.parse(text); m = JSON.parse(l.line); } catch { continue; }
      if (l.dir !== "in") continue;
      if (m.action === "initialize") shard = m.shardId;
      if (m.action === "processRecords" && m.records.length) { t = l.t; break; }
    }
    out.push(`${shard} ${t ? ((t - init) / 1000).toFixed(1) + " s" : "none yet"}`);
  }
  console.log(out.sort().join(", "));' "$E2E_TRANSCRIPTS" "$init_ms")"
e2e_figure "first initialize -> first batch with records (the KCL): $first_batches"
e2e_check "the set equals the ground truth after the start ($samples samples)" [ "$truth_ms" -gt 0 ]
to_truth=$((truth_ms - init_ms))
# The users active then whose last heartbeat came before the first initialize: a start at the tip misses them.
before="$("$BIN" query --state-dir "$E2E_STATE" --json 2>/dev/null |
  node -e 'const u=JSON.parse(require("fs").readFileSync(0)).users;console.log(u.filter(x=>x.lastSeen<+process.argv[1]).length)' "$init_ms")"
e2e_figure "first initialize -> the set = ground truth: $(secs "$to_truth") s ($users users, a heartbeat every" \
  "$((period_ms / 1000)) s, maxReplay $E2E_TTL_S s; $before of them last seen before the first initialize)"
e2e_check "the set = ground truth within $((goal_ms / 1000)) s of the first initialize ($(secs "$to_truth") s)" \
  [ "$to_truth" -le "$goal_ms" ]
e2e_check "users seen only before the start are in the set ($before)" [ "$before" -gt 0 ]

# ---- both shards: leases created by the KCL at AT_TIMESTAMP, processors started there
e2e_check "both shards initialized within 30 s" wait_until 30 eval '[ "$(log_count "initialize: shard ")" -ge '"$shards"' ]'
e2e_check "every processor started at AT_TIMESTAMP" eval '! ours | grep -o "initialize: shard [^ ]* from checkpoint [^ ]*" | grep -v "from checkpoint AT_TIMESTAMP$"'
lease_rows() {
  stack_scan_leases "$E2E_APP" | node -e '
    for (const r of JSON.parse(require("fs").readFileSync(0, "utf8")))
      if (String(r.leaseKey).startsWith("shardId-")) console.log(`${r.leaseKey} ${r.checkpoint}`);'
}
lease_rows | sed 's/^/  lease /'
e2e_check "the KCL created $shards leases, each at AT_TIMESTAMP" \
  eval '[ "$(lease_rows | awk "\$2 == \"AT_TIMESTAMP\"" | wc -l)" = '"$shards"' ]'

# ---- nothing older than the configured timestamp read; nothing older than maxReplay applied; nothing fresh lost
sleep 3   # a stats line after the last batch looked at
read -r before_at old_at_delivery delivered < <(node -e '
  const fs = require("fs"), path = require("path"), [dir, at, replay] = process.argv.slice(1).map((x, i) => i ? +x : x);
  let beforeAt = 0, old = 0, all = 0;
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".jsonl"))) {
    for (const text of fs.readFileSync(path.join(dir, f), "utf8").split("\n")) {
      let l, m; try { l = JSON.parse(text); m = JSON.parse(l.line); } catch { continue; }
      if (l.dir !== "in" || m.action !== "processRecords") continue;
      for (const r of m.records) {
        all++;
        if (r.approximateArrivalTimestamp < at) beforeAt++;
        if (r.approximateArrivalTimestamp < l.t - replay) old++;
      }
    }
  }
  console.log(beforeAt, old, all);' "$E2E_TRANSCRIPTS" "$at_ms" "$replay_ms")
stale_skipped=$(ours | awk '/ info: stats: /{ s = $1; v = $0; sub(/.* stale=/, "", v); sub(/ .*/, "", v); last[s] = v }
                            END { n = 0; for (s in last) n += last[s]; print n }')
e2e_figure "records delivered: $delivered; before the configured timestamp: $before_at; older than maxReplay" \
  "when delivered (read between launch - maxReplay and first initialize - maxReplay): $old_at_delivery, skipped as stale: $stale_skipped"
e2e_check "no record older than the configured timestamp was delivered" [ "$before_at" = 0 ]
e2e_check "every record older than maxReplay when delivered was skipped ($old_at_delivery <= stale $stale_skipped)" \
  [ "$old_at_delivery" -le "$stale_skipped" ]
read -r lost of first_lost < <(node "$E2E_ROOT/tests/daemon/e2e.mjs" lost "$sent" "$E2E_TRANSCRIPTS" \
  "$((init_ms - replay_ms))" "$(( $(now_ms) - 5000 ))")
e2e_figure "records sent from first initialize - maxReplay on, none lost: $lost lost of $of"
e2e_check "no record younger than maxReplay at the first initialize was lost ($lost of $of${first_lost:+: $first_lost})" \
  [ "$lost" = 0 ]
e2e_check "records of the last maxReplay before the start were sent and read" [ "$of" -gt 0 ]
e2e_check "no leaseLost (nothing was cut or moved)" eval '! transcripts | grep -q leaseLost'
e2e_check "the in-process fixer did not cut" eval '! log_has "lease [^ ]+ cut(:| \\(after)"'
e2e_check "lease table integrity" lease_integrity
e2e_note_children
daemon_stop 30
e2e_say "producer started $(secs $((launch - producer_t0))) s before the launch"
