#!/usr/bin/env node
// Checks of tests/backlog/inject.sh, through the Kinesis API of the running kinesis-local (KINESIS_ENDPOINT).
//
//   check.mjs live STREAM OUT SHARD...     puts 5 live records into each shard (PutRecords, explicit hash key
//                                          in the shard), writes {shard: [records as read back]} to OUT
//   check.mjs unchanged STREAM LIVE SHARD...   every shard holds exactly its live records of LIVE (none if absent)
//   check.mjs head STREAM SHARD SEQ          the first record from TRIM_HORIZON has sequence number SEQ
//   check.mjs verify STREAM LIVE SUMMARY T0 T1 OLDEST_S NEWEST_S SHARD...
//       the backlog of SUMMARY (the injector's JSON; the call ran between epoch ms T0 and T1 with ages
//       OLDEST_S / NEWEST_S) as read back: see verifyShard; then AT_TIMESTAMP and a PutRecords afterwards.
// Prints "ok: ..." lines; the first failed check exits 1 with "FAIL: ...".
import { readFileSync, writeFileSync } from 'node:fs';
import { kinesis, listShards } from '../../scripts/lib/aws-local.mjs';

const [cmd, stream, ...args] = process.argv.slice(2);
const check = (cond, what) => {
  if (!cond) { console.error(`FAIL: ${what}`); process.exit(1); }
  console.log(`ok: ${what}`);
};
const opts = { timeoutMs: 60000 };
const ms = (r) => Math.round(r.ApproximateArrivalTimestamp * 1000);
const payload = (r) => JSON.parse(Buffer.from(r.Data, 'base64').toString('utf8'));

async function hashKeys() {
  const keys = {};
  for (const s of await listShards(stream)) {
    keys[s.ShardId] = ((BigInt(s.HashKeyRange.StartingHashKey) + BigInt(s.HashKeyRange.EndingHashKey)) / 2n).toString();
  }
  return keys;
}

async function iterator(shard, type, extra = {}) {
  return (await kinesis('GetShardIterator', { StreamName: stream, ShardId: shard, ShardIteratorType: type, ...extra }, opts)).ShardIterator;
}

// Every record of an open shard, from TRIM_HORIZON to the tip.
async function readAll(shard) {
  const out = [];
  let it = await iterator(shard, 'TRIM_HORIZON');
  for (;;) {
    const r = await kinesis('GetRecords', { ShardIterator: it, Limit: 10000 }, opts);
    out.push(...r.Records);
    it = r.NextShardIterator;
    if (!r.Records.length) return out;
  }
}

async function first(shard, type, extra) {
  return (await kinesis('GetRecords', { ShardIterator: await iterator(shard, type, extra), Limit: 1 }, opts)).Records[0];
}

async function put(shards, n, prefix) {
  const keys = await hashKeys();
  const entries = shards.flatMap((s) => Array.from({ length: n }, (_, i) => ({
    Data: Buffer.from(JSON.stringify({ userId: `${prefix}-${s}-${i}`, ts: Date.now() })).toString('base64'),
    PartitionKey: `${prefix}-${i}`, ExplicitHashKey: keys[s],
  })));
  const r = await kinesis('PutRecords', { StreamName: stream, Records: entries }, opts);
  check(!r.FailedRecordCount, `PutRecords of ${entries.length} records into ${shards.join(' ')}`);
  return r.Records;
}

async function live([out, ...shards]) {
  await put(shards, 5, 'live');
  const got = {};
  for (const s of shards) got[s] = await readAll(s);
  for (const s of shards) check(got[s].length === 5, `${s}: 5 live records`);
  writeFileSync(out, JSON.stringify(got));
}

async function unchanged([liveFile, ...shards]) {
  const liveRecs = JSON.parse(readFileSync(liveFile, 'utf8'));
  for (const s of shards) {
    const want = liveRecs[s] || [];
    const got = await readAll(s);
    check(JSON.stringify(got) === JSON.stringify(want), `${s}: exactly its ${want.length} live records, unchanged`);
  }
}

