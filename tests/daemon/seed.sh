#!/usr/bin/env bash
# Scenario 3, the seed story (docs/e2e.md), twice on one pair of emulators:
#   A. fixStaleLeases = true (the default): reshard, stop the daemon, a backlog older than the TTL in the
#      children, restart. The in-process fixer rewrites both children's leases to LATEST, the daemon drops
#      them (leaseLost) and starts new processors at LATEST; no stale heartbeat is applied; live heartbeats
#      are applied again within SEED_LIVE_BOUND_S on every open shard.
#   B. fixStaleLeases = false (stock KCL behaviour): the same, and the children replay the whole backlog.
# The test asserts the difference (stale records delivered) and prints per shard: restart -> first live
# heartbeat applied, stale records delivered / skipped / applied, and rewrite -> initialize at LATEST
# (the leaseOwner policy, docs/leases.md). Then the lease table integrity checks (scenario 4).
#   tests/daemon/seed.sh VERSION
# Measurement knobs (not used by ctest): SEED_OWNER=true|false runs part A with that explicit
# activeUsers.fixRemovesLeaseOwner instead of auto; SEED_SKIP_STOCK=1 skips part B.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "${1:-3.5.1}" seed
source "$(dirname "${BASH_SOURCE[0]}")/seed_lib.sh"
backlog=${SEED_TEST_BACKLOG:-4000}
# 100 records per GetRecords, every 250 ms: a 2000-record backlog per child takes >= 5 s to replay, like a
# real multi-hour backlog takes minutes at the default 10000. Without it the emulator hands a child its
# whole backlog in one or two calls, before any lease can be dropped.
export SEED_EXTRA_PROPS="maxRecords=100"
export SEED_LIVE_BOUND_S=60
owner_policy=removed; case "$E2E_VERSION" in 3.*) owner_policy=kept ;; esac
owner_why="auto"
if [ -n "${SEED_OWNER:-}" ]; then
  SEED_EXTRA_PROPS+=" activeUsers.fixRemovesLeaseOwner=$SEED_OWNER"
  owner_why="fixRemovesLeaseOwner=$SEED_OWNER"
  owner_policy=kept; [ "$SEED_OWNER" = true ] && owner_policy=removed
fi

# ------------------------------------------------------------------------------------ A: the fixer on
seed_prepare e2e-seed-fix true "$backlog"
seed_restart 1
seed_report >"$STACK_DIR/seed-fix.txt"; cat "$STACK_DIR/seed-fix.txt"
fix_delivered=$SEED_STALE_DELIVERED fix_skipped=$SEED_STALE_SKIPPED
for c in $SEED_CHILDREN; do
  e2e_check "fix: $c rewritten to LATEST by the in-process fixer" log_has "lease $c rewritten to LATEST"
  e2e_check "fix: the rewrite of $c says leaseOwner $owner_policy ($owner_why)" log_has "lease $c rewritten to LATEST.*leaseOwner $owner_policy \\($owner_why"
  e2e_check "fix: $c re-initialized at LATEST after TRIM_HORIZON, one leaseLost" \
    eval 'node "$E2E_ROOT/tests/daemon/e2e.mjs" delivered "$E2E_TRANSCRIPTS" "$SEED_RESTART_MS" "$SEED_RESTART_MS" | grep -Eq "^$c 2 TRIM_HORIZON,LATEST [0-9]+ [0-9]+ [0-9]+ [0-9]+ 1$"'
  read -r rw init <<<"$(seed_rewrite_timing "$c")"
  e2e_figure "fix: $c restart -> fixer rewrite $(secs "$rw") s; rewrite -> new initialize at LATEST $(secs "$init") s (leaseOwner $owner_policy)"
done
for s in $SEED_OPEN; do e2e_figure "fix: $s restart -> first live heartbeat applied $(secs "${SEED_LIVE[$s]}") s"; done
e2e_check "fix: no stale heartbeat applied (every stale record delivered was skipped)" [ "$fix_delivered" = "$fix_skipped" ]
e2e_check "fix: no backlog user in any snapshot" [ "$(node "$E2E_ROOT/tests/daemon/e2e.mjs" users "$E2E_STATE" stale-)" = 0 ]
e2e_figure "fix: stale records delivered $fix_delivered, skipped $fix_skipped, applied $((fix_delivered - fix_skipped)) (backlog $backlog + the children's pre-stop records)"
e2e_check "fix: lease table integrity" lease_integrity
e2e_note_children
daemon_stop 45
producer_stop

[ -z "${SEED_SKIP_STOCK:-}" ] || exit 0
# --------------------------------------------------------------------------- B: stock (the fixer off)
seed_prepare e2e-seed-stock false "$backlog"
seed_restart 1
seed_report >"$STACK_DIR/seed-stock.txt"; cat "$STACK_DIR/seed-stock.txt"
stock_delivered=$SEED_STALE_DELIVERED stock_skipped=$SEED_STALE_SKIPPED
e2e_check "stock: no lease rewritten" eval '! log_has "rewritten to LATEST|starts stale"'
for c in $SEED_CHILDREN; do
  e2e_check "stock: $c processed from TRIM_HORIZON by one processor, no leaseLost" \
    eval 'node "$E2E_ROOT/tests/daemon/e2e.mjs" delivered "$E2E_TRANSCRIPTS" "$SEED_RESTART_MS" "$SEED_RESTART_MS" | grep -Eq "^$c 1 TRIM_HORIZON [0-9]+ [0-9]+ [0-9]+ [0-9]+ 0$"'
done
for s in $SEED_OPEN; do e2e_figure "stock: $s restart -> first live heartbeat applied $(secs "${SEED_LIVE[$s]}") s"; done
e2e_figure "stock: restart -> children caught up (millisBehindLatest=0) $(secs "$SEED_CAUGHT_UP_MS") s"
e2e_figure "stock: stale records delivered $stock_delivered, skipped $stock_skipped (backlog $backlog + the children's pre-stop records)"
e2e_check "stock: the whole backlog is replayed (stale delivered >= backlog)" [ "$stock_delivered" -ge "$backlog" ]
e2e_check "stock: even so no backlog user is active (event time past the TTL)" [ "$(node "$E2E_ROOT/tests/daemon/e2e.mjs" users "$E2E_STATE" stale-)" = 0 ]
e2e_check "stock: lease table integrity" lease_integrity
e2e_note_children
daemon_stop 45

# ------------------------------------------------------------------------------------- the difference
e2e_figure "stale records delivered after the restart: fixer on $fix_delivered, stock $stock_delivered (backlog $backlog)"
e2e_check "the fixer delivers at most half of what the stock daemon replays" [ $((fix_delivered * 2)) -le "$stock_delivered" ]
