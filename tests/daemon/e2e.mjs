#!/usr/bin/env node
// Helpers of the end-to-end tests against the real MultiLangDaemon (tests/daemon/*.sh, bench/recovery).
// Local emulators only (endpoints from KINESIS_ENDPOINT / DYNAMO_ENDPOINT, see scripts/lib/aws-local.mjs).
//
//   e2e.mjs compare TRUTH TTL_MS SLACK_MS [MAX_LAG_MS] < query.json
//       `active-users query --json` on stdin vs the producer's ground truth {userId: last ts}. Users whose
//       last heartbeat is younger than TTL - SLACK must be active, older than TTL + SLACK must not be;
//       the SLACK band either way (in-flight heartbeats, snapshot interval). No user the producer never
//       sent may be active; an active user's lastSeen must not be ahead of the truth nor more than
//       MAX_LAG_MS (default SLACK + 2 s) behind it. Prints a summary; exit 1 on any violation, and when no
//       ground-truth user must be active (an empty truth makes every set "equal": nothing was compared).
//   e2e.mjs missing TRUTH TTL_MS SLACK_MS < query.json
//       the "no active user disappears" sample: "<missing> <oldest lastSeen age ms> <first missing ids>", where
//       missing = ground-truth users whose last heartbeat is younger than TTL - SLACK but absent from the set.
//       No wait and no lastSeen check: a set that lags the truth never makes a user "missing" by itself.
//       When no ground-truth user is due, "nothing-due ..." and exit 1 (0 missing out of nothing is no check).
//       With ALLOWED (a file whose lines start with a userId, e.g. `user-shards` output filtered to some shards):
//       "<missing> <oldest> <missing users NOT in ALLOWED> <users that must be there> <first ids>" (the 4th
//       field is how many users heartbeated within TTL - SLACK: fewer than all means the producer fell behind).
//   e2e.mjs user-shards STREAM TRUTH
//       "<userId> <shardId>" per user of the truth file: the open shard whose hash range holds md5(userId)
//       (the producer's partition key is the userId).
//   e2e.mjs live STATE_DIR SINCE_MS
//       one line per snapshot: "<shardId> <users with lastSeen > SINCE_MS> <max lastSeen>".
//   e2e.mjs users STATE_DIR PREFIX
//       number of users starting with PREFIX in any snapshot (any age).
//   e2e.mjs transcripts DIR
//       one line per transcript file: "<pid> <shard> <initial checkpoint> <t0> <records> <in actions...>",
//       in start order; actions are the daemon's messages (processRecords collapsed, "eof" at the end).
//   e2e.mjs delivered DIR SINCE_MS CUTOFF_MS
//       per shard, over the transcripts of processes started at/after SINCE_MS: "<shard> <processes>
//       <initial checkpoints, comma-separated> <records that arrived before CUTOFF_MS> <records after>
//       <t of the first initialize> <t of the last initialize> <leaseLost count>".
//   e2e.mjs lost SENT_LOG DIR FROM_MS TO_MS [SHARD...]
//       the producer's records (--sent-log: "<seq> <ts> <shard>") sent at FROM_MS <= ts <= TO_MS (into one of
//       the SHARDs, when given) that no processor received (no transcript in DIR has their sequence number):
//       "<lost> <of> <first lost seqs>".
//   e2e.mjs lost-by-shard SENT_LOG DIR FROM_MS TO_MS
//       as `lost`, one line per shard the producer sent into: "<shard> <lost> <of>".
//   e2e.mjs first-after DIR SHARD CHECKPOINT
//       the first record delivered to the processor of SHARD whose initialize carried CHECKPOINT:
//       "<sequenceNumber> <approximateArrivalTimestamp>", or "none".
//   e2e.mjs fresh-after DIR SINCE_MS
//       per shard, over the transcripts of processes started at/after SINCE_MS: "<shard> <t - SINCE_MS of the first
//       delivered record that arrived at/after SINCE_MS, or -> <records delivered before it>" (the time a restarted
//       consumer is live again, and what it read first).
//   e2e.mjs integrity TABLE STREAM
//       lease table checks (raw, typed Scan): every lease row keeps the KCL's attribute types, every
//       shard of the stream has a lease unless the KCL's cleanup deleted it (finished, its children begun),
//       every parent shard (a shard with children) is at SHARD_END with childShardIds, every child names its
//       parent(s) in parentShardId (SS). Prints the rows; exit 1 on a problem, and when the table holds no
//       lease or the stream no shard (nothing checked).
//   e2e.mjs backlog STREAM COUNT PREFIX SHARD...
//       COUNT heartbeats {"userId":"<PREFIX>-<i % 1000>","ts":now} in PutRecords batches of 500, spread
//       round-robin over the given shards (ExplicitHashKey = the middle of each shard's range).
//       Prints "written N in S s".
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { kinesis, dynamodb, listShards } from '../../scripts/lib/aws-local.mjs';