// One backlog shard: the live records first and unchanged, then `sum.added` backlog records with increasing
// sequence numbers (the first and last as the summary says), arrival times never decreasing, after the last
// live record, inside the window asked; payloads {"userId":"stale-<i % 1000>","ts":<arrival ms>}.
function verifyShard(s, recs, liveRecs, sum, k, n, win) {
  const backlog = recs.slice(liveRecs.length);
  check(recs.length === liveRecs.length + sum.added && sum.existing === liveRecs.length,
    `${s}: ${liveRecs.length} live + ${sum.added} backlog records read back (${recs.length})`);
  check(JSON.stringify(recs.slice(0, liveRecs.length)) === JSON.stringify(liveRecs), `${s}: the live records come first, unchanged`);
  let seqOk = true, timeOk = true, strict = true, dataOk = true;
  for (let j = 0; j < recs.length; j++) {
    if (j && BigInt(recs[j].SequenceNumber) <= BigInt(recs[j - 1].SequenceNumber)) seqOk = false;
    if (j && ms(recs[j]) < ms(recs[j - 1])) timeOk = false;
    if (j > liveRecs.length && ms(recs[j]) === ms(recs[j - 1])) strict = false;
  }
  backlog.forEach((r, j) => {
    const p = payload(r), user = `stale-${(j * n + k) % 1000}`;
    if (p.userId !== user || p.ts !== ms(r) || r.PartitionKey !== user) dataOk = false;
  });
  check(seqOk, `${s}: sequence numbers strictly increasing`);
  check(timeOk, `${s}: arrival times never decrease`);
  check(strict === sum.strictlyIncreasing, `${s}: backlog arrival times strictly increasing = ${sum.strictlyIncreasing} (spacing ${sum.spacingMs.toFixed(3)} ms)`);
  check(dataOk, `${s}: payloads {"userId":"stale-<i>","ts":<arrival>} and partition keys`);
  check(backlog[0].SequenceNumber === sum.firstSequenceNumber && backlog.at(-1).SequenceNumber === sum.lastSequenceNumber,
    `${s}: first and last sequence numbers as reported`);
  const lastLive = liveRecs.length ? ms(liveRecs.at(-1)) : -Infinity;
  const lo = Math.max(win.from, lastLive + 1);
  check(ms(backlog[0]) === sum.firstArrivalMs && ms(backlog.at(-1)) === sum.lastArrivalMs,
    `${s}: first and last arrival as reported`);
  check(sum.firstArrivalMs >= lo && sum.firstArrivalMs <= Math.max(win.fromMax, lastLive + 1) && sum.lastArrivalMs >= win.to &&
    sum.lastArrivalMs <= win.toMax,
    `${s}: backlog arrivals inside [max(now - oldest, last live + 1 ms), now - newest]: ` +
    `${new Date(sum.firstArrivalMs).toISOString()} .. ${new Date(sum.lastArrivalMs).toISOString()}`);
  return backlog;
}

async function verify([liveFile, summaryFile, t0, t1, oldest, newest, ...shards]) {
  const liveRecs = JSON.parse(readFileSync(liveFile, 'utf8'));
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
  // The injector's "now" lies between T0 and T1.
  const win = { from: +t0 - oldest * 1000, fromMax: +t1 - oldest * 1000, to: +t0 - newest * 1000, toMax: +t1 - newest * 1000 };
  const all = await listShards(stream);
  check(all.length === 4 && all.filter((x) => x.SequenceNumberRange.EndingSequenceNumber).map((x) => x.ShardId).join() === 'shardId-000000000000',
    'the stream still has its 4 shards, the split parent closed');
  const backlogs = {};
  shards.forEach((s, k) => { check(summary.shards[k].shardId === s, `summary in shard order (${s})`); });
  for (const [k, s] of shards.entries()) {
    backlogs[s] = verifyShard(s, await readAll(s), liveRecs[s] || [], summary.shards[k], k, shards.length, win);
  }
  // AT_TIMESTAMP (kinesis-local: the first record whose arrival ms >= the timestamp).
  for (const s of shards) {
    const b = backlogs[s], j = Math.floor(b.length / 3);
    const lastLive = (liveRecs[s] || []).at(-1);
    if (lastLive) {
      const r = await first(s, 'AT_TIMESTAMP', { Timestamp: (ms(lastLive) + 1) / 1000 });
      check(r && r.SequenceNumber === b[0].SequenceNumber, `${s}: AT_TIMESTAMP last live + 1 ms -> the first backlog record`);
    }
    const at = ms(b[j]), firstAt = b.findIndex((r) => ms(r) === at);
    const r1 = await first(s, 'AT_TIMESTAMP', { Timestamp: at / 1000 });
    check(r1 && r1.SequenceNumber === b[firstAt].SequenceNumber, `${s}: AT_TIMESTAMP at record ${j}'s arrival -> record ${firstAt}, the first with that arrival`);
    const next = b.findIndex((r) => ms(r) > at);
    const r2 = await first(s, 'AT_TIMESTAMP', { Timestamp: (at + 1) / 1000 });
    check(r2 && r2.SequenceNumber === b[next].SequenceNumber, `${s}: AT_TIMESTAMP 1 ms later -> record ${next}`);
  }
  // Live writes afterwards: sequence numbers and arrivals after the backlog, read right after it.
  const before = Date.now();
  const res = await put(shards, 3, 'after');
  for (const [k, s] of shards.entries()) {
    const mine = res.slice(k * 3, k * 3 + 3);
    const last = backlogs[s].at(-1);
    check(mine.every((r) => r.ShardId === s && BigInt(r.SequenceNumber) > BigInt(last.SequenceNumber)),
      `${s}: PutRecords afterwards get sequence numbers after the backlog's`);
    const after = (await kinesis('GetRecords', {
      ShardIterator: await iterator(s, 'AFTER_SEQUENCE_NUMBER', { StartingSequenceNumber: last.SequenceNumber }), Limit: 100,
    }, opts)).Records;
    check(after.length === 3 && after.every((r, i) => r.SequenceNumber === mine[i].SequenceNumber && ms(r) >= before - 5 &&
      ms(r) > ms(last)), `${s}: AFTER_SEQUENCE_NUMBER the backlog's last record -> exactly the 3 new records, arrived now`);
  }
}

async function head([shard, seq]) {
  const r = await first(shard, 'TRIM_HORIZON');
  check(r && r.SequenceNumber === seq, `${shard}: the first record from TRIM_HORIZON is ${seq} (through ${process.env.KINESIS_ENDPOINT})`);
}

const commands = { live, unchanged, verify, head };
if (!commands[cmd]) { console.error(`check.mjs: unknown command ${cmd} (see the header)`); process.exit(2); }
commands[cmd](args).catch((e) => { console.error(`FAIL: check.mjs ${cmd}: ${e.message}`); process.exit(1); });
