#!/usr/bin/env node
// Minimal client for the LOCAL emulators only (kinesis-local, dynalite): Kinesis JSON 1.1 and DynamoDB
// JSON 1.0 over plain HTTP/1.1 with fetch. Used by scripts/lib/stack.sh and scripts/lib/producer.mjs.
//
// Requests carry a syntactically valid but UNSIGNED SigV4 Authorization header (signature of zeros):
// neither emulator verifies signatures, they only check that a header of the right shape is present.
// This is never valid against real AWS, and must not be pointed at it.
//
// Endpoints: env KINESIS_ENDPOINT / DYNAMO_ENDPOINT (e.g. http://127.0.0.1:4567), set by stack_start.
//
// CLI (JSON results on stdout, errors on stderr, exit 1 on failure):
//   aws-local.mjs kinesis  <Operation> [json]        raw call, e.g. kinesis ListShards '{"StreamName":"s"}'
//   aws-local.mjs dynamodb <Operation> [json]        raw call, e.g. dynamodb ListTables '{}'
//   aws-local.mjs wait-ready kinesis|dynamodb [timeoutMs]
//   aws-local.mjs create-stream <stream> <shards> [timeoutMs]    creates (if absent) and waits for ACTIVE
//   aws-local.mjs wait-stream-active <stream> [timeoutMs]
//   aws-local.mjs list-shards <stream>                prints one line per shard: id parent adjParent start end open|closed
//   aws-local.mjs split-shard <stream> <shardId>      splits at the midpoint of the shard's hash range (from
//                                                     ListShards), waits for ACTIVE, prints the child shard ids
//   aws-local.mjs create-lease-table <table>          KCL 3.x lease table incl. GSI LeaseOwnerToLeaseKeyIndex
//   aws-local.mjs delete-table <table>
//   aws-local.mjs scan <table>                        all items (paged, consistent), as plain JSON objects
//   aws-local.mjs seed-leases <table> <stream> [LATEST|TRIM_HORIZON]   unowned lease per open shard (fast start)
//   aws-local.mjs newest-record <stream> <shardId>    the sequence number of the shard's newest record (reads
//                                                     it from TRIM_HORIZON to the tip), or "-" when empty
//   aws-local.mjs rewrite-lease <table> <leaseKey> [--remove-owner] [--checkpoint LATEST]
//                                                     the "lease fixer" write of kcl-multilang.md §5
import { setTimeout as sleep } from 'node:timers/promises';

const ZERO_SIG = '0'.repeat(64);

