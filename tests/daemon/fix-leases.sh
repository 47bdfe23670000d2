#!/usr/bin/env bash
# Scenario 3, the production launcher's way (scripts/run): the seed story, but while the daemon is stopped
# `active-users fix-leases --properties F` runs, first as a dry run (must plan to cut exactly the two
# children, show the cut and change nothing), then with --apply (each child's checkpoint = the newest backlog
# record, which is the last record older than the TTL). After the restart no lease has to be dropped at all:
# the children start right after their cut (no leaseLost, one processor each, no in-process cut, no stale
# record delivered, no fresh record lost). Then the lease table integrity checks (scenario 4).
#   tests/daemon/fix-leases.sh VERSION
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "${1:-3.5.1}" fix-leases
source "$(dirname "${BASH_SOURCE[0]}")/seed_lib.sh"
backlog=${SEED_TEST_BACKLOG:-20000}
export SEED_LIVE_BOUND_S=90
owner_expect=removed; case "$E2E_VERSION" in 3.*) owner_expect=kept ;; esac

seed_prepare e2e-fixleases true "$backlog"
read -r c1 c2 <<<"$SEED_CHILDREN"
checkpoint_of() { node -e 'const rows=JSON.parse(require("fs").readFileSync(0,"utf8"));const r=rows.find(x=>x.leaseKey===process.argv[1]);console.log(r?`${r.checkpoint} ${r.leaseOwner||"-"}`:"missing")' "$1" < <(stack_scan_leases "$E2E_APP"); }

e2e_say "fix-leases dry run:"
t=$(now_ms)
"$BIN" fix-leases --properties "$SEED_PROPS" | tee "$STACK_DIR/fix-leases-dry.txt" || e2e_fail "fix-leases (dry run) failed"
e2e_figure "fix-leases dry run: $(secs $(( $(now_ms) - t ))) s"
"$BIN" fix-leases --properties "$SEED_PROPS" --json >"$STACK_DIR/fix-leases-dry.json" || e2e_fail "fix-leases --json failed"
# The cut each child should get: its newest record (the whole backlog is older than the TTL).
newest_of() { node "$E2E_ROOT/scripts/lib/aws-local.mjs" newest-record "$E2E_STREAM" "$1"; }
cut_of() { node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1]));const l=r.leases.find(x=>x.leaseKey===process.argv[2]);console.log(l&&l.cut?l.cut.target:"-")' "$STACK_DIR/fix-leases-dry.json" "$1"; }
for c in $c1 $c2; do
  e2e_check "dry run plans to rewrite $c" grep -Eq "$c.*would-rewrite" "$STACK_DIR/fix-leases-dry.txt"
  e2e_check "dry run shows $c's cut: its newest record" [ "$(cut_of "$c")" = "$(newest_of "$c")" ]
  e2e_check "dry run changed nothing on $c" eval '[ "$(checkpoint_of "$c" | cut -d" " -f1)" = TRIM_HORIZON ]'
done
e2e_check "dry run plans exactly two rewrites" eval '[ "$(grep -c would-rewrite "$STACK_DIR/fix-leases-dry.txt")" = 2 ]'

e2e_say "fix-leases --apply:"
t=$(now_ms)
"$BIN" fix-leases --properties "$SEED_PROPS" --apply | tee "$STACK_DIR/fix-leases-apply.txt" || e2e_fail "fix-leases --apply failed"
e2e_figure "fix-leases --apply: $(secs $(( $(now_ms) - t ))) s"
for c in $c1 $c2; do
  e2e_check "applied: $c rewritten" grep -Eq "$c.*rewritten" "$STACK_DIR/fix-leases-apply.txt"
  read -r cp owner <<<"$(checkpoint_of "$c")"
  e2e_check "applied: $c is at its cut" [ "$cp" = "$(cut_of "$c")" ]
  if [ "$owner_expect" = removed ]; then
    e2e_check "applied: $c leaseOwner removed (auto, KCL 2.x table)" [ "$owner" = - ]
  else
    e2e_check "applied: $c leaseOwner kept (auto, KCL 3.x table)" [ "$owner" != - ]
  fi
done
e2e_check "lease table integrity after fix-leases" lease_integrity

seed_restart 0
seed_report >"$STACK_DIR/fix-leases-restart.txt"; cat "$STACK_DIR/fix-leases-restart.txt"
for s in $SEED_OPEN; do e2e_figure "fix-leases: $s restart -> first live heartbeat applied $(secs "${SEED_LIVE[$s]}") s"; done
for c in $c1 $c2; do
  e2e_check "$c started at its cut by one processor, no leaseLost, nothing stale delivered" \
    eval 'node "$E2E_ROOT/tests/daemon/e2e.mjs" delivered "$E2E_TRANSCRIPTS" "$SEED_RESTART_MS" "$SEED_RESTART_MS" | grep -Eq "^$c 1 $(cut_of "$c") 0 [0-9]+ [0-9]+ [0-9]+ 0$"'
done
e2e_check_none "no lease dropped after the restart (no leaseLost in the transcripts started after it)" leaseLost \
  eval 'transcripts | awk -v r="$SEED_RESTART_MS" "\$4 >= r"'
e2e_check_none "the in-process fixer had nothing to do (processor log)" 'lease [^ ]+ cut(:| \(after)|starts stale from' ours
e2e_check "no stale record delivered" [ "$SEED_STALE_DELIVERED" = 0 ]
seed_fresh_lost
e2e_figure "fix-leases: restart -> the set equals the ground truth $(secs "$SEED_TRUTH_MS") s; fresh records lost in the children $SEED_FRESH_LOST of $SEED_FRESH_OF (the unsplit shard's start at LATEST skipped $SEED_LATEST_LOST of $SEED_LATEST_OF)"
e2e_check_none_of "no fresh record of the children lost" "$SEED_FRESH_LOST" "$SEED_FRESH_OF"
e2e_check "lease table integrity" lease_integrity
e2e_note_children
daemon_stop 45
