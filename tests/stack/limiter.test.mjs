// Unit test of the pure per-shard limiter (scripts/lib/kinesis-limits/limiter.mjs) with a hand-driven clock,
// and of the proxy's iterator format. No network, no sleeping.   node --test tests/stack/limiter.test.mjs
import test from 'node:test';
import assert from 'node:assert/strict';
import { ShardLimiter } from '../../scripts/lib/kinesis-limits/limiter.mjs';
import { encodeIterator, decodeIterator } from '../../scripts/lib/kinesis-limits/iterator.mjs';
import { limitsFromEnv } from '../../scripts/lib/kinesis-limits/config.mjs';

const MiB = 1024 * 1024;
const aws = () => new ShardLimiter({ callsPerSec: 5, bytesPerSec: 2 * MiB, burstBytes: 2 * MiB });

test('5 calls in any 1000 ms window, the 6th is refused until the oldest leaves the window', () => {
  const l = aws();
  for (const t of [0, 100, 200, 300, 400]) assert.deepEqual(l.admit('s/0', t), { ok: true });
  assert.deepEqual(l.admit('s/0', 500), { ok: false, reason: 'calls', retryInMs: 500 });
  assert.deepEqual(l.admit('s/0', 999), { ok: false, reason: 'calls', retryInMs: 1 });
  assert.deepEqual(l.admit('s/0', 1000), { ok: true }); // the call at 0 left the window (t-1000, t]
  assert.equal(l.admit('s/0', 1099).ok, false);
  assert.equal(l.admit('s/0', 1100).ok, true);
});

test('refused calls do not count, and shards are independent', () => {
  const l = aws();
  for (let t = 0; t < 5; t++) assert.equal(l.admit('s/0', t).ok, true);
  for (let t = 5; t < 1000; t += 5) assert.equal(l.admit('s/0', t).ok, false); // hammering
  assert.equal(l.admit('s/0', 1000).ok, true);
  for (let t = 0; t < 5; t++) assert.equal(l.admit('s/1', t).ok, true);
  assert.equal(l.admit('other/0', 3).ok, true);
});

test('a steady reader: exactly 5 admitted per second over 10 s of calls every 10 ms', () => {
  const l = aws();
  let admitted = 0;
  for (let t = 0; t < 10000; t += 10) if (l.admit('s/0', t).ok) admitted++;
  assert.equal(admitted, 50);
});

test('byte bucket: one second of budget, charged after the call', () => {
  const l = aws();
  assert.equal(l.balance('s/0', 0), 2 * MiB);
  assert.equal(l.admit('s/0', 0).ok, true);
  l.charge('s/0', 1.5 * MiB, 0);
  assert.equal(l.admit('s/0', 1).ok, true); // 0.5 MiB left: still admitted
  l.charge('s/0', 1 * MiB, 1);
  const r = l.admit('s/0', 2); // -0.5 MiB + 2 ms of refill
  assert.equal(r.ok, false);
  assert.equal(r.reason, 'bytes');
  assert.equal(r.retryInMs, 248); // ceil((0.5 MiB - 2 ms * 2 MiB/s) / 2 MiB/s) = 248 ms
  assert.equal(l.admit('s/0', 249).ok, false); // one millisecond's refill short of 0
  assert.equal(l.admit('s/0', 250).ok, true);
});

test('a 10 MiB call from a full bucket: refused for exactly 4 s, then admitted; refill stops at the burst', () => {
  const l = aws();
  assert.equal(l.admit('s/0', 0).ok, true);
  l.charge('s/0', 10 * MiB, 0);
  assert.equal(l.balance('s/0', 0), -8 * MiB);
  for (let t = 200; t < 4000; t += 200) {
    const r = l.admit('s/0', t);
    assert.equal(r.ok, false, `t=${t}`);
    assert.equal(r.reason, 'bytes');
    assert.equal(r.retryInMs, 4000 - t);
  }
  assert.equal(l.admit('s/0', 4000).ok, true);
  assert.equal(l.balance('s/0', 4000), 0);
  assert.equal(l.balance('s/0', 60000), 2 * MiB); // idle: refills up to one second's budget, not more
});