const [cmd, ...args] = process.argv.slice(2);

function readStdin() { return readFileSync(0, 'utf8'); }

// The truth file as of a moment after NOW: the producer records a heartbeat only once PutRecords has answered
// and rewrites the file every --truth-every-ms, so a set read at NOW can hold a heartbeat the file does not yet
// (seen in CI: a PutRecords answer came >0.9 s after its record had reached a snapshot, during a split). Waits
// until the file is rewritten after NOW, at most E2E_TRUTH_WAIT_MS (default 3000: a stopped producer's file is
// final).
function truthAfter(truthFile, now) {
  const until = now + Number(process.env.E2E_TRUTH_WAIT_MS || 3000);
  while (statSync(truthFile).mtimeMs <= now && Date.now() < until) Atomics.wait(sleeper, 0, 0, 50);
  return JSON.parse(readFileSync(truthFile, 'utf8'));
}
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function compare([truthFile, ttlText, slackText, lagText]) {
  const ttl = Number(ttlText), slack = Number(slackText);
  const maxLag = lagText ? Number(lagText) : slack + 2000;
  const got = new Map(JSON.parse(readStdin()).users.map((u) => [u.userId, u.lastSeen]));
  const now = Date.now();  // the set was read by now
  const truth = truthAfter(truthFile, now);
  const must = [], mustNot = [], problems = [];
  for (const [u, ts] of Object.entries(truth)) {
    const age = now - ts;
    if (age < ttl - slack) must.push(u);
    else if (age > ttl + slack) mustNot.push(u);
  }
  if (!must.length) {
    console.log(`compare: nothing to compare: no ground-truth user heartbeated within TTL - slack (truth ${Object.keys(truth).length} users, active ${got.size})`);
    process.exit(1);
  }
  const missing = must.filter((u) => !got.has(u));
  const stillActive = mustNot.filter((u) => got.has(u));
  const unknown = [...got.keys()].filter((u) => !(u in truth));
  for (const [u, seen] of got) {
    if (!(u in truth)) continue;
    if (seen > truth[u]) problems.push(`${u}: lastSeen ${seen} ahead of the truth ${truth[u]}`);
    else if (seen < truth[u] - maxLag) problems.push(`${u}: lastSeen ${seen} is ${truth[u] - seen} ms behind`);
  }
  console.log(`compare: active ${got.size}, truth must ${must.length}, must-not ${mustNot.length}, ` +
    `missing ${missing.length}, still active ${stillActive.length}, unknown ${unknown.length}, lastSeen problems ${problems.length}`);
  for (const [what, list] of [['missing', missing], ['still active', stillActive], ['unknown', unknown], ['lastSeen', problems]]) {
    if (list.length) console.log(`  ${what}: ${list.slice(0, 5).join(', ')}${list.length > 5 ? ' ...' : ''}`);
  }
  process.exit(missing.length || stillActive.length || unknown.length || problems.length ? 1 : 0);
}

