// The kinesis-limits proxy in front of the real kinesis-local, at the AWS default limits. Run by
// tests/stack/proxy.sh, which starts both (KINESIS_ENDPOINT = the proxy, KINESIS_UPSTREAM_ENDPOINT =
// kinesis-local) and stops them. Measured figures are printed as "FIGURE ..." lines.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Client } from './client.mjs';
import { createStream, kinesis, splitShard, listShards } from '../../scripts/lib/aws-local.mjs';
import { encodeIterator } from '../../scripts/lib/kinesis-limits/iterator.mjs';
import { arrivalMs, recordBytes } from '../../scripts/lib/kinesis-limits/read-side.mjs';

const PROXY = process.env.KINESIS_ENDPOINT;
const UPSTREAM = process.env.KINESIS_UPSTREAM_ENDPOINT;
assert.ok(PROXY && UPSTREAM && PROXY !== UPSTREAM, 'run through tests/stack/proxy.sh');
const MiB = 1024 * 1024;
const SHARD0 = 'shardId-000000000000';
const JSON_TYPE = 'application/x-amz-json-1.1';
const run = Date.now().toString(36);
const clients = [];
const client = (protocol, endpoint = PROXY) => {
  const c = new Client(endpoint, protocol);
  clients.push(c);
  return c;
};
after(() => clients.forEach((c) => c.close()));
const figure = (text) => console.log(`FIGURE kinesis-limits: ${text}`);
const up = (op, body) => kinesis(op, body, { endpoint: UPSTREAM });

function expectThrottle(r, stream, shard) {
  assert.equal(r.status, 400, r.text);
  assert.equal(r.headers['content-type'], JSON_TYPE);
  assert.deepEqual(r.json, {
    __type: 'ProvisionedThroughputExceededException',
    message: `Rate exceeded for shard ${shard} in stream ${stream} under account 000000000000.`,
  });
}

async function iterator(c, stream, shard = SHARD0, type = 'TRIM_HORIZON', extra = {}) {
  return (await c.ok('GetShardIterator', { StreamName: stream, ShardId: shard, ShardIteratorType: type, ...extra })).ShardIterator;
}

// GetRecords, retried 20 ms after each refusal (as the KCL backs off): the admitted call's answer and the
// times just before it was sent and just after it was answered.
async function getRecords(c, body) {
  for (;;) {
    const before = Date.now();
    const r = await c.call('GetRecords', body);
    const afterMs = Date.now();
    if (r.status === 200) return { ...r.json, before, after: afterMs };
    assert.equal(r.json?.__type, 'ProvisionedThroughputExceededException', r.text);
    await sleep(20);
  }
}

