#!/usr/bin/env bash
# The launcher (scripts/run, installed as active-users-run): its JVM sizing (docs/host.md "Many shards per host"):
# the heap follows the shards a worker may hold and maxRecords, a host too small for it gets a lower maxRecords
# in the daemon's copy of the properties, and JAVA_OPTS replaces everything. No AWS: the shard count comes from
# --shards or maxLeasesForWorker, and the stream is never asked (the binary is a stub that fails `shards`).
# And a peer application's file (issue 20): maxReplay must be said (--max-replay), then it serves it as ours.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
fails=0 checks=0
check() {  # DESCRIPTION EXPECTED ACTUAL
  checks=$((checks + 1))
  if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: expected [$2], got [$3]"; fails=$((fails + 1)); fi
}
heap_of() { grep -o -- '-Xmx[0-9]*m' <<<"$1"; }
# A stand-in binary: check-config succeeds, `shards` fails (no stream here), anything else is not expected.
cat >"$tmp/active-users" <<'STUB'
#!/usr/bin/env bash
case "$1" in check-config) exit 0 ;; shards) echo "no stream" >&2; exit 1 ;; *) echo "stub: $*" >&2; exit 3 ;; esac
STUB
chmod +x "$tmp/active-users"
export ACTIVE_USERS_BIN="$tmp/active-users" ACTIVE_USERS_MEMORY_MB=24000 KCL_JARS="$tmp/jars"
unset JAVA_OPTS ACTIVE_USERS_SHARDS
mkdir -p "$tmp/jars"; touch "$tmp/jars/amazon-kinesis-client-multilang-0.jar"
run() { "$root/scripts/run" "$@"; }

check "one shard without properties" "-Xmx97m" "$(heap_of "$(run --print-java-opts 2>/dev/null)")"
printf 'streamName = s\napplicationName = a\nworkerId = w\n' >"$tmp/c.properties"
check "16 shards when the stream cannot be asked" "-Xmx472m" \
  "$(heap_of "$(run --print-java-opts --properties "$tmp/c.properties" 2>/dev/null)")"
check "--shards 8: 72 MB + 8 x 25 MB" "-Xmx272m" "$(heap_of "$(run --print-java-opts --shards 8 2>/dev/null)")"
check "--shards 64" "-Xmx1672m" "$(heap_of "$(run --print-java-opts --shards 64 2>/dev/null)")"
printf 'streamName = s\napplicationName = a\nworkerId = w\nmaxLeasesForWorker = 16\nmaxRecords = 5000\n' >"$tmp/a.properties"
check "maxLeasesForWorker 16 at maxRecords 5000" "-Xmx272m" \
  "$(heap_of "$(run --print-java-opts --properties "$tmp/a.properties" 2>/dev/null)")"
check "SerialGC and the C2 thresholds stay" "2" \
  "$(run --print-java-opts --shards 8 2>/dev/null | grep -o -e '-XX:+UseSerialGC' -e '-XX:Tier4InvocationThreshold=50000' | wc -l)"
check "JAVA_OPTS replaces the defaults" "-Xmx1g -Dx=1" "$(JAVA_OPTS='-Xmx1g -Dx=1' run --print-java-opts --shards 64 2>/dev/null)"

