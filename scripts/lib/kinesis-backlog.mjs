#!/usr/bin/env node
// Appends a backlog of OLD heartbeat records to chosen shards of a stream in kinesis-local's persisted
// state file (kinesis-data.json), so that a restarted kinesis-local serves them as if they had arrived in
// the past. Seconds for 300k records, where PutRecords takes minutes (it slows as a shard grows).
// Run it only while kinesis-local is stopped (it rewrites the whole file, tmp + rename); the shell side is
// stack_kinesis_inject_backlog in scripts/lib/kinesis-backlog.sh. File format and sequence-number scheme:
// docs/local-stack-notes.md, "Big backlogs, the fast way".
//
//   node scripts/lib/kinesis-backlog.mjs --file F --stream S --count N --from-ms T0 --to-ms T1
//        [--max-rate 1000] [--prefix stale] [--users 1000] [--payload stale|heartbeat] SHARD_ID...
//
// - N records, split evenly over the shards (the first N % shards get one more), record i (0-based, over
//   all shards) goes to shard i % shards and carries {"userId":"<prefix>-<i % users>","ts":<arrival ms>},
//   partition key = the userId (like `tests/daemon/e2e.mjs backlog`).
//   --payload heartbeat: the userId is instead a GUID (from sha256("<prefix>:<i % users>")) and the data is the
//   107-byte heartbeat of bench/gen_input.py, {"userId":"<guid>","ts":<ms>,"type":"heartbeat","client":"web/2.14"}
//   (bench/pipeline: the same records as bench/run, served by the real daemon).
// - Appended AFTER the shard's existing records: sequence numbers are positional (seqIndex = position + 1,
//   which is also where kinesis-local's own PutRecords continue), and a lease checkpoint that points at an
//   existing record then still has the whole backlog after it.
// - Arrival times, per shard: evenly spaced over [max(T0, last existing arrival + 1 ms), T1], whole
//   milliseconds, never decreasing, so arrival order is sequence order. Strictly increasing when the window
//   has room (spacing >= 1 ms). --max-rate R (records per second per shard; default 1000, Kinesis's per-shard
//   write limit) refuses a window shorter than the shard's count / R; 0 = any density (equal times allowed).
// - Refused (exit 1, file untouched): a closed or unknown shard, a shard whose last record is not at
//   seqIndex = its position (another scheme), a window that ends before it starts.
// - Prints one JSON summary on stdout: per shard the existing and added counts, the first and last added
//   sequence numbers and arrival times, the spacing; the file size and the time taken.
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';

const USAGE = 'usage: kinesis-backlog.mjs --file F --stream S --count N --from-ms T0 --to-ms T1 ' +
  '[--max-rate 1000] [--prefix stale] [--users 1000] [--payload stale|heartbeat] SHARD_ID...';
const CHUNK = 5000;   // records per write

export function parseArgs(argv) {
  const o = { file: '', stream: '', count: NaN, fromMs: NaN, toMs: NaN, maxRate: 1000, prefix: 'stale', users: 1000,
    payload: 'stale', shards: [] };
  const keys = { '--file': 'file', '--stream': 'stream', '--count': 'count', '--from-ms': 'fromMs', '--to-ms': 'toMs',
    '--max-rate': 'maxRate', '--prefix': 'prefix', '--users': 'users', '--payload': 'payload' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) { o.shards.push(a); continue; }
    const k = keys[a];
    if (!k || i + 1 >= argv.length) throw new Error(`bad argument ${a}; ${USAGE}`);
    const v = argv[++i];
    o[k] = typeof o[k] === 'number' ? Number(v) : v;
  }
  if (!o.file || !o.stream || !o.shards.length) throw new Error(USAGE);
  for (const k of ['count', 'fromMs', 'toMs', 'maxRate', 'users']) {
    if (!Number.isSafeInteger(o[k]) || o[k] < 0) throw new Error(`${k}: not a non-negative integer; ${USAGE}`);
  }
  if (o.count < o.shards.length || o.users < 1) throw new Error('--count must be >= the number of shards, --users >= 1');
  if (!/^[A-Za-z0-9_.:-]+$/.test(o.prefix)) throw new Error('--prefix: letters, digits and _.:- only');
  if (!['stale', 'heartbeat'].includes(o.payload)) throw new Error('--payload: stale or heartbeat');
  if (o.fromMs > o.toMs) throw new Error('--from-ms is after --to-ms');
  if (new Set(o.shards).size !== o.shards.length) throw new Error('a shard is named twice');
  return o;
}

