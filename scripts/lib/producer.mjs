#!/usr/bin/env node
// Heartbeat producer for the local stack: N users, each sends one heartbeat per period as
//   {"userId":"<guid>","ts":<epoch ms>}
// to a Kinesis stream with PutRecords (partition key = userId), spread evenly over the period.
//
//   node scripts/lib/producer.mjs --stream S [--users 1000] [--period-ms 60000] [--seed 1]
//        [--truth FILE] [--truth-every-ms 1000] [--duration-s 600] [--max-records N]
//        [--backlog K] [--backlog-age-ms 3600000] [--rate-every-ms 5000] [--endpoint URL]
//        [--sent-log FILE] [--api PutRecords|PutRecord] [--stats-file FILE]
//
// - User ids are GUID-shaped, derived from sha256(seed:index): the same seed gives the same users.
// - User i sends at offset i*period/N within every period (first round starts at start time).
// - --backlog K: before the live loop, sends K records once, round-robin over the users, with timestamps
//   spread evenly over [now - backlog-age-ms, now - backlog-age-ms/2] (old data, e.g. for replay tests).
// - Ground truth: FILE (JSON object userId -> last successfully sent ts, epoch ms) rewritten atomically
//   every --truth-every-ms (by a timer, also in the middle of a long batch) and at exit. Records PutRecords rejects are retried in the next tick.
// - Bounded: stops by itself after --duration-s (0 = until signalled) or --max-records; exits 0 on
//   SIGTERM/SIGINT after writing the truth file.
// - Rate line on stderr every --rate-every-ms.
// - --sent-log FILE: one line per record Kinesis accepted, "<sequenceNumber> <ts> <shardId>", appended (the
//   "fresh records lost" count of the recovery tests compares it with what the processors received).
// - --api PutRecord: one PutRecord call per record, in turn, instead of PutRecords batches. kinesis-local's
//   PutRecords costs each entry a pass over ALL the records of its target shard (1.4 s per entry into a
//   150,000-record shard on 2 busy cores), PutRecord does not (docs/local-stack-notes.md, "Big backlogs").
// - --stats-file FILE: a JSON object rewritten atomically every second by a timer that runs even while a call
//   hangs: {"pid", "at" (epoch ms of this write), "sent", "rejected", "lastAcceptedAt" (epoch ms, 0 = none yet),
//   "ratePerSec" (records accepted over the last 5 s, measured by the timer), "windowS"}. A reader tells a
//   live producer from a hung one ("at" is recent, "lastAcceptedAt" is not) and from a dead one ("at" is old).
// Endpoint: --endpoint or env KINESIS_ENDPOINT (set by stack_start).
import { createHash } from 'node:crypto';
import { writeFileSync, renameSync, appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { kinesis } from './aws-local.mjs';

function parseArgs(argv) {
  const o = {
    stream: '', users: 1000, periodMs: 60000, seed: '1', truth: '', truthEveryMs: 1000, durationS: 600,
    maxRecords: 0, backlog: 0, backlogAgeMs: 3600000, rateEveryMs: 5000, endpoint: process.env.KINESIS_ENDPOINT,
    sentLog: '', api: 'PutRecords', statsFile: '',
  };
  const keys = {
    '--stream': 'stream', '--users': 'users', '--period-ms': 'periodMs', '--seed': 'seed', '--truth': 'truth',
    '--truth-every-ms': 'truthEveryMs', '--duration-s': 'durationS', '--max-records': 'maxRecords',
    '--backlog': 'backlog', '--backlog-age-ms': 'backlogAgeMs', '--rate-every-ms': 'rateEveryMs', '--endpoint': 'endpoint',
    '--sent-log': 'sentLog', '--api': 'api', '--stats-file': 'statsFile',
  };
  for (let i = 0; i < argv.length; i++) {
    const k = keys[argv[i]];
    if (!k || i + 1 >= argv.length) throw new Error(`bad argument ${argv[i]} (see the header of producer.mjs)`);
    const v = argv[++i];
    o[k] = typeof o[k] === 'number' ? Number(v) : v;
  }
  if (!o.stream) throw new Error('--stream is required');
  if (!(o.users > 0) || !(o.periodMs > 0)) throw new Error('--users and --period-ms must be > 0');
  if (!['PutRecords', 'PutRecord'].includes(o.api)) throw new Error('--api is PutRecords or PutRecord');
  return o;
}

export function userIds(n, seed) {
  const ids = [];
  for (let i = 0; i < n; i++) {
    const h = createHash('sha256').update(`${seed}:${i}`).digest('hex');
    const v = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
    ids.push(`${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${v}${h.slice(17, 20)}-${h.slice(20, 32)}`);
  }
  return ids;
}

const o = parseArgs(process.argv.slice(2));
const ids = userIds(o.users, o.seed);
const truth = new Map();
let stopping = false, truthDirty = false;
let sent = 0, failed = 0, calls = 0, windowSent = 0, windowStart = Date.now(), lastAcceptedAt = 0;

const log = (m) => process.stderr.write(`producer: ${m}\n`);

function writeTruth() {
  if (!o.truth) return;
  truthDirty = false;
  const tmp = `${o.truth}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(Object.fromEntries(truth)));
  renameSync(tmp, o.truth);
}

const entry = (e) => ({ PartitionKey: e.userId, Data: Buffer.from(JSON.stringify({ userId: e.userId, ts: e.ts })).toString('base64') });

// Sends [{userId, ts, live}] in PutRecords batches of <= 500 (or --api PutRecord: one record per call);
// returns the entries that were not accepted. A live heartbeat's ts is the time of its call (a producer that
// fell behind sends current heartbeats, as a client would); backlog entries keep their old ts. Each answer
// is counted as it comes (sent, truth, --sent-log), not at the end of a long batch.
async function put(entries) {
  const retry = [];
  const size = o.api === 'PutRecord' ? 1 : 500;
  for (let i = 0; i < entries.length; i += size) {
    const batch = entries.slice(i, i + size);
    if (stopping) { retry.push(...batch); continue; }  // a signal ends a long batch early
    const now = Date.now();
    for (const e of batch) if (e.live) e.ts = now;
    let r;
    try {
      calls++;
      r = o.api === 'PutRecord'
        ? { Records: [await kinesis('PutRecord', { StreamName: o.stream, ...entry(batch[0]) }, { endpoint: o.endpoint })] }
        : await kinesis('PutRecords', { StreamName: o.stream, Records: batch.map(entry) }, { endpoint: o.endpoint });
    } catch (e) {
      log(`${o.api} failed: ${e.message}`);
      failed += batch.length;
      retry.push(...batch);
      continue;
    }
    const accepted = [];
    r.Records.forEach((res, j) => {
      const e = batch[j];
      if (res.ErrorCode) { failed++; retry.push(e); return; }
      sent++; windowSent++; lastAcceptedAt = Date.now();
      if (!(truth.get(e.userId) >= e.ts)) { truth.set(e.userId, e.ts); truthDirty = true; }
      if (o.sentLog) accepted.push(`${res.SequenceNumber} ${e.ts} ${res.ShardId}\n`);
    });
    if (accepted.length) appendFileSync(o.sentLog, accepted.join(''));
  }
  return retry;
}

// --stats-file: (time, sent) samples once a second; the rate is over the oldest sample of the last 5 s.
const samples = [];
function writeStats() {
  const now = Date.now();
  samples.push([now, sent]);
  while (samples.length > 1 && now - samples[0][0] > 5500) samples.shift();
  const [t0, s0] = samples[0];
  const windowS = (now - t0) / 1000;
  const stats = { pid: process.pid, at: now, sent, rejected: failed, lastAcceptedAt,
    ratePerSec: windowS > 0 ? Math.round(((sent - s0) / windowS) * 10) / 10 : 0, windowS };
  const tmp = `${o.statsFile}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(stats));
  renameSync(tmp, o.statsFile);
}
if (o.statsFile) {
  writeStats();
  setInterval(() => {
    try { writeStats(); } catch (e) { log(`stats file: ${e.message}`); }
  }, 1000).unref();
}
// The truth file also from a timer: a long batch (a producer that fell behind sends thousands of records in
// one put()) must not leave it unwritten while records are being accepted.
if (o.truth) {
  setInterval(() => {
    if (!truthDirty) return;
    try { writeTruth(); } catch (e) { log(`truth file: ${e.message}`); }
  }, o.truthEveryMs).unref();
}

