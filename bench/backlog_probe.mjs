#!/usr/bin/env node
// Timings of kinesis-local reads and writes on a shard with a big backlog, for bench/backlog.
// Endpoint: KINESIS_ENDPOINT (stack.sh).
//
//   backlog_probe.mjs read STREAM SHARD TYPE [AT_MS]     one GetShardIterator (TRIM_HORIZON, LATEST or
//       AT_TIMESTAMP at AT_MS) and one GetRecords of up to 10,000 records: "<records> <ms> <millisBehindLatest>"
//   backlog_probe.mjs put STREAM SHARD COUNT              one PutRecords of COUNT records into SHARD (explicit
//       hash key: the middle of its range): "<ms> <first sequence number>"
//   backlog_probe.mjs put1 STREAM SHARD COUNT             COUNT PutRecord calls in turn: "<mean ms> <max ms>"
import { kinesis, listShards } from '../scripts/lib/aws-local.mjs';

const [cmd, stream, shardId, ...rest] = process.argv.slice(2);

async function read() {
  const [type, atMs] = rest;
  const it = await kinesis('GetShardIterator', {
    StreamName: stream, ShardId: shardId, ShardIteratorType: type, ...(atMs ? { Timestamp: Number(atMs) / 1000 } : {}),
  }, { timeoutMs: 120000 });
  const t0 = performance.now();
  const r = await kinesis('GetRecords', { ShardIterator: it.ShardIterator, Limit: 10000 }, { timeoutMs: 120000 });
  console.log(`${r.Records.length} ${Math.round(performance.now() - t0)} ${r.MillisBehindLatest}`);
}

async function hashKeyOf() {
  const s = (await listShards(stream)).find((x) => x.ShardId === shardId);
  return ((BigInt(s.HashKeyRange.StartingHashKey) + BigInt(s.HashKeyRange.EndingHashKey)) / 2n).toString();
}
const entry = (i, key) => ({
  Data: Buffer.from(JSON.stringify({ userId: `probe-${i}`, ts: Date.now() })).toString('base64'),
  PartitionKey: `probe-${i}`, ExplicitHashKey: key,
});

async function put() {
  const key = await hashKeyOf();
  const records = Array.from({ length: Number(rest[0]) }, (_, i) => entry(i, key));
  const t0 = performance.now();
  const r = await kinesis('PutRecords', { StreamName: stream, Records: records }, { timeoutMs: 300000 });
  if (r.FailedRecordCount) throw new Error(`${r.FailedRecordCount} records failed`);
  console.log(`${Math.round(performance.now() - t0)} ${r.Records[0].SequenceNumber}`);
}

async function put1() {
  const key = await hashKeyOf();
  const times = [];
  for (let i = 0; i < Number(rest[0]); i++) {
    const t0 = performance.now();
    await kinesis('PutRecord', { StreamName: stream, ...entry(i, key) }, { timeoutMs: 60000 });
    times.push(performance.now() - t0);
  }
  console.log(`${Math.round(times.reduce((a, b) => a + b, 0) / times.length)} ${Math.round(Math.max(...times))}`);
}

const commands = { read, put, put1 };
if (!commands[cmd]) { console.error(`backlog_probe.mjs: unknown command ${cmd} (see the header)`); process.exit(2); }
commands[cmd]().catch((e) => { console.error(`backlog_probe.mjs ${cmd}: ${e.message}`); process.exit(1); });
