#!/usr/bin/env node
// kinesis-limits: a Kinesis read side with Kinesis's limits, in front of kinesis-local (LOCAL STACK ONLY).
//
//   node scripts/lib/kinesis-limits.mjs --upstream http://127.0.0.1:KINESIS_LOCAL_PORT [--port P]
//        [--stats-file FILE]
//
// Listens on 127.0.0.1:P (0 = any free port; the port is printed on stderr as "listening on 127.0.0.1:P").
// One port serves HTTP/2 cleartext with prior knowledge (the KCL 2.x/3.x Kinesis client) and HTTP/1.1
// (libcurl, Node). Every request goes to kinesis-local unchanged, except GetShardIterator and GetRecords
// (JSON; the daemon runs with -Daws.cborEnabled=false), which get the documented Kinesis Data Streams read
// limits, per shard:
//   - at most 5 GetRecords calls per second (any 1000 ms window);
//   - at most 2 MiB/s read (record data + partition key), as a token bucket of one second's budget that
//     may go negative: a call returning more than the budget makes the next calls fail until it refills
//     (a 10 MiB response from a full bucket: 4 s of refusals);
//   - at most 10,000 records and 10 MiB per call (a larger Limit is capped, the response cut at 10 MiB);
//   - over a limit: HTTP 400, content-type application/x-amz-json-1.1,
//     {"__type":"ProvisionedThroughputExceededException","message":"Rate exceeded for shard shardId-... in
//     stream S under account 000000000000."};
//   - MillisBehindLatest = now - ApproximateArrivalTimestamp of the last record returned while more records
//     remain after the response, 0 when the response reaches the tip of the shard.
// How (read-side.mjs): the proxy hands out its own shard iterators (stream, shard, position) and reads one
// record more than it returns from kinesis-local to know whether more remain. Iterators expire after 300 s.
//
// Environment (defaults = the AWS values):
//   KINESIS_LIMIT_GETRECORDS_PER_SEC=5          GetRecords calls per shard per second
//   KINESIS_LIMIT_READ_BYTES_PER_SEC=2097152    bytes read per shard per second (2 MiB)
//   KINESIS_LIMIT_READ_BURST_BYTES=<bytes/s>    size of the byte bucket (default: one second's budget)
//   KINESIS_LIMIT_RECORDS_PER_CALL=10000        records per GetRecords (<= 10000)
//   KINESIS_LIMIT_BYTES_PER_CALL=10485760       bytes per GetRecords (10 MiB; at least one record is returned)
//   KINESIS_LIMIT_ACCOUNT=000000000000          account id in the error message (kinesis-local's default)
//   KINESIS_LIMIT_STATS_EVERY_S=60              per-shard counts to stderr at this interval, when there were
//                                               reads (0 = never); also on SIGUSR1 and at exit
//   KINESIS_LIMITS_STATS_FILE=FILE              as --stats-file FILE (what scripts/run-local sets)
// --stats-file FILE: the per-shard counts since start as JSON, rewritten atomically every second (when they
// changed) and at exit: {"at": epoch ms, "pid", "shards": {"STREAM/SHARD": {"calls", "throttledCalls",
// "throttledBytes", "records", "bytes"}}, "unlimited"} ("records": records handed to readers: what the
// daemon read). scripts/run-local's reshard-restart summary reads it.
// Logging: stderr only, quietly (start, errors, the counts). SIGTERM/SIGINT: the counts, then exit 0.

import { writeFileSync, renameSync } from 'node:fs';
import { limitsFromEnv, describeLimits } from './kinesis-limits/config.mjs';
import { ShardLimiter } from './kinesis-limits/limiter.mjs';
import { ReadSide } from './kinesis-limits/read-side.mjs';
import { ReadStats } from './kinesis-limits/stats.mjs';
import { createProxyServer, createUpstream, listen } from './kinesis-limits/server.mjs';

function log(line) {
  process.stderr.write(`${new Date().toISOString()} kinesis-limits: ${line}\n`);
}

function parseArgs(argv) {
  const a = { port: 0, upstream: null, statsFile: process.env.KINESIS_LIMITS_STATS_FILE || '' };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    if (argv[i] === '--port') { a.port = Number(v); i++; }
    else if (argv[i] === '--upstream') { a.upstream = v; i++; }
    else if (argv[i] === '--stats-file') { a.statsFile = v; i++; }
    else throw new Error(`unknown argument ${argv[i]} (see the header of this file)`);
  }
  if (!a.upstream) throw new Error('--upstream http://127.0.0.1:PORT (kinesis-local) is required');
  if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) throw new Error(`bad --port ${a.port}`);
  return a;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const limits = limitsFromEnv();
  const stats = new ReadStats();
  const upstream = createUpstream(args.upstream);
  const readSide = new ReadSide({
    limits, stats, upstream: upstream.call, log,
    limiter: new ShardLimiter({ callsPerSec: limits.getRecordsPerSec, bytesPerSec: limits.readBytesPerSec,
      burstBytes: limits.readBurstBytes }),
  });
  const server = createProxyServer({ upstream, readSide, log });
  const port = await listen(server, args.port);
  log(`listening on 127.0.0.1:${port}, upstream ${args.upstream}; ${describeLimits(limits)}`);

  const dump = (title, lines) => { if (lines.length) log(`${title}:\n  ${lines.join('\n  ')}`); };
  if (limits.statsEverySec > 0) {
    setInterval(() => dump(`last ${limits.statsEverySec} s`, stats.take()), limits.statsEverySec * 1000).unref();
  }
  const totals = () => [...stats.totals(),
    `connections: ${server.connections.h2} HTTP/2 (prior knowledge), ${server.connections.h1} HTTP/1.1`];
  process.on('SIGUSR1', () => dump('since start', totals()));
  let written = '';
  const writeStatsFile = () => {
    if (!args.statsFile) return;
    const shards = Object.fromEntries([...stats.total.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
    const body = JSON.stringify({ shards, unlimited: stats.unlimited });
    if (body === written) return;
    const tmp = `${args.statsFile}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify({ at: Date.now(), pid: process.pid, shards, unlimited: stats.unlimited }));
    renameSync(tmp, args.statsFile);
    written = body;
  };
  if (args.statsFile) {
    writeStatsFile();
    setInterval(() => {
      try { writeStatsFile(); } catch (e) { log(`stats file ${args.statsFile}: ${e.message}`); }
    }, 1000).unref();
  }
  const stop = () => {
    try { writeStatsFile(); } catch { /* exiting anyway */ }
    dump('since start', totals());
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  log(e.message);
  process.exit(1);
});
