#!/usr/bin/env bash
# Scenario 2, live reshard (docs/e2e.md): split a shard while the consumer runs. The parent's processor
# checkpoints SHARD_END; the children are processed from their start (TRIM_HORIZON) with no lease drop (no
# leaseLost, no re-initialize at LATEST, no fixer rewrite); no user wrongly disappears from the active set
# at any time. Then the lease table integrity checks (scenario 4).   tests/daemon/reshard.sh VERSION
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "${1:-3.5.1}" reshard
users=40
export E2E_TTL_S=${E2E_TTL_S:-15}   # children start 8-10 s after the split: their backlog must stay fresh

e2e_stack e2e-reshard 2
props="$STACK_DIR/run.properties" truth="$STACK_DIR/truth.json"
e2e_properties "$props"
producer_start --stream "$E2E_STREAM" --users "$users" --period-ms 1000 --truth "$truth" --truth-every-ms 250 \
  --duration-s 0 --rate-every-ms 5000
e2e_daemon_start "$props"
e2e_check "all $users users active within 90 s" wait_until 90 active_count_is "$users"
e2e_check "active set = ground truth before the split" compare_truth "$truth" 2500

parent=shardId-000000000000
split=$(now_ms)
children="$(stack_split_shard "$E2E_STREAM" "$parent" | tr '\n' ' ')"
read -r c1 c2 <<<"$children"
e2e_say "split $parent -> $c1 $c2"

# Until both children are processing (and 5 s more), the active set must equal the truth at every sample.
# Users of the parent's hash range are not updated between the split and the children's start (their
# lastSeen lags by up to that time): presence is what counts here, so the lag may reach the TTL.
t_end=0 t_c1=0 t_c2=0 t_live=0 samples=0
child_live() { node "$E2E_ROOT/tests/daemon/e2e.mjs" live "$E2E_STATE" "$split" | awk -v a="$c1" -v b="$c2" '($1==a||$1==b)&&$2>0{n++} END{exit !(n>=2)}'; }
deadline=$(( $(now_ms) + 60000 ))
while (( $(now_ms) < deadline )); do
  now=$(now_ms)
  (( t_end )) || { log_has "shard end: checkpointed SHARD_END" && t_end=$now; } || true
  (( t_c1 )) || { initialized "$c1" TRIM_HORIZON && t_c1=$now; } || true
  (( t_c2 )) || { initialized "$c2" TRIM_HORIZON && t_c2=$now; } || true
  (( t_live )) || { child_live && t_live=$now; } || true
  compare_truth "$truth" 2500 $((E2E_TTL_S * 1000)) >"$STACK_DIR/compare.last" || { cat "$STACK_DIR/compare.last"; e2e_fail "a user disappeared (or the set differs) during the reshard"; }
  samples=$((samples + 1))
  e2e_note_children
  if (( t_end && t_c1 && t_c2 && t_live )) && (( now - t_live > 5000 )); then break; fi
  sleep 0.3
done
e2e_check "active set matched the ground truth in all $samples samples during the reshard (at least 1)" [ "$samples" -gt 0 ]
e2e_check "active set = ground truth (lastSeen lag <= 4.5 s) after the reshard" compare_truth "$truth" 2500
e2e_check "parent checkpointed SHARD_END" [ "$t_end" -gt 0 ]
e2e_check "both children initialized at TRIM_HORIZON" [ "$t_c1" -gt 0 -a "$t_c2" -gt 0 ]
e2e_check "both children applied live heartbeats" [ "$t_live" -gt 0 ]
e2e_figure "split -> parent SHARD_END checkpoint: $(secs $((t_end - split))) s"
e2e_figure "split -> children initialize (TRIM_HORIZON): $(secs $((t_c1 - split))) s / $(secs $((t_c2 - split))) s"
e2e_figure "split -> both children applied a heartbeat: $(secs $((t_live - split))) s"

transcripts | tee "$STACK_DIR/transcripts.txt"
e2e_check_none "no leaseLost at all (transcripts)" leaseLost cat "$STACK_DIR/transcripts.txt"
e2e_check "the parent's processor got shardEnded" eval 'grep -E "^[0-9]+ $parent " "$STACK_DIR/transcripts.txt" | grep -q shardEnded'
e2e_check_none "children never initialized at LATEST (transcripts)" "^[0-9]+ ($c1|$c2) LATEST" cat "$STACK_DIR/transcripts.txt"
e2e_check "children: one processor each" eval '[ "$(grep -Ec "^[0-9]+ ($c1|$c2) " "$STACK_DIR/transcripts.txt")" = 2 ]'
e2e_check_none "the fixer left the fresh children alone (processor log)" 'lease [^ ]+ cut(:| \(after)|starts stale from' ours
e2e_check_none "no stale or malformed records (stats lines)" 'stale=[1-9]|malformed=[1-9]' stats_lines
e2e_check "lease table integrity (parent at SHARD_END, children name it)" lease_integrity
e2e_note_children
daemon_stop 30