function missing([truthFile, ttlText, slackText, allowedFile]) {
  const now = Date.now(), limit = Number(ttlText) - Number(slackText);
  const truth = JSON.parse(readFileSync(truthFile, 'utf8'));
  const got = new Map(JSON.parse(readStdin()).users.map((u) => [u.userId, u.lastSeen]));
  const must = Object.entries(truth).filter(([, ts]) => now - ts < limit);
  if (!must.length) {
    console.log(`nothing-due 0 no ground-truth user heartbeated within TTL - slack (truth ${Object.keys(truth).length} users)`);
    process.exit(1);
  }
  const gone = must.filter(([u]) => !got.has(u)).map(([u]) => u);
  const oldest = got.size ? now - Math.min(...got.values()) : -1;
  if (allowedFile === undefined) {
    console.log(`${gone.length} ${oldest} ${gone.slice(0, 5).join(',')}`);
    return;
  }
  const allowed = new Set(readFileSync(allowedFile, 'utf8').split('\n').map((l) => l.split(' ')[0]).filter(Boolean));
  const outside = gone.filter((u) => !allowed.has(u));
  console.log(`${gone.length} ${oldest} ${outside.length} ${must.length} ${[...new Set([...outside, ...gone])].slice(0, 5).join(',')}`);
}

async function userShards([stream, truthFile]) {
  const all = [];
  let token;
  do {  // ListShards with a 60 s timeout: an overloaded kinesis-local answers late (aws-local's default is 10 s)
    const r = await kinesis('ListShards', token ? { NextToken: token } : { StreamName: stream }, { timeoutMs: 60000 });
    all.push(...r.Shards);
    token = r.NextToken;
  } while (token);
  const open = all.filter((s) => !s.SequenceNumberRange.EndingSequenceNumber)
    .map((s) => ({ id: s.ShardId, lo: BigInt(s.HashKeyRange.StartingHashKey), hi: BigInt(s.HashKeyRange.EndingHashKey) }));
  for (const u of Object.keys(JSON.parse(readFileSync(truthFile, 'utf8')))) {
    const h = BigInt('0x' + createHash('md5').update(u, 'utf8').digest('hex'));
    const s = open.find((x) => h >= x.lo && h <= x.hi);
    console.log(`${u} ${s ? s.id : '-'}`);
  }
}

function snapshots(dir) {
  const out = [];
  let names = [];
  try { names = readdirSync(dir); } catch { return out; }
  for (const f of names) {
    if (!f.endsWith('.json') || f.endsWith('.stats.json') || f.startsWith('.')) continue;  // as `query`
    try { out.push(JSON.parse(readFileSync(join(dir, f), 'utf8'))); } catch { /* being replaced */ }
  }
  return out;
}

function live([dir, sinceText]) {
  const since = Number(sinceText);
  for (const s of snapshots(dir)) {
    const seen = Object.values(s.users || {});
    console.log(`${s.shardId} ${seen.filter((v) => v > since).length} ${seen.length ? Math.max(...seen) : 0}`);
  }
}

function users([dir, prefix]) {
  const set = new Set();
  for (const s of snapshots(dir)) for (const u of Object.keys(s.users || {})) if (u.startsWith(prefix)) set.add(u);
  console.log(set.size);
}

function transcripts([dir]) {
  let names = [];
  try { names = readdirSync(dir).filter((f) => f.endsWith('.jsonl')); } catch { /* none yet */ }
  const rows = [];
  for (const f of names) {
    const m = /-(\d+)\.jsonl$/.exec(f);
    let shard = '-', init = '-', t0 = 0, records = 0;
    const actions = [];
    for (const text of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!text) continue;
      let l;
      try { l = JSON.parse(text); } catch { continue; }
      if (!t0) t0 = l.t;
      if (l.dir === 'eof') { actions.push(`eof@${l.t}`); continue; }
      if (l.dir !== 'in' || l.line === undefined) continue;
      let msg;
      try { msg = JSON.parse(l.line); } catch { continue; }
      if (msg.action === 'initialize') { shard = msg.shardId; init = msg.sequenceNumber; }
      if (msg.action === 'processRecords') {
        records += msg.records.length;
        if (actions[actions.length - 1] !== 'processRecords') actions.push('processRecords');
        continue;
      }
      if (msg.action === 'checkpoint') continue;  // answers to our checkpoints
      actions.push(`${msg.action}@${l.t}`);
    }
    rows.push({ t0, line: `${m ? m[1] : '?'} ${shard} ${init} ${t0} ${records} ${actions.join(' ')}` });
  }
  rows.sort((a, b) => a.t0 - b.t0);
  for (const r of rows) console.log(r.line);
}