function amzDate(d = new Date()) {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function headers(service, target, contentType) {
  const date = amzDate();
  return {
    'Content-Type': contentType,
    'X-Amz-Target': target,
    'X-Amz-Date': date,
    Authorization: `AWS4-HMAC-SHA256 Credential=AKIDLOCALSTACK/${date.slice(0, 8)}/us-east-1/${service}/aws4_request, ` +
      `SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${ZERO_SIG}`,
  };
}

export class AwsError extends Error {
  constructor(status, type, message) {
    super(`${type || 'HTTP ' + status}: ${message || ''}`);
    this.status = status;
    this.type = type;
  }
}

async function call(endpoint, service, target, contentType, body, timeoutMs) {
  if (!endpoint) throw new Error(`no endpoint for ${service} (set KINESIS_ENDPOINT / DYNAMO_ENDPOINT)`);
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: headers(service, target, contentType),
    body: JSON.stringify(body ?? {}),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json = {};
  if (text) {
    try { json = JSON.parse(text); } catch { json = { message: text }; }
  }
  if (!res.ok) {
    const type = String(json.__type || '').split('#').pop();
    throw new AwsError(res.status, type, json.message || json.Message || text);
  }
  return json;
}

export function kinesis(op, body, { endpoint = process.env.KINESIS_ENDPOINT, timeoutMs = 10000 } = {}) {
  return call(endpoint, 'kinesis', `Kinesis_20131202.${op}`, 'application/x-amz-json-1.1', body, timeoutMs);
}

export function dynamodb(op, body, { endpoint = process.env.DYNAMO_ENDPOINT, timeoutMs = 10000 } = {}) {
  return call(endpoint, 'dynamodb', `DynamoDB_20120810.${op}`, 'application/x-amz-json-1.0', body, timeoutMs);
}

// DynamoDB attribute values <-> plain JS (N stays a string: leaseCounter etc. are compared as text).
export function unmarshal(av) {
  if (av === null || typeof av !== 'object') return av;
  const [t, v] = Object.entries(av)[0];
  switch (t) {
    case 'S': case 'N': case 'B': case 'BOOL': return v;
    case 'NULL': return null;
    case 'SS': case 'NS': case 'BS': return [...v];
    case 'L': return v.map(unmarshal);
    case 'M': return unmarshalItem(v);
    default: return av;
  }
}
export function unmarshalItem(item) {
  const out = {};
  for (const [k, v] of Object.entries(item || {})) out[k] = unmarshal(v);
  return out;
}

async function poll(what, timeoutMs, fn) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const r = await fn();
      if (r) return r;
    } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ': ' + last.message : ''}`);
    await sleep(50);
  }
}

export async function waitReady(service, timeoutMs = 30000) {
  return poll(`${service} to answer`, timeoutMs, async () =>
    service === 'kinesis' ? kinesis('ListStreams', {}, { timeoutMs: 2000 }) : dynamodb('ListTables', {}, { timeoutMs: 2000 }));
}

export async function waitStreamActive(stream, timeoutMs = 30000) {
  return poll(`stream ${stream} ACTIVE`, timeoutMs, async () => {
    const r = await kinesis('DescribeStreamSummary', { StreamName: stream });
    return r.StreamDescriptionSummary.StreamStatus === 'ACTIVE' ? r.StreamDescriptionSummary : null;
  });
}

export async function createStream(stream, shards, timeoutMs = 30000) {
  try {
    await kinesis('CreateStream', { StreamName: stream, ShardCount: Number(shards) });
  } catch (e) {
    if (e.type !== 'ResourceInUseException') throw e;
  }
  return waitStreamActive(stream, timeoutMs);
}

export async function listShards(stream) {
  const shards = [];
  let token;
  do {
    const r = await kinesis('ListShards', token ? { NextToken: token } : { StreamName: stream });
    shards.push(...r.Shards);
    token = r.NextToken;
  } while (token);
  return shards;
}

export async function splitShard(stream, shardId, timeoutMs = 30000) {
  const before = await listShards(stream);
  const shard = before.find((s) => s.ShardId === shardId);
  if (!shard) throw new Error(`no shard ${shardId} in ${stream}`);
  if (shard.SequenceNumberRange.EndingSequenceNumber) throw new Error(`shard ${shardId} is already closed`);
  const lo = BigInt(shard.HashKeyRange.StartingHashKey);
  const hi = BigInt(shard.HashKeyRange.EndingHashKey);
  const mid = lo + (hi - lo + 1n) / 2n; // first hash key of the upper child
  await waitStreamActive(stream, timeoutMs);
  await kinesis('SplitShard', { StreamName: stream, ShardToSplit: shardId, NewStartingHashKey: mid.toString() });
  await waitStreamActive(stream, timeoutMs);
  const after = await listShards(stream);
  return after.filter((s) => s.ParentShardId === shardId || s.AdjacentParentShardId === shardId).map((s) => s.ShardId);
}

export async function createLeaseTable(table, timeoutMs = 30000) {
  try {
    await dynamodb('CreateTable', {
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'leaseKey', AttributeType: 'S' },
        { AttributeName: 'leaseOwner', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'leaseKey', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [{
        IndexName: 'LeaseOwnerToLeaseKeyIndex',
        KeySchema: [
          { AttributeName: 'leaseOwner', KeyType: 'HASH' },
          { AttributeName: 'leaseKey', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      }],
    });
  } catch (e) {
    if (e.type !== 'ResourceInUseException') throw e;
  }
  return poll(`table ${table} ACTIVE`, timeoutMs, async () => {
    const t = (await dynamodb('DescribeTable', { TableName: table })).Table;
    const gsiOk = (t.GlobalSecondaryIndexes || []).every((g) => g.IndexStatus === 'ACTIVE');
    return t.TableStatus === 'ACTIVE' && gsiOk ? t : null;
  });
}

export async function deleteTable(table) {
  try {
    await dynamodb('DeleteTable', { TableName: table });
  } catch (e) {
    if (e.type !== 'ResourceNotFoundException') throw e;
  }
}

export async function scan(table) {
  const items = [];
  let start;
  do {
    const r = await dynamodb('Scan', { TableName: table, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) });
    items.push(...r.Items.map(unmarshalItem));
    start = r.LastEvaluatedKey;
  } while (start);
  return items;
}

// Pre-creates one unowned lease per OPEN shard (attribute_not_exists: existing rows are left alone), shaped
// like the rows KCL writes itself (2.x shape: no entityType/throughputKBps, which 3.x accepts and fills in).
// Why: with an EMPTY lease table KCL waits a random 1-30 s before its first shard sync; with leases present
// it skips that wait (see docs/local-stack-notes.md). Returns the shard ids seeded.
export async function seedLeases(table, stream, checkpoint = 'LATEST') {
  const seeded = [];
  for (const sh of await listShards(stream)) {
    if (sh.SequenceNumberRange.EndingSequenceNumber) continue;
    const parents = [sh.ParentShardId, sh.AdjacentParentShardId].filter(Boolean);
    const item = {
      leaseKey: { S: sh.ShardId }, leaseCounter: { N: '0' }, checkpoint: { S: checkpoint },
      checkpointSubSequenceNumber: { N: '0' }, ownerSwitchesSinceCheckpoint: { N: '0' },
      startingHashKey: { S: sh.HashKeyRange.StartingHashKey }, endingHashKey: { S: sh.HashKeyRange.EndingHashKey },
      ...(parents.length ? { parentShardId: { SS: parents } } : {}),
    };
    try {
      await dynamodb('PutItem', { TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(leaseKey)' });
      seeded.push(sh.ShardId);
    } catch (e) {
      if (e.type !== 'ConditionalCheckFailedException') throw e;
    }
  }
  return seeded;
}

// kcl-multilang.md §5: force the holder to lose the lease and the next consumer to start from `checkpoint`.
// A failed condition means the holder wrote in between (renewals run every failoverTimeMillis/3): re-read and
// retry, up to `attempts` times; a row with checkpointOwner (3.x graceful hand-off) or that is not a lease is
// never touched.
export async function rewriteLease(table, leaseKey, { removeOwner = false, checkpoint = 'LATEST', attempts = 5 } = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      return { ...(await rewriteLeaseOnce(table, leaseKey, { removeOwner, checkpoint })), attempt };
    } catch (e) {
      if (e.type !== 'ConditionalCheckFailedException' || attempt >= attempts) throw e;
    }
  }
}

async function rewriteLeaseOnce(table, leaseKey, { removeOwner, checkpoint }) {
  const r = await dynamodb('GetItem', { TableName: table, Key: { leaseKey: { S: leaseKey } }, ConsistentRead: true });
  if (!r.Item) throw new Error(`no lease ${leaseKey} in ${table}`);
  const item = unmarshalItem(r.Item);
  if (item.checkpointOwner !== undefined) throw new Error(`lease ${leaseKey} is in a graceful hand-off (checkpointOwner set)`);
  if (item.entityType !== undefined && item.entityType !== 'LEASE') throw new Error(`${leaseKey} is not a lease row`);
  const c = BigInt(item.leaseCounter);
  const update = 'SET checkpoint = :new, checkpointSubSequenceNumber = :zero, leaseCounter = :c2 ' +
    'REMOVE pendingCheckpoint, pendingCheckpointSubSequenceNumber, pendingCheckpointState' + (removeOwner ? ', leaseOwner' : '');
  await dynamodb('UpdateItem', {
    TableName: table,
    Key: { leaseKey: { S: leaseKey } },
    UpdateExpression: update,
    ConditionExpression: 'attribute_exists(leaseKey) AND leaseCounter = :c AND checkpoint = :cp AND ' +
      'attribute_not_exists(checkpointOwner) AND (attribute_not_exists(entityType) OR entityType = :lease)',
    ExpressionAttributeValues: {
      ':new': { S: checkpoint }, ':zero': { N: '0' }, ':c2': { N: (c + 2n).toString() }, ':c': { N: c.toString() },
      ':cp': { S: item.checkpoint }, ':lease': { S: 'LEASE' },
    },
  });
  return { leaseKey, before: item, newCounter: (c + 2n).toString(), at: Date.now() };
}

export async function newestRecord(stream, shardId) {
  let it = (await kinesis('GetShardIterator', { StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' })).ShardIterator;
  let newest = '-';
  for (let guard = 0; it && guard < 100000; guard++) {
    let r;
    try {
      r = await kinesis('GetRecords', { ShardIterator: it, Limit: 10000 });
    } catch (e) {
      if (!/ProvisionedThroughputExceeded/.test(e.message)) throw e;
      await sleep(250);  // the read-limits proxy: wait for the shard's budget
      continue;
    }
    if (r.Records.length) newest = r.Records[r.Records.length - 1].SequenceNumber;
    if (r.MillisBehindLatest === 0) break;
    it = r.NextShardIterator;
  }
  return newest;
}

async function main(argv) {
  const [cmd, ...a] = argv;
  const json = (s) => (s === undefined || s === '' ? {} : JSON.parse(s));
  const out = (v) => process.stdout.write(JSON.stringify(v) + '\n');
  switch (cmd) {
    case 'kinesis': return out(await kinesis(a[0], json(a[1])));
    case 'dynamodb': return out(await dynamodb(a[0], json(a[1])));
    case 'wait-ready': await waitReady(a[0], Number(a[1] || 30000)); return;
    case 'create-stream': await createStream(a[0], Number(a[1] || 1), Number(a[2] || 30000)); return;
    case 'wait-stream-active': await waitStreamActive(a[0], Number(a[1] || 30000)); return;
    case 'list-shards':
      for (const s of await listShards(a[0])) {
        process.stdout.write([s.ShardId, s.ParentShardId || '-', s.AdjacentParentShardId || '-',
          s.HashKeyRange.StartingHashKey, s.HashKeyRange.EndingHashKey,
          s.SequenceNumberRange.EndingSequenceNumber ? 'closed' : 'open'].join(' ') + '\n');
      }
      return;
    case 'split-shard':
      for (const id of await splitShard(a[0], a[1])) process.stdout.write(id + '\n');
      return;
    case 'create-lease-table': await createLeaseTable(a[0]); return;
    case 'delete-table': await deleteTable(a[0]); return;
    case 'scan': return out(await scan(a[0]));
    case 'newest-record': process.stdout.write(await newestRecord(a[0], a[1]) + '\n'); return;
    case 'seed-leases':
      for (const id of await seedLeases(a[0], a[1], a[2] || 'LATEST')) process.stdout.write(id + '\n');
      return;
    case 'rewrite-lease': {
      const i = a.indexOf('--checkpoint');
      return out(await rewriteLease(a[0], a[1], { removeOwner: a.includes('--remove-owner'), checkpoint: i >= 0 ? a[i + 1] : 'LATEST' }));
    }
    default:
      throw new Error(`unknown command ${cmd ?? ''} (see the header of ${import.meta.url})`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`aws-local: ${e.message}\n`);
    process.exit(1);
  });
}
