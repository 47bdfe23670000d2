#!/usr/bin/env bash
# Builds (when needed) and starts the Java KCL 3.x peer consumer (PeerConsumer.java, a test fixture; README.md).
#
#   tests/daemon/peers/java/run.sh --stream S --app A --region R --kinesis-endpoint URL --dynamodb-endpoint URL \
#       --transcripts DIR [--worker-id ID] [--failover-ms 3000] [--shard-sync-ms 1000] [--parent-poll-ms 1000] \
#       [--idle-ms 1500] [--max-records 10000] [--shutdown-grace-ms 20000]
#
# Environment:
#   KCL_JARS          the KCL 3.x jars (default <repo>/.daemon/3.5.1/jars, what scripts/setup-stack fetches;
#                     tests pass "$(daemon_jars 3.5.1)")
#   PEER_JAVA_CLASSES where the class is built (default <repo>/.local-stack/peer-java/classes); rebuilt when
#                     missing or older than PeerConsumer.java
#   PEER_JAVA_OPTS    JVM options (default -XX:+UseSerialGC -Xmx256m)
# The JVM replaces this script (exec): the caller's $! is the consumer's PID; SIGTERM it to stop it gracefully.
# Missing java, javac (for a build) or jars: a message on stderr and exit 77 (the tests' SKIPPED code).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
jars="${KCL_JARS:-$root/.daemon/3.5.1/jars}"
classes="${PEER_JAVA_CLASSES:-$root/.local-stack/peer-java/classes}"

skip() { echo "SKIPPED: peer-java: $*" >&2; exit 77; }
command -v java >/dev/null || skip "no java"
ls "$jars"/amazon-kinesis-client-3.*.jar >/dev/null 2>&1 || skip "no KCL 3.x jars in $jars (run scripts/setup-stack)"

if [ ! -f "$classes/PeerConsumer.class" ] || [ "$here/PeerConsumer.java" -nt "$classes/PeerConsumer.class" ]; then
  command -v javac >/dev/null || skip "no javac to build $here/PeerConsumer.java"
  mkdir -p "$classes"
  tmp="$(mktemp -d "$classes/.build-XXXXXX")"
  # -XDignore.symbol.file: sun.misc.Signal (the SIGTERM handler) without the "internal API" warning.
  if ! javac -XDignore.symbol.file -nowarn -d "$tmp" -cp "$jars/*" "$here/PeerConsumer.java" >"$tmp.log" 2>&1; then
    cat "$tmp.log" >&2; rm -rf "$tmp" "$tmp.log"
    echo "peer-java: javac failed" >&2; exit 1
  fi
  mv -f "$tmp"/*.class "$classes/"
  rm -rf "$tmp" "$tmp.log"
fi

# shellcheck disable=SC2086  # PEER_JAVA_OPTS is a list of options
exec java ${PEER_JAVA_OPTS:--XX:+UseSerialGC -Xmx256m} -Daws.cborEnabled=false -Dfile.encoding=UTF-8 \
  -Dlogback.configurationFile="$here/logback.xml" -cp "$classes:$jars/*" PeerConsumer "$@"