# A host too small for 64 shards at maxRecords 10,000: 40 % of 1,000 MB is 400 MB, so maxRecords 2,000.
printf 'streamName = s\napplicationName = a\nworkerId = w\nmaxRecords = 10000\n' >"$tmp/b.properties"
out="$(ACTIVE_USERS_MEMORY_MB=1000 run --properties "$tmp/b.properties" --shards 64 --keep-initial-position --dry-run 2>"$tmp/err")"
check "small host: the heap fits 40 % of it" "-Xmx392m" "$(heap_of "$out")"
copy="$(sed -n 's/^run: daemon properties: //p' "$tmp/err")"
check "small host: the daemon gets a copy of the file" "yes" "$([ -f "$copy" ] && [ "$copy" != "$tmp/b.properties" ] && echo yes || echo no)"
check "small host: the copy sets maxRecords 2000" "maxRecords = 2000" "$(grep -E '^maxRecords' "$copy" 2>/dev/null || true)"
check "small host: the file's own maxRecords is commented out" "1" "$(grep -cE '^# *maxRecords *= *10000' "$copy" 2>/dev/null || true)"
check "small host: the java command reads the copy" "1" "$(grep -c -- "--properties-file $copy" <<<"$out" || true)"
check "small host: stderr says why" "1" "$(grep -c 'would pass 40 % of the 1000 MB' "$tmp/err" || true)"
rm -f "$copy"
check "a roomy host leaves the file alone" "$tmp/b.properties" \
  "$(run --properties "$tmp/b.properties" --shards 8 --keep-initial-position --dry-run 2>/dev/null | grep -o -- "--properties-file [^ ]*" | cut -d' ' -f2)"

# Both edits in one copy: the lowered maxRecords and the first start's AT_TIMESTAMP (scripts/run step 3).
out="$(ACTIVE_USERS_MEMORY_MB=1000 run --properties "$tmp/b.properties" --shards 64 --dry-run 2>/dev/null)"
copy="$(grep -o -- "--properties-file [^ ]*" <<<"$out" | cut -d' ' -f2)"
check "small host + first start: maxRecords and the timestamp in the daemon's copy" "2" \
  "$(grep -cE '^(maxRecords = 2000|initialPositionInStreamExtended = [0-9]+)$' "$copy" 2>/dev/null || true)"
rm -f "$copy"

# Any MultiLangDaemon application (issue 20): a Node processor's file has no TTL, so maxReplay must be said.
printf 'executableName = node app.js\nstreamName = s\napplicationName = a\nworkerId = w\n' >"$tmp/peer.properties"
rc=0; run --properties "$tmp/peer.properties" --shards 1 --dry-run >/dev/null 2>"$tmp/err" || rc=$?
check "a peer's file without --max-replay: refused (exit 2)" "2" "$rc"
check "a peer's file without --max-replay: stderr says why" "1" "$(grep -c -- '--max-replay DURATION is required.*"node app.js", not active-users' "$tmp/err" || true)"
rc=0; run --properties "$tmp/peer.properties" --shards 1 --max-replay 2x --dry-run >/dev/null 2>"$tmp/err" || rc=$?
check "a malformed --max-replay: refused (exit 2)" "2" "$rc"
t0=$(date +%s)
out="$(run --properties "$tmp/peer.properties" --shards 1 --max-replay 1h30m --dry-run 2>/dev/null)"
t1=$(date +%s)   # the launcher read its clock between t0 and t1: a second may have turned in between
copy="$(grep -o -- "--properties-file [^ ]*" <<<"$out" | cut -d' ' -f2)"
at="$(sed -n 's/^initialPositionInStreamExtended = //p' "$copy" 2>/dev/null || true)"
check "a peer with --max-replay 1h30m: new leases start at now - 5400 s" "yes" \
  "$( [ -n "$at" ] && (( at >= t0 - 5400 && at <= t1 - 5400 )) && echo yes || echo "no (at=$at, t0=$t0, t1=$t1)")"
check "a peer: its executableName reaches the daemon unchanged" "executableName = node app.js" "$(grep -E '^executableName' "$copy" 2>/dev/null || true)"
rm -f "$copy"
rc=0; ACTIVE_USERS_MAX_REPLAY=90s run --properties "$tmp/peer.properties" --shards 1 --dry-run >/dev/null 2>"$tmp/err" || rc=$?
check "a peer with ACTIVE_USERS_MAX_REPLAY=90s: accepted" "0 1" "$rc $(grep -c 'max replay 90 s' "$tmp/err" || true)"
rc=0; run --properties "$tmp/peer.properties" --shards 1 --skip-fix --keep-initial-position --dry-run >/dev/null 2>&1 || rc=$?
check "a peer with --skip-fix --keep-initial-position needs no max replay" "0" "$rc"

echo "$((checks - fails)) passed, $fails failed"
[ "$fails" = 0 ]