function delivered([dir, sinceText, cutoffText]) {
  const since = Number(sinceText), cutoff = Number(cutoffText);
  let names = [];
  try { names = readdirSync(dir).filter((f) => f.endsWith('.jsonl')); } catch { /* none */ }
  const shards = new Map();
  for (const f of names) {
    let shard = null, init = null, t0 = 0, old = 0, fresh = 0, lost = 0;
    for (const text of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!text) continue;
      let l, msg;
      try { l = JSON.parse(text); } catch { continue; }
      if (l.dir !== 'in' || l.line === undefined) continue;
      try { msg = JSON.parse(l.line); } catch { continue; }
      if (msg.action === 'initialize') { shard = msg.shardId; init = msg.sequenceNumber; t0 = l.t; }
      if (msg.action === 'leaseLost') lost++;
      if (msg.action === 'processRecords') {
        for (const r of msg.records) (r.approximateArrivalTimestamp < cutoff ? old++ : fresh++);
      }
    }
    if (!shard || t0 < since) continue;
    const s = shards.get(shard) || { procs: 0, inits: [], old: 0, fresh: 0, first: Infinity, last: 0, lost: 0 };
    s.procs++; s.inits.push([t0, init]); s.old += old; s.fresh += fresh; s.lost += lost;
    s.first = Math.min(s.first, t0); s.last = Math.max(s.last, t0);
    shards.set(shard, s);
  }
  for (const [shard, s] of [...shards].sort()) {
    s.inits.sort((a, b) => a[0] - b[0]);
    console.log(`${shard} ${s.procs} ${s.inits.map((x) => x[1]).join(',')} ${s.old} ${s.fresh} ${s.first} ${s.last} ${s.lost}`);
  }
}

// Every message line the daemon sent to the processors, per transcript file.
function* inbound(dir) {
  let names = [];
  try { names = readdirSync(dir).filter((f) => f.endsWith('.jsonl')); } catch { /* none */ }
  for (const f of names) {
    for (const text of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!text) continue;
      let l, msg;
      try { l = JSON.parse(text); } catch { continue; }
      if (l.dir !== 'in' || l.line === undefined) continue;
      try { msg = JSON.parse(l.line); } catch { continue; }
      yield { file: f, msg };
    }
  }
}

function lost([sentLog, dir, fromText, toText, ...only]) {
  const from = Number(fromText), to = Number(toText);
  const got = new Set();
  for (const { msg } of inbound(dir)) {
    if (msg.action === 'processRecords') for (const r of msg.records) got.add(r.sequenceNumber);
  }
  let of = 0;
  const missed = [];
  for (const line of readFileSync(sentLog, 'utf8').split('\n')) {
    const [seq, ts, shard] = line.split(' ');
    if (!seq || Number(ts) < from || Number(ts) > to || (only.length && !only.includes(shard))) continue;
    of++;
    if (!got.has(seq)) missed.push(seq);
  }
  console.log(`${missed.length} ${of} ${missed.slice(0, 3).join(',')}`);
}

function lostByShard([sentLog, dir, fromText, toText]) {
  const from = Number(fromText), to = Number(toText);
  const got = new Set();
  for (const { msg } of inbound(dir)) {
    if (msg.action === 'processRecords') for (const r of msg.records) got.add(r.sequenceNumber);
  }
  const per = new Map();
  for (const line of readFileSync(sentLog, 'utf8').split('\n')) {
    const [seq, ts, shard] = line.split(' ');
    if (!seq || Number(ts) < from || Number(ts) > to) continue;
    const c = per.get(shard) || [0, 0];
    c[1]++;
    if (!got.has(seq)) c[0]++;
    per.set(shard, c);
  }
  for (const [shard, [l, of]] of [...per].sort()) console.log(`${shard} ${l} ${of}`);
}

function firstAfter([dir, shard, checkpoint]) {
  const started = new Set();
  for (const { file, msg } of inbound(dir)) {
    if (msg.action === 'initialize' && msg.shardId === shard && msg.sequenceNumber === checkpoint) started.add(file);
    if (started.has(file) && msg.action === 'processRecords' && msg.records.length) {
      console.log(`${msg.records[0].sequenceNumber} ${msg.records[0].approximateArrivalTimestamp}`);
      return;
    }
  }
  console.log('none');
}

