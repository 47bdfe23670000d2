#!/usr/bin/env bash
# Scenario 5, SIGTERM to the daemon (shutdownGraceMillis = 10000): every processor gets shutdownRequested,
# answers it and exits at EOF; the daemon exits; no processor is left behind (neither a child of the daemon
# nor any active-users process running with this test's properties). Then the lease table integrity
# checks (scenario 4).   tests/daemon/sigterm.sh VERSION
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "${1:-3.5.1}" sigterm
users=20 grace_ms=10000

e2e_stack e2e-sigterm 2
props="$STACK_DIR/run.properties" truth="$STACK_DIR/truth.json"
e2e_properties "$props" SHUTDOWN_GRACE_MS=$grace_ms
producer_start --stream "$E2E_STREAM" --users "$users" --period-ms 1000 --truth "$truth" --duration-s 0
e2e_daemon_start "$props"
e2e_check "all $users users active within 90 s" wait_until 90 active_count_is "$users"
kids=($(ps -o pid= --ppid "$DAEMON_PID"))
e2e_note_children
e2e_check "the daemon runs one processor per shard (${#kids[@]})" [ "${#kids[@]}" = 2 ]
for p in "${kids[@]}"; do
  e2e_check "processor $p is active-users" eval 'ps -o args= -p "$p" | grep -q "active-users"'
done

pid=$DAEMON_PID
t=$(now_ms)
kill -TERM "$pid"
kids_gone=0 daemon_gone=0
while (( $(now_ms) - t < grace_ms + 25000 )); do
  alive=0; for p in "${kids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
  (( kids_gone || alive )) || kids_gone=$(( $(now_ms) - t ))
  kill -0 "$pid" 2>/dev/null || { daemon_gone=$(( $(now_ms) - t )); break; }
  sleep 0.1
done
status=0
if (( daemon_gone )); then wait "$pid" || status=$?; fi
unset DAEMON_PID
e2e_figure "SIGTERM -> all processors exited: $(secs "$kids_gone") s; -> daemon exited: $(secs "$daemon_gone") s (exit status $status, shutdownGraceMillis $grace_ms)"
e2e_check "the daemon exited within shutdownGraceMillis + 25 s" [ "$daemon_gone" -gt 0 ]
e2e_check "the processors exited before the daemon" [ "$kids_gone" -gt 0 ]
e2e_check "no processor left behind" eval '[ -z "$(e2e_leftovers)" ]'
transcripts | tee "$STACK_DIR/transcripts.txt"
for p in "${kids[@]}"; do
  e2e_check "processor $p: shutdownRequested, then EOF" eval 'grep -E "^$p " "$STACK_DIR/transcripts.txt" | grep -Eq "shutdownRequested@[0-9]+ .*eof@"'
done
# What the processor answered: status for shutdownRequested (from the transcripts' out lines).
e2e_check "every processor answered shutdownRequested with a status" eval \
  '[ "$(cat "$E2E_TRANSCRIPTS"/*.jsonl | grep -c "responseFor\\\\\":\\\\\"shutdownRequested")" = 2 ]'
e2e_check "lease table integrity (leases kept, owners kept)" lease_integrity