// A second proxy on kinesis-local with its own KINESIS_LIMIT_* environment; stopped (by its PID) after the test.
async function spawnProxy(t, env) {
  const proxy = spawn(process.execPath, [fileURLToPath(new URL('../../scripts/lib/kinesis-limits.mjs', import.meta.url)),
    '--upstream', UPSTREAM, '--port', '0'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise((resolve) => proxy.on('exit', resolve));
  t.after(async () => {
    proxy.kill('SIGTERM');
    await exited;
  });
  const port = await new Promise((resolve, reject) => {
    let text = '';
    proxy.stderr.on('data', (d) => {
      text += d;
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(text);
      if (m) resolve(m[1]);
    });
    proxy.on('exit', (code) => reject(new Error(`proxy exited ${code}: ${text}`)));
  });
  return `http://127.0.0.1:${port}`;
}

async function putSmall(c, stream, keys, { explicitHashKey } = {}) {
  const r = await c.ok('PutRecords', { StreamName: stream, Records: keys.map((k) => ({
    Data: Buffer.from(`record ${k}`).toString('base64'), PartitionKey: k,
    ...(explicitHashKey ? { ExplicitHashKey: explicitHashKey } : {}) })) });
  assert.equal(r.FailedRecordCount, 0);
}

test('one port serves HTTP/1.1 and HTTP/2 prior knowledge; everything but GetRecords passes unchanged', async () => {
  const stream = `fwd-${run}`;
  await createStream(stream, 1);
  const h1 = client('h1');
  const h2 = client('h2');
  const direct = await up('DescribeStreamSummary', { StreamName: stream });
  for (const c of [h1, h2]) {
    assert.deepEqual(await c.ok('DescribeStreamSummary', { StreamName: stream }), direct);
    assert.deepEqual(await c.ok('ListShards', { StreamName: stream }), await up('ListShards', { StreamName: stream }));
  }
  await putSmall(h2, stream, ['via-h2']);
  await putSmall(h1, stream, ['via-h1']);
  // Both records arrived, in order (read from kinesis-local directly).
  const it = (await up('GetShardIterator', { StreamName: stream, ShardId: SHARD0, ShardIteratorType: 'TRIM_HORIZON' })).ShardIterator;
  const direct2 = await up('GetRecords', { ShardIterator: it });
  assert.deepEqual(direct2.Records.map((r) => r.PartitionKey), ['via-h2', 'via-h1']);
  // kinesis-local's errors come back as they are, over both protocols.
  for (const c of [h1, h2]) {
    const r = await c.call('DescribeStreamSummary', { StreamName: `missing-${run}` });
    assert.equal(r.status, 400);
    assert.equal(r.json.__type, 'ResourceNotFoundException');
  }
  // A kinesis-local iterator (not ours) is forwarded unchanged, unlimited.
  const foreign = await h2.ok('GetRecords', { ShardIterator: it });
  assert.deepEqual(foreign.Records, direct2.Records);
  // Our iterators read the same records over both protocols.
  for (const c of [h1, h2]) {
    const r = await c.ok('GetRecords', { ShardIterator: await iterator(c, stream) });
    assert.deepEqual(r.Records, direct2.Records);
    assert.equal(r.MillisBehindLatest, 0);
  }
});

test('over the call limit: HTTP 400 ProvisionedThroughputExceededException, Kinesis shape, both protocols', async () => {
  const stream = `errors-${run}`;
  await createStream(stream, 2);
  const shards = (await listShards(stream)).map((s) => s.ShardId);
  const h1 = client('h1');
  const h2 = client('h2');
  for (const [c, shard] of [[h2, shards[0]], [h1, shards[1]]]) {
    const shardInfo = (await listShards(stream)).find((s) => s.ShardId === shard);
    await putSmall(h1, stream, ['a', 'b'], { explicitHashKey: shardInfo.HashKeyRange.StartingHashKey });
    const it = await iterator(c, stream, shard);
    // 8 calls at once on one shard: exactly 5 are admitted in that second.
    const rs = await Promise.all(Array.from({ length: 8 }, () => c.call('GetRecords', { ShardIterator: it, Limit: 1 })));
    const ok = rs.filter((r) => r.status === 200);
    assert.equal(ok.length, 5, rs.map((r) => r.status).join(','));
    for (const r of ok) assert.equal(r.json.Records[0].PartitionKey, 'a');
    for (const r of rs.filter((r) => r.status !== 200)) expectThrottle(r, stream, shard);
    figure(`${c.protocol}: 8 concurrent GetRecords on ${shard}: 5 x HTTP 200, 3 x HTTP 400 ${rs.find((r) => r.status === 400).text}`);
  }
  // Other errors keep kinesis-local's words: a bad Limit, and an expired iterator (ours, issued 301 s ago).
  const it = await iterator(h1, stream, shards[0]);
  await sleep(1000);
  const bad = await h1.call('GetRecords', { ShardIterator: it, Limit: 0 });
  const upIt = (await up('GetShardIterator', { StreamName: stream, ShardId: shards[0], ShardIteratorType: 'TRIM_HORIZON' })).ShardIterator;
  const badUp = await client('h1', UPSTREAM).call('GetRecords', { ShardIterator: upIt, Limit: 0 });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.json, badUp.json);
  const old = encodeIterator({ stream, shard: shards[0], after: '1', issuedMs: Date.now() - 301000 });
  const expired = await h2.call('GetRecords', { ShardIterator: old });
  assert.equal(expired.status, 400);
  assert.deepEqual(expired.json, { __type: 'ExpiredIteratorException',
    message: 'The shard iterator has expired. Shard iterators are only valid for 300 seconds' });
});

test('calls: three clients hammering one shard get 5 GetRecords per second between them', async () => {
  const stream = `calls-${run}`;
  await createStream(stream, 1);
  const keys = Array.from({ length: 80 }, (_, i) => `k${String(i).padStart(3, '0')}`);
  await putSmall(client('h1'), stream, keys);
  const calls = []; // { send, recv, ok }
  const readers = [client('h2'), client('h2'), client('h1')];
  const iterators = await Promise.all(readers.map((c) => iterator(c, stream)));
  const t0 = Date.now();
  const deadline = t0 + 3000;
  const reader = async (c, first) => {
    let it = first;
    const seen = [];
    while (Date.now() < deadline) {
      const send = Date.now();
      const r = await c.call('GetRecords', { ShardIterator: it, Limit: 1 });
      calls.push({ send, recv: Date.now(), ok: r.status === 200 });
      if (r.status !== 200) {
        expectThrottle(r, stream, SHARD0);
        await sleep(5);
        continue;
      }
      assert.ok(r.json.MillisBehindLatest > 0, 'more records remain');
      seen.push(...r.json.Records.map((x) => x.PartitionKey));
      it = r.json.NextShardIterator;
    }
    assert.deepEqual(seen, keys.slice(0, seen.length), 'each reader gets the records in order, without gaps');
    return seen.length;
  };
  const perReader = await Promise.all(readers.map((c, i) => reader(c, iterators[i])));
  const seconds = (Date.now() - t0) / 1000;
  const ok = calls.filter((x) => x.ok).sort((a, b) => a.send - b.send);
  const refused = calls.length - ok.length;
  figure(`3 readers, ${seconds.toFixed(2)} s: ${ok.length} GetRecords admitted (${(ok.length / seconds).toFixed(2)}/s; ` +
    `per reader ${perReader.join('/')}), ${refused} refused`);
  // Any 6 admitted calls span >= 1000 ms: sent first to answered last.
  for (let i = 0; i + 5 < ok.length; i++) {
    const span = Math.max(...ok.slice(i, i + 6).map((x) => x.recv)) - ok[i].send;
    assert.ok(span >= 1000, `6 admitted calls within ${span} ms`);
  }
  // ... and the limit is reached: 5 per started second (5 at once, then 5 each second).
  assert.ok(ok.length >= 5 * Math.floor(seconds), `${ok.length} admitted in ${seconds} s`);
  assert.ok(ok.length <= 5 * Math.ceil(seconds), `${ok.length} admitted in ${seconds} s`);
  assert.ok(refused > 0);
});

// Reads with Limit 1 as fast as admitted (retry 10 ms after a refusal) until `n` records came: the times.
async function readAll(c, stream, n, check) {
  let it = await iterator(c, stream);
  const got = []; // { recv, bytes, lag }
  let refused = 0;
  const t0 = Date.now();
  while (got.length < n) {
    const r = await c.call('GetRecords', { ShardIterator: it, Limit: 1 });
    if (r.status !== 200) {
      expectThrottle(r, stream, SHARD0);
      refused++;
      await sleep(10);
      continue;
    }
    assert.equal(r.json.Records.length, 1);
    check(r.json.Records[0], got.length);
    got.push({ recv: Date.now(), bytes: recordBytes(r.json.Records[0]), lag: r.json.MillisBehindLatest });
    it = r.json.NextShardIterator;
  }
  return { got, refused, seconds: (got[n - 1].recv - t0) / 1000 };
}

async function putBig(c, stream, rec, n) {
  const t0 = Date.now();
  for (let b = 0; b < n; b += 8) {
    const recs = Array.from({ length: Math.min(8, n - b) }, (_, j) => rec(b + j));
    assert.equal((await c.ok('PutRecords', { StreamName: stream, Records: recs })).FailedRecordCount, 0);
  }
  return (Date.now() - t0) / 1000;
}

test('bytes, AWS defaults: a 10 MiB call, then refusals until the debt is repaid at 2 MiB/s', async () => {
  const stream = `bytes-${run}`;
  await createStream(stream, 1);
  const h1 = client('h1'); // as the C++ client (libcurl, HTTP/1.1)
  const n = 21; // 10.5 MiB: one call of ~10 MiB, then the rest
  const rec = (i) => ({ Data: Buffer.alloc(512 * 1024 - 3, i).toString('base64'), PartitionKey: `r${String(i).padStart(2, '0')}` });
  const wrote = await putBig(h1, stream, rec, n);
  figure(`wrote ${n} x 512 KiB through the proxy (HTTP/1.1) in ${wrote.toFixed(1)} s`);
  const firstCall = await h1.call('GetRecords', { ShardIterator: await iterator(h1, stream) }); // default Limit, full bucket
  assert.equal(firstCall.status, 200, firstCall.text);
  const first = firstCall.json;
  const firstAt = firstCall.headersAt; // the proxy books the bytes as the answer leaves
  const bytes = first.Records.reduce((sum, x) => sum + recordBytes(x), 0);
  assert.ok(bytes <= 10 * MiB && bytes >= 9 * MiB, `${first.Records.length} records in the first call`);
  first.Records.forEach((x, i) => assert.equal(x.PartitionKey, rec(i).PartitionKey));
  assert.ok(first.MillisBehindLatest > 0);
  // Retry every 20 ms; the first admitted call was sent `blockedMs` after the 10 MiB answer began to arrive.
  let second;
  let refusals = 0;
  let blockedMs;
  for (;;) {
    const sent = Date.now();
    const r = await h1.call('GetRecords', { ShardIterator: first.NextShardIterator });
    if (r.status === 200) {
      second = r.json;
      blockedMs = sent - firstAt;
      break;
    }
    expectThrottle(r, stream, SHARD0);
    refusals++;
    await sleep(20);
  }
  const expectMs = ((bytes - 2 * MiB) / (2 * MiB)) * 1000;
  figure(`default Limit: first call ${first.Records.length} records (${(bytes / MiB).toFixed(2)} MiB), then ` +
    `${refusals} refusals for ${blockedMs} ms (expected ${expectMs.toFixed(0)} ms = (bytes - 2 MiB) / 2 MiB/s), ` +
    `i.e. a refill of ${((bytes - 2 * MiB) / MiB / (blockedMs / 1000)).toFixed(3)} MiB/s; then ` +
    `${second.Records.length} records, MillisBehindLatest ${second.MillisBehindLatest}`);
  assert.ok(Math.abs(blockedMs - expectMs) <= 250, `blocked ${blockedMs} ms, expected ${expectMs} ms`);
  assert.ok(refusals > 20);
  assert.deepEqual([...first.Records, ...second.Records].map((x) => x.PartitionKey),
    Array.from({ length: n }, (_, i) => rec(i).PartitionKey));
  assert.equal(second.MillisBehindLatest, 0);
});

test('bytes over a read: a backlog read with Limit 1 gets exactly the byte rate (scaled to 0.5 MiB/s)', async (t) => {
  // Shape of the AWS default (2 MiB/s with 512 KiB records: 4 calls/s) at a quarter of the bytes, so that
  // kinesis-local can serve it on a busy 2-core machine: 0.5 MiB/s with 128 KiB records.
  const stream = `rate-${run}`;
  await createStream(stream, 1);
  const endpoint = await spawnProxy(t, { KINESIS_LIMIT_READ_BYTES_PER_SEC: String(MiB / 2) });
  const h2 = client('h2', endpoint); // as the KCL (HTTP/2 prior knowledge)
  const n = 18;
  const size = 128 * 1024;
  const rec = (i) => ({ Data: Buffer.alloc(size - 3, i).toString('base64'), PartitionKey: `r${String(i).padStart(2, '0')}` });
  await putBig(h2, stream, rec, n);
  const { got, refused, seconds } = await readAll(h2, stream, n, (x, i) => {
    assert.equal(x.PartitionKey, rec(i).PartitionKey, 'in order, no gaps');
    assert.equal(x.Data, rec(i).Data);
  });
  // The first second's budget (4 records) and one call more go at once; from then on the limit sets the pace.
  const k = 4;
  const steadySeconds = (got[n - 1].recv - got[k].recv) / 1000;
  const steadyRate = got.slice(k + 1).reduce((sum, x) => sum + x.bytes, 0) / steadySeconds;
  const steadyCalls = (n - k - 1) / steadySeconds;
  figure(`Limit 1 at 0.5 MiB/s: ${n} x 128 KiB in ${seconds.toFixed(2)} s; after the first second's budget ` +
    `${(steadyRate / MiB).toFixed(3)} MiB/s and ${steadyCalls.toFixed(2)} calls/s; ${refused} refused`);
  assert.ok(Math.abs(steadyRate / (MiB / 2) - 1) < 0.1, `steady rate ${steadyRate / MiB} MiB/s`);
  assert.ok(steadyCalls <= 4.4, `${steadyCalls} calls/s`);
  assert.ok(refused >= n - k - 1, `${refused} refusals: the byte limit, not kinesis-local, set the pace`);
  for (const x of got.slice(0, n - 1)) assert.ok(x.lag > 0);
  assert.equal(got[n - 1].lag, 0, 'the last record is the tip');
});

test('MillisBehindLatest: now - arrival of the last record returned while more remain, 0 at the tip', async () => {
  const stream = `lag-${run}`;
  await createStream(stream, 1);
  const h2 = client('h2');
  for (const k of ['a', 'b', 'c']) {
    await putSmall(h2, stream, [k]);
    await sleep(700);
  }
  await sleep(1000);
  let it = await iterator(h2, stream);
  const upIt = (await up('GetShardIterator', { StreamName: stream, ShardId: SHARD0, ShardIteratorType: 'TRIM_HORIZON' })).ShardIterator;
  const upFirst = await up('GetRecords', { ShardIterator: upIt, Limit: 1 });
  const lags = [];
  for (const k of ['a', 'b', 'c']) {
    const r = await getRecords(h2, { ShardIterator: it, Limit: 1 });
    assert.equal(r.Records[0].PartitionKey, k);
    const arrival = arrivalMs(r.Records[0]);
    lags.push(r.MillisBehindLatest);
    if (k !== 'c') {
      assert.ok(r.MillisBehindLatest >= r.before - arrival && r.MillisBehindLatest <= r.after - arrival,
        `${k}: ${r.MillisBehindLatest} not in [${r.before - arrival}, ${r.after - arrival}]`);
    } else {
      assert.equal(r.MillisBehindLatest, 0, 'the tip');
    }
    it = r.NextShardIterator;
  }
  const empty = await getRecords(h2, { ShardIterator: it });
  assert.deepEqual([empty.Records.length, empty.MillisBehindLatest], [0, 0]);
  const all = await getRecords(h2, { ShardIterator: await iterator(h2, stream) });
  assert.deepEqual([all.Records.length, all.MillisBehindLatest], [3, 0]);
  const two = await getRecords(h2, { ShardIterator: await iterator(h2, stream), Limit: 2 });
  const arrival2 = arrivalMs(two.Records[1]);
  assert.ok(two.MillisBehindLatest >= two.before - arrival2 && two.MillisBehindLatest <= two.after - arrival2);
  figure(`3 records 0.7 s apart, read 1 s later with Limit 1: MillisBehindLatest ${lags.join(', ')} ` +
    `(kinesis-local itself: ${upFirst.MillisBehindLatest} for the first, = newest arrival - last returned)`);
  // kinesis-local's own figure is the distance to the newest record, not to now.
  assert.ok(upFirst.MillisBehindLatest < lags[0] - 500);

  // AT_TIMESTAMP (epoch seconds with a fraction, as our C++ client sends it) goes through unchanged: the read
  // starts at the first record that arrived at or after it. kinesis-local truncates the timestamp to whole
  // milliseconds, so the values are built from integer milliseconds (ms / 1000 prints exactly; a computed
  // arrival + 0.001 may be a hair below the next millisecond and count as the one before).
  const msB = arrivalMs(all.Records[1]);
  for (const [ms, first] of [[msB - 1, 'b'], [msB, 'b'], [msB + 1, 'c']]) {
    const r = await getRecords(h2, { ShardIterator: await iterator(h2, stream, SHARD0, 'AT_TIMESTAMP', { Timestamp: ms / 1000 }) });
    assert.equal(r.Records[0].PartitionKey, first, `AT_TIMESTAMP ${ms / 1000}`);
  }
  const future = await h2.call('GetShardIterator', { StreamName: stream, ShardId: SHARD0, ShardIteratorType: 'AT_TIMESTAMP',
    Timestamp: Date.now() / 1000 + 60 });
  assert.equal(future.status, 400);
  assert.equal(future.json.__type, 'InvalidArgumentException');
});

test('a closed shard: records, then no NextShardIterator and kinesis-local\'s ChildShards at the end', async () => {
  const stream = `closed-${run}`;
  await createStream(stream, 1);
  const h1 = client('h1');
  await putSmall(h1, stream, ['p1', 'p2', 'p3']);
  const children = await splitShard(stream, SHARD0);
  const upIt = (await up('GetShardIterator', { StreamName: stream, ShardId: SHARD0, ShardIteratorType: 'TRIM_HORIZON' })).ShardIterator;
  const direct = await up('GetRecords', { ShardIterator: upIt });
  assert.equal(direct.NextShardIterator ?? null, null);
  assert.equal(direct.ChildShards.length, 2);
  for (const limit of [1, 2, undefined]) {
    let it = await iterator(h1, stream);
    const keys = [];
    let r;
    for (let i = 0; i < 5; i++) {
      await sleep(210); // within the call limit
      r = await h1.ok('GetRecords', { ShardIterator: it, ...(limit ? { Limit: limit } : {}) });
      keys.push(...r.Records.map((x) => x.PartitionKey));
      if (!r.NextShardIterator) break;
      assert.equal(r.ChildShards, null);
      assert.ok(r.MillisBehindLatest > 0);
      it = r.NextShardIterator;
    }
    assert.deepEqual(keys, ['p1', 'p2', 'p3'], `Limit ${limit}`);
    assert.equal(r.NextShardIterator, null);
    assert.equal(r.MillisBehindLatest, 0);
    assert.deepEqual(r.ChildShards, direct.ChildShards);
    assert.deepEqual(r.ChildShards.map((c) => c.ShardId).sort(), [...children].sort());
  }
});

test('the knobs: KINESIS_LIMIT_* set on a second proxy', async (t) => {
  const stream = `knobs-${run}`;
  await createStream(stream, 1);
  await putSmall(client('h1'), stream, ['0000', '0001', '0002', '0003', '0004']); // 11 + 4 = 15 bytes each
  const endpoint = await spawnProxy(t, { KINESIS_LIMIT_GETRECORDS_PER_SEC: '2', KINESIS_LIMIT_RECORDS_PER_CALL: '3',
    KINESIS_LIMIT_BYTES_PER_CALL: '40', KINESIS_LIMIT_READ_BYTES_PER_SEC: '1000' });
  const c = client('h2', endpoint);
  const it = await iterator(c, stream);
  const rs = await Promise.all([1, 2, 3].map(() => c.call('GetRecords', { ShardIterator: it })));
  assert.deepEqual(rs.map((r) => r.status).sort(), [200, 200, 400]);
  // 40 bytes per call: 2 of the 15-byte records (a third would make 45), below the 3-record cap.
  for (const r of rs.filter((r) => r.status === 200)) assert.deepEqual(r.json.Records.map((x) => x.PartitionKey), ['0000', '0001']);
  await sleep(1000);
  const r = await c.ok('GetRecords', { ShardIterator: rs.find((x) => x.status === 200).json.NextShardIterator, Limit: 1 });
  assert.deepEqual(r.Records.map((x) => x.PartitionKey), ['0002']);
  assert.ok(r.MillisBehindLatest > 0);
});