function freshAfter([dir, sinceText]) {
  const since = Number(sinceText);
  let names = [];
  try { names = readdirSync(dir).filter((f) => f.endsWith('.jsonl')); } catch { /* none */ }
  const shards = new Map();
  for (const f of names) {
    let shard = null, t0 = 0, before = 0, live = null;
    for (const text of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!text || live !== null) continue;
      let l, msg;
      try { l = JSON.parse(text); } catch { continue; }
      if (l.dir !== 'in' || l.line === undefined) continue;
      try { msg = JSON.parse(l.line); } catch { continue; }
      if (msg.action === 'initialize') { shard = msg.shardId; t0 = l.t; }
      if (msg.action === 'processRecords') {
        for (const r of msg.records) {
          if (r.approximateArrivalTimestamp >= since) { live = l.t; break; }
          before++;
        }
      }
    }
    if (!shard || t0 < since) continue;
    const s = shards.get(shard) || { live: null, before: 0 };
    s.before += before;
    if (live !== null && (s.live === null || live < s.live)) s.live = live;
    shards.set(shard, s);
  }
  for (const [shard, s] of [...shards].sort()) console.log(`${shard} ${s.live === null ? '-' : s.live - since} ${s.before}`);
}

// Attribute -> the DynamoDB type the KCL writes (kcl-multilang.md §3).
const TYPES = {
  leaseKey: 'S', leaseOwner: 'S', leaseCounter: 'N', checkpoint: 'S', checkpointSubSequenceNumber: 'N',
  ownerSwitchesSinceCheckpoint: 'N', parentShardId: 'SS', childShardIds: 'SS', pendingCheckpoint: 'S',
  pendingCheckpointSubSequenceNumber: 'N', pendingCheckpointState: 'B', startingHashKey: 'S', endingHashKey: 'S',
  checkpointOwner: 'S', throughputKBps: 'N', entityType: 'S',
  activeUsersCutCheckpoint: 'S', activeUsersCutAtMillis: 'N',
};
const REQUIRED = ['leaseKey', 'leaseCounter', 'checkpoint', 'checkpointSubSequenceNumber', 'ownerSwitchesSinceCheckpoint'];