test('long run at the byte limit: 1 MiB per call, calls as fast as admitted -> 2 MiB/s on average', () => {
  const l = aws();
  let bytes = 0;
  let t = 0;
  for (; t <= 30000; t += 10) {
    if (l.admit('s/0', t).ok) {
      l.charge('s/0', MiB, t);
      bytes += MiB;
    }
  }
  // 2 MiB of burst + 2 MiB/s for 30 s, give or take one call.
  assert.ok(Math.abs(bytes - (2 + 2 * 30) * MiB) <= MiB, `read ${bytes / MiB} MiB`);
});

test('burst 0: a 10 MiB call refuses calls for exactly 5 s', () => {
  const l = new ShardLimiter({ callsPerSec: 5, bytesPerSec: 2 * MiB, burstBytes: 0 });
  assert.equal(l.admit('s/0', 0).ok, true);
  l.charge('s/0', 10 * MiB, 0);
  assert.equal(l.admit('s/0', 4999).ok, false);
  assert.equal(l.admit('s/0', 5000).ok, true);
});

test('bad limits are refused', () => {
  assert.throws(() => new ShardLimiter({ callsPerSec: 0, bytesPerSec: 1 }));
  assert.throws(() => new ShardLimiter({ callsPerSec: 5, bytesPerSec: -1 }));
});

test('environment knobs: AWS defaults, overrides, refusals', () => {
  assert.deepEqual(limitsFromEnv({}), {
    getRecordsPerSec: 5, readBytesPerSec: 2097152, readBurstBytes: 2097152, recordsPerCall: 10000,
    bytesPerCall: 10485760, statsEverySec: 60, account: '000000000000',
  });
  const l = limitsFromEnv({ KINESIS_LIMIT_GETRECORDS_PER_SEC: '2', KINESIS_LIMIT_READ_BYTES_PER_SEC: '1000',
    KINESIS_LIMIT_RECORDS_PER_CALL: '500', KINESIS_LIMIT_BYTES_PER_CALL: '4096', KINESIS_LIMIT_READ_BURST_BYTES: '0' });
  assert.equal(l.getRecordsPerSec, 2);
  assert.equal(l.readBytesPerSec, 1000);
  assert.equal(l.readBurstBytes, 0);
  assert.equal(l.recordsPerCall, 500);
  assert.equal(l.bytesPerCall, 4096);
  assert.throws(() => limitsFromEnv({ KINESIS_LIMIT_GETRECORDS_PER_SEC: 'five' }), /KINESIS_LIMIT_GETRECORDS_PER_SEC/);
  assert.throws(() => limitsFromEnv({ KINESIS_LIMIT_READ_BYTES_PER_SEC: '0' }));
  assert.throws(() => limitsFromEnv({ KINESIS_LIMIT_RECORDS_PER_CALL: '10001' }));
});

test('iterators: ours round-trip, kinesis-local ones are not ours', () => {
  const up = 'AAAAAAAAAAEe3qNnZBP9K8oFP352WXQwTAo/Osww15M2bo2jTyFmEIeb6R8y40eAAoeXbGfae3FyogPhvY24r2rULPqxj2VY=';
  const a = encodeIterator({ stream: 's', shard: 'shardId-000000000001', after: '4968', issuedMs: 17 });
  assert.deepEqual(decodeIterator(a), { stream: 's', shard: 'shardId-000000000001', issuedMs: 17, after: '4968', upstream: undefined });
  const u = encodeIterator({ stream: 's', shard: 'shardId-000000000001', upstream: up, issuedMs: 18 });
  assert.deepEqual(decodeIterator(u), { stream: 's', shard: 'shardId-000000000001', issuedMs: 18, after: undefined, upstream: up });
  assert.ok(u.length < 512, `length ${u.length}`);
  assert.equal(decodeIterator(up), null);
  assert.equal(decodeIterator('garbage'), null);
  assert.equal(decodeIterator(`${a}.${up}`), null); // two positions
});