function stop(sig) {
  if (!stopping) log(`${sig}: stopping`);
  stopping = true;
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

async function main() {
  const t0 = Date.now();
  const endAt = o.durationS > 0 ? t0 + o.durationS * 1000 : Infinity;
  log(`stream ${o.stream}, ${o.users} users, period ${o.periodMs} ms, seed ${o.seed}, backlog ${o.backlog}`);

  if (o.backlog > 0) {
    const from = t0 - o.backlogAgeMs, span = o.backlogAgeMs / 2;
    const entries = [];
    for (let k = 0; k < o.backlog; k++) {
      entries.push({ userId: ids[k % ids.length], ts: Math.round(from + (span * k) / o.backlog) });
    }
    let left = entries;
    for (let attempt = 0; left.length && attempt < 20 && !stopping; attempt++) left = await put(left);
    if (left.length) log(`backlog: ${left.length} records not accepted`);
    writeTruth();
  }

  let pending = [];
  let next = 0; // index of the next heartbeat in the global schedule (user = next % N, round = next / N)
  const slot = o.periodMs / o.users;
  let lastTruth = Date.now(), lastRate = Date.now();
  while (!stopping && Date.now() < endAt && !(o.maxRecords > 0 && sent >= o.maxRecords)) {
    const now = Date.now();
    const due = Math.floor((now - t0) / slot) + 1; // heartbeats whose slot has started
    const batch = pending;
    pending = [];
    for (; next < due && batch.length < 5000; next++) {
      if (o.maxRecords > 0 && sent + batch.length >= o.maxRecords) break;
      batch.push({ userId: ids[next % o.users], ts: now, live: true });
    }
    if (batch.length) pending = await put(batch);
    if (now - lastTruth >= o.truthEveryMs) { writeTruth(); lastTruth = now; }
    if (now - lastRate >= o.rateEveryMs) {
      const secs = (now - windowStart) / 1000;
      log(`rate ${(windowSent / secs).toFixed(1)} records/s over ${secs.toFixed(1)} s; total sent ${sent}, ` +
        `rejected ${failed}, calls ${calls}, behind ${Math.max(0, due - next)}`);
      windowSent = 0; windowStart = now; lastRate = now;
    }
    const wait = Math.min(100, Math.max(20, t0 + next * slot - Date.now()));
    await sleep(wait);
  }
  writeTruth();
  log(`done: sent ${sent}, rejected ${failed} (retried), ${truth.size} users in truth`);
}

main().then(() => process.exit(0), (e) => {
  log(`fatal: ${e.message}`);
  try { writeTruth(); } catch { /* ignore */ }
  process.exit(1);
});