async function integrity([table, stream]) {
  const items = [];
  let start;
  do {
    const r = await dynamodb('Scan', { TableName: table, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) });
    items.push(...r.Items);
    start = r.LastEvaluatedKey;
  } while (start);
  const problems = [];
  const leases = new Map();
  for (const it of items) {
    const key = it.leaseKey && it.leaseKey.S;
    const type = it.entityType && it.entityType.S;
    if (type && type !== 'LEASE') { console.log(`  (non-lease row ${key}: ${type})`); continue; }
    leases.set(key, it);
    for (const a of REQUIRED) if (!(a in it)) problems.push(`${key}: ${a} missing`);
    for (const [a, v] of Object.entries(it)) {
      const t = Object.keys(v)[0];
      if (TYPES[a] && TYPES[a] !== t) problems.push(`${key}: ${a} is ${t}, the KCL writes ${TYPES[a]}`);
    }
    const owner = it.leaseOwner ? it.leaseOwner.S : '-';
    const parents = it.parentShardId ? it.parentShardId.SS.join(',') : '-';
    const children = it.childShardIds ? it.childShardIds.SS.join(',') : '-';
    console.log(`  ${key} checkpoint=${it.checkpoint && Object.values(it.checkpoint)[0]} counter=${it.leaseCounter && Object.values(it.leaseCounter)[0]}` +
      ` owner=${owner} parents=${parents} children=${children}${type ? ' entityType=' + type : ''}`);
  }
  const shards = await listShards(stream);
  const kidsOf = (id) => shards.filter((c) => c.ParentShardId === id || c.AdjacentParentShardId === id);
  const parentsOf = (s) => [s.ParentShardId, s.AdjacentParentShardId].filter(Boolean);
  // The KCL's LeaseCleanupManager deletes a finished parent's lease once its own parents' leases are gone and
  // every child's lease is past TRIM_HORIZON/AT_TIMESTAMP (processing begun); a child may be cleaned up in turn.
  const cleanedUp = (s) => {
    const kids = kidsOf(s.ShardId);
    return kids.length > 0 && parentsOf(s).every((p) => !leases.has(p)) && kids.every((k) => {
      const row = leases.get(k.ShardId);
      if (!row) return cleanedUp(k);
      const cp = row.checkpoint && Object.values(row.checkpoint)[0];
      return cp !== 'TRIM_HORIZON' && cp !== 'AT_TIMESTAMP';
    });
  };
  for (const s of shards) {
    const row = leases.get(s.ShardId);
    if (!row) {
      if (cleanedUp(s)) console.log(`  (${s.ShardId}: lease deleted by the KCL's cleanup: finished, children begun)`);
      else problems.push(`shard ${s.ShardId} has no lease (lost)`);
      continue;
    }
    const kids = kidsOf(s.ShardId);
    if (kids.length) {
      if (!row.checkpoint || row.checkpoint.S !== 'SHARD_END') problems.push(`parent ${s.ShardId} is at ${JSON.stringify(row.checkpoint)}, not SHARD_END`);
      const listed = row.childShardIds ? row.childShardIds.SS : [];
      for (const k of kids) if (!listed.includes(k.ShardId)) problems.push(`parent ${s.ShardId}: childShardIds lacks ${k.ShardId}`);
    }
    for (const p of parentsOf(s)) {
      if (!row.parentShardId || !row.parentShardId.SS.includes(p)) problems.push(`child ${s.ShardId}: parentShardId lacks ${p}`);
    }
  }
  if (!leases.size) problems.push(`the table ${table} holds no lease row: nothing checked`);
  if (!shards.length) problems.push(`the stream ${stream} has no shard: nothing checked`);
  console.log(`integrity: ${items.length} rows, ${leases.size} leases, ${shards.length} shards, ${problems.length} problems`);
  for (const p of problems) console.log(`  PROBLEM ${p}`);
  process.exit(problems.length ? 1 : 0);
}

async function backlog([stream, countText, prefix, ...targets]) {
  const count = Number(countText);
  const shards = await listShards(stream);
  const keys = targets.map((id) => {
    const s = shards.find((x) => x.ShardId === id);
    if (!s) throw new Error(`no shard ${id}`);
    const lo = BigInt(s.HashKeyRange.StartingHashKey), hi = BigInt(s.HashKeyRange.EndingHashKey);
    return ((lo + hi) / 2n).toString();
  });
  const t0 = Date.now();
  let sent = 0, i = 0;
  while (sent < count) {
    const n = Math.min(500, count - sent);
    let batch = [];
    for (let k = 0; k < n; k++, i++) {
      const user = `${prefix}-${i % 1000}`;
      batch.push({ Data: Buffer.from(JSON.stringify({ userId: user, ts: Date.now() })).toString('base64'),
        PartitionKey: user, ExplicitHashKey: keys[i % keys.length] });
    }
    for (let attempt = 0; batch.length && attempt < 20; attempt++) {
      const r = await kinesis('PutRecords', { StreamName: stream, Records: batch }, { timeoutMs: 60000 });
      const failed = [];
      r.Records.forEach((rec, j) => { if (rec.ErrorCode) failed.push(batch[j]); });
      sent += batch.length - failed.length;
      batch = failed;
      if (batch.length) await new Promise((res) => setTimeout(res, 200));
    }
    if (batch.length) throw new Error(`${batch.length} records still rejected`);
  }
  console.log(`written ${sent} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

const commands = {
  compare, missing, 'user-shards': userShards, live, users, transcripts, delivered, lost, 'lost-by-shard': lostByShard, 'first-after': firstAfter, 'fresh-after': freshAfter, integrity, backlog,
};
if (!commands[cmd]) { console.error(`e2e.mjs: unknown command ${cmd} (see the header)`); process.exit(2); }
Promise.resolve(commands[cmd](args)).catch((e) => { console.error(`e2e.mjs ${cmd}: ${e.message}`); process.exit(1); });