// The 47 hex digits of a kinesis-local sequence number (docs/local-stack-notes.md):
//   "2" + shardCreateSecs(9) + shardIndex(1) | seqIndex(16) | "00" + seqTimeSecs(9) | shardIndex(8) + "2"
function seqHex(dec) {
  const hex = BigInt(dec).toString(16);
  if (hex.length !== 47 || hex[0] !== '2') throw new Error(`sequence number ${dec} is not in kinesis-local's scheme`);
  return hex;
}
const seqIndexOf = (hex) => parseInt(hex.slice(11, 27), 16);

// Sequence numbers of one shard: the prefix and suffix are the shard's own (from its starting sequence number).
export function sequenceNumberMaker(startingSequenceNumber) {
  const start = seqHex(startingSequenceNumber);
  const head = start.slice(0, 11), tail = start.slice(38);
  return (seqIndex, arrivalMs) => {
    const idx = seqIndex.toString(16), secs = Math.floor(arrivalMs / 1000).toString(16);
    if (idx.length > 15) throw new Error('seqIndex too large');
    return BigInt(`0x${head}${idx.padStart(16, '0')}00${secs.padStart(9, '0').slice(-9)}${tail}`).toString();
  };
}

// Arrival time (ms) of the j-th of m records evenly spread over [from, to].
export const arrivalAt = (j, m, from, to) => (m === 1 ? from : from + Math.floor((j * (to - from)) / (m - 1)));

function findStream(state, name) {
  const found = Object.entries(state.streams || {}).filter(([, s]) => s.streamName === name);
  if (found.length !== 1) throw new Error(found.length ? `${found.length} streams named ${name}` : `no stream ${name} in the file`);
  return found[0][1];
}

// Plans one shard: checks it and returns what to write (no I/O).
function planShard(stream, shardId, count, o) {
  const entry = Object.entries(stream.shards).find(([k]) => JSON.parse(k).ShardId === shardId);
  if (!entry) throw new Error(`no shard ${shardId} in stream ${stream.streamName}`);
  const [key, records] = entry;
  const shard = JSON.parse(key);
  if (shard.SequenceNumberRange.EndingSequenceNumber !== null) throw new Error(`shard ${shardId} is closed`);
  const last = records[records.length - 1];
  if (last && seqIndexOf(seqHex(last.SequenceNumber)) !== records.length) {
    throw new Error(`shard ${shardId}: the last record's seqIndex is not its position ${records.length}`);
  }
  const lastMs = last ? Math.round(last.ApproximateArrivalTimestamp * 1000) : -Infinity;
  const from = Math.max(o.fromMs, lastMs + 1), to = o.toMs;
  if (to < from) {
    throw new Error(`shard ${shardId}: no room: its newest record arrived at ${new Date(lastMs).toISOString()}, ` +
      `the window ends at ${new Date(to).toISOString()} (arrival times never decrease within a shard)`);
  }
  if (o.maxRate > 0 && (to - from) * o.maxRate < (count - 1) * 1000) {
    throw new Error(`shard ${shardId}: ${count} records need a window of ${((count - 1) / o.maxRate).toFixed(1)} s ` +
      `at --max-rate ${o.maxRate}/s; [${new Date(from).toISOString()}, ${new Date(to).toISOString()}] is ` +
      `${((to - from) / 1000).toFixed(1)} s (wait longer, or --max-rate 0 for any density)`);
  }
  return { key, records, shard, count, from, to, seq: sequenceNumberMaker(shard.SequenceNumberRange.StartingSequenceNumber) };
}

