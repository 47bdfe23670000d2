#!/usr/bin/env bash
# Scenario 3, the production launcher's way (scripts/run): the seed story, but while the daemon is stopped
# `active-users fix-leases --properties F` runs, first as a dry run (must plan to rewrite exactly the two
# children and change nothing), then with --apply. After the restart no lease has to be dropped at all: the
# children start at LATEST straight away (no leaseLost, one processor each, no in-process rewrite, no stale
# record delivered). Then the lease table integrity checks (scenario 4).   tests/daemon/fix-leases.sh VERSION
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "${1:-3.5.1}" fix-leases
source "$(dirname "${BASH_SOURCE[0]}")/seed_lib.sh"
backlog=${SEED_TEST_BACKLOG:-4000}
export SEED_EXTRA_PROPS="maxRecords=100"
export SEED_LIVE_BOUND_S=60
owner_expect=removed; case "$E2E_VERSION" in 3.*) owner_expect=kept ;; esac

seed_prepare e2e-fixleases true "$backlog"
read -r c1 c2 <<<"$SEED_CHILDREN"
checkpoint_of() { node -e 'const rows=JSON.parse(require("fs").readFileSync(0,"utf8"));const r=rows.find(x=>x.leaseKey===process.argv[1]);console.log(r?`${r.checkpoint} ${r.leaseOwner||"-"}`:"missing")' "$1" < <(stack_scan_leases "$E2E_APP"); }

e2e_say "fix-leases dry run:"
t=$(now_ms)
"$BIN" fix-leases --properties "$SEED_PROPS" | tee "$STACK_DIR/fix-leases-dry.txt" || e2e_fail "fix-leases (dry run) failed"
e2e_figure "fix-leases dry run: $(secs $(( $(now_ms) - t ))) s"
for c in $c1 $c2; do
  e2e_check "dry run plans to rewrite $c" grep -Eq "$c.*would-rewrite" "$STACK_DIR/fix-leases-dry.txt"
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
  e2e_check "applied: $c is at LATEST" [ "$cp" = LATEST ]
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
  e2e_check "$c started at LATEST by one processor, no leaseLost" \
    eval 'node "$E2E_ROOT/tests/daemon/e2e.mjs" delivered "$E2E_TRANSCRIPTS" "$SEED_RESTART_MS" "$SEED_RESTART_MS" | grep -Eq "^$c 1 LATEST 0 [0-9]+ [0-9]+ [0-9]+ 0$"'
done
e2e_check "no lease dropped after the restart (no leaseLost anywhere)" eval '! transcripts | awk -v r="$SEED_RESTART_MS" "\$4 >= r" | grep -q leaseLost'
e2e_check "the in-process fixer had nothing to do" eval '! log_has "rewritten to LATEST|starts stale"'
e2e_check "no stale record delivered" [ "$SEED_STALE_DELIVERED" = 0 ]
e2e_check "lease table integrity" lease_integrity
e2e_note_children
daemon_stop 45