// A version-4-shaped GUID from sha256(text) (deterministic: the same prefix and index give the same user).
function guidOf(text) {
  const h = createHash('sha256').update(text).digest('hex');
  const v = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${v}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// (user index, arrival ms) -> { user, data }: the partition key and the record's payload text.
function payloadMaker(o) {
  if (o.payload === 'stale') {
    return (u, ms) => { const user = `${o.prefix}-${u}`; return { user, data: `{"userId":"${user}","ts":${ms}}` }; };
  }
  const ids = Array.from({ length: o.users }, (_, u) => guidOf(`${o.prefix}:${u}`));
  return (u, ms) => ({ user: ids[u], data: `{"userId":"${ids[u]}","ts":${ms},"type":"heartbeat","client":"web/2.14"}` });
}

function recordJson(seq, seqIndex, ms, { user, data }) {
  return `{"ApproximateArrivalTimestamp":${ms / 1000},"Data":"${Buffer.from(data).toString('base64')}",` +
    `"EncryptionType":"NONE","PartitionKey":"${user}","SequenceNumber":"${seq(seqIndex, ms)}"}`;
}

// Writes shard k's record array (its existing records, then the backlog) to fd; returns its summary.
function writeShard(fd, p, k, n, o, payload) {
  const existing = p.records.length, at = (j) => arrivalAt(j, p.count, p.from, p.to);
  writeSync(fd, existing ? JSON.stringify(p.records).slice(0, -1) : '[');
  for (let j0 = 0; j0 < p.count; j0 += CHUNK) {
    const parts = [];
    for (let j = j0; j < Math.min(p.count, j0 + CHUNK); j++) {
      parts.push(recordJson(p.seq, existing + j + 1, at(j), payload((j * n + k) % o.users, at(j))));
    }
    writeSync(fd, (existing || j0 ? ',' : '') + parts.join(','));
  }
  writeSync(fd, ']');
  const spacingMs = p.count > 1 ? (p.to - p.from) / (p.count - 1) : null;
  return {
    shardId: p.shard.ShardId, existing, added: p.count,
    firstSequenceNumber: p.seq(existing + 1, at(0)), lastSequenceNumber: p.seq(existing + p.count, at(p.count - 1)),
    firstArrivalMs: at(0), lastArrivalMs: at(p.count - 1), spacingMs, strictlyIncreasing: spacingMs === null || spacingMs >= 1,
  };
}

export function inject(o) {
  const t0 = Date.now();
  const state = JSON.parse(readFileSync(o.file, 'utf8'));
  const stream = findStream(state, o.stream);
  const n = o.shards.length;
  const plans = o.shards.map((id, k) => planShard(stream, id, Math.floor(o.count / n) + (k < o.count % n ? 1 : 0), o));
  // The target shards' arrays become markers in the (small) rest of the document; the records go in between.
  plans.forEach((p, k) => { stream.shards[p.key] = `\u0000backlog-${k}\u0000`; });
  const pieces = JSON.stringify(state).split(/"\\u0000backlog-(\d+)\\u0000"/);   // text, k, text, k, ..., text
  if (pieces.length !== 2 * n + 1) throw new Error('marker not found exactly once per shard');
  const tmp = `${o.file}.backlog-tmp`;
  const shards = [];
  const payload = payloadMaker(o);
  let fd = openSync(tmp, 'w');
  try {
    writeSync(fd, pieces[0]);
    for (let i = 1; i < pieces.length; i += 2) {
      const k = Number(pieces[i]);
      shards[k] = writeShard(fd, plans[k], k, n, o, payload);
      writeSync(fd, pieces[i + 1]);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, o.file);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  return { stream: o.stream, file: o.file, bytes: statSync(o.file).size, ms: Date.now() - t0, shards };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.stdout.write(JSON.stringify(inject(parseArgs(process.argv.slice(2)))) + '\n');
  } catch (e) {
    process.stderr.write(`kinesis-backlog: ${e.message}\n`);
    process.exit(1);
  }
}
