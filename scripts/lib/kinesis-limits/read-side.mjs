// GetShardIterator and GetRecords with Kinesis's read limits, on top of kinesis-local (the "upstream").
//
//   const rs = new ReadSide({ limits, limiter, stats, upstream, now, log });
//   const reply = await rs.getRecords(requestJson, headers);   // { status, headers, text }
//
// upstream(operation, bodyObject, headers) -> Promise<{ status, headers, text }>: one Kinesis JSON call to
// kinesis-local (the client's own headers are passed on, the target and length replaced). It rejects only
// when kinesis-local cannot be reached. now() -> epoch milliseconds. The replies are what the client gets.
//
// GetShardIterator: forwarded; a returned iterator is wrapped into one of ours (iterator.mjs).
// GetRecords with one of our iterators:
// 1. expired (issued > 300 s ago): ExpiredIteratorException, kinesis-local's words;
// 2. the shard's limiter refuses: HTTP 400 ProvisionedThroughputExceededException, Kinesis's shape;
// 3. reads min(Limit, recordsPerCall) records from kinesis-local at the iterator's position, hands out at
//    most bytesPerCall bytes of them (data + partition key; at least one record), and decides whether more
//    records remain after the last one handed out: yes if it cut the page itself; no if kinesis-local
//    returned fewer than asked (and not because of its own 10 MiB cap) or reached the end of a closed
//    shard; yes if kinesis-local's MillisBehindLatest (newest arrival - last returned arrival) is > 0;
//    otherwise (a full page whose last record arrived in the same millisecond as the newest) a probe
//    (AFTER_SEQUENCE_NUMBER last, Limit 1) decides. Not reading a record more than asked keeps kinesis-local's
//    cost that of the call itself (it serialises ~2 MB/s of large records at a high CPU cost);
// 4. MillisBehindLatest = now - ApproximateArrivalTimestamp of the last record handed out while more remain,
//    else 0 (the response reaches the tip);
// 5. NextShardIterator: ours, resuming right after the last record handed out; none at the end of a closed
//    shard, where kinesis-local's ChildShards are passed on.
// Errors of kinesis-local (unknown stream, trimmed sequence number, ...) are passed on unchanged. A
// GetRecords with an iterator that is not ours is forwarded unchanged and unlimited (counted in the log).

// (randomUUID from node:crypto: the global `crypto` does not exist on Node.js 18, Debian 12's nodejs.)
import { randomUUID } from 'node:crypto';
import { decodeIterator, encodeIterator } from './iterator.mjs';
import { ITERATOR_TTL_MS, KINESIS_MAX_LIMIT } from './config.mjs';

const JSON_TYPE = 'application/x-amz-json-1.1';
// kinesis-local stops a response at 10 MiB of its own measure: data + partition key + sequence number +
// encryption type + the arrival time as text (~90 bytes more than ours per record). A record is <= 1 MiB.
const UPSTREAM_CALL_BYTES = 10 * 1024 * 1024;
const UPSTREAM_RECORD_OVERHEAD = 128;
const MAX_RECORD_BYTES = 1024 * 1024;

export function reply(status, obj) {
  return {
    status,
    headers: { 'content-type': JSON_TYPE, 'x-amzn-requestid': randomUUID() },
    text: JSON.stringify(obj),
  };
}

export function awsError(type, message) {
  return reply(400, { __type: type, message });
}

// Bytes of a record as the limits count them: the data (decoded from base64) plus the partition key.
export function recordBytes(rec) {
  const b64 = rec.Data || '';
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return (b64.length * 3) / 4 - pad + Buffer.byteLength(rec.PartitionKey || '', 'utf8');
}

export function arrivalMs(rec) {
  const t = rec.ApproximateArrivalTimestamp;
  if (typeof t === 'number') return Math.round(t * 1000); // epoch seconds with a fraction (JSON protocol)
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms : null;
}

function streamNameOf(body) {
  if (typeof body.StreamName === 'string') return body.StreamName;
  const m = /:stream\/(.+)$/.exec(body.StreamARN || '');
  return m ? m[1] : null;
}

function parsed(r) {
  try {
    return JSON.parse(r.text);
  } catch {
    return null;
  }
}

export class ReadSide {
  constructor({ limits, limiter, stats, upstream, now = Date.now, log = () => {} }) {
    Object.assign(this, { limits, limiter, stats, upstream, now, log });
  }

  async getShardIterator(body, headers) {
    const r = await this.upstream('GetShardIterator', body, headers);
    const json = r.status === 200 ? parsed(r) : null;
    const stream = streamNameOf(body);
    if (!json || typeof json.ShardIterator !== 'string' || !stream || typeof body.ShardId !== 'string') return r;
    return reply(200, {
      ShardIterator: encodeIterator({ stream, shard: body.ShardId, upstream: json.ShardIterator, issuedMs: this.now() }),
    });
  }

  async getRecords(body, headers) {
    const it = decodeIterator(body.ShardIterator);
    if (!it) {
      this.stats.unlimited++;
      return this.upstream('GetRecords', body, headers);
    }
    const start = this.now();
    if (start - it.issuedMs > ITERATOR_TTL_MS) {
      return awsError('ExpiredIteratorException',
        'The shard iterator has expired. Shard iterators are only valid for 300 seconds');
    }
    if (body.Limit !== undefined && body.Limit !== null &&
        !(Number.isInteger(body.Limit) && body.Limit >= 1 && body.Limit <= KINESIS_MAX_LIMIT)) {
      return awsError('InvalidArgumentException', `Limit must be between 1 and ${KINESIS_MAX_LIMIT}`);
    }
    const key = `${it.stream}/${it.shard}`;
    const verdict = this.limiter.admit(key, start);
    if (!verdict.ok) {
      this.stats.add(key, verdict.reason === 'calls' ? 'throttledCalls' : 'throttledBytes');
      return awsError('ProvisionedThroughputExceededException',
        `Rate exceeded for shard ${it.shard} in stream ${it.stream} under account ${this.limits.account}.`);
    }
    this.stats.add(key, 'calls');

    const want = Math.min(body.Limit ?? KINESIS_MAX_LIMIT, this.limits.recordsPerCall);
    const extra = body.StreamARN ? { StreamARN: body.StreamARN } : {};
    const read = await this.#read(it, want, extra, headers);
    if (read.reply) return read.reply;
    const up = read.json;
    const got = Array.isArray(up.Records) ? up.Records : [];

    let n = 0;
    let bytes = 0;
    for (const rec of got) {
      const b = recordBytes(rec);
      if (n > 0 && bytes + b > this.limits.bytesPerCall) break;
      bytes += b;
      n++;
    }
    const handed = got.slice(0, n);
    const last = handed[handed.length - 1];
    let more;
    if (n < got.length) more = true;
    else if (!up.NextShardIterator) more = false; // the end of a closed shard
    else if (got.length < want && !this.#mayBeCutUpstream(got)) more = false;
    else if (up.MillisBehindLatest > 0) more = true;
    else more = await this.#probe(it, last.SequenceNumber, extra, headers);
    const end = this.now();
    this.stats.add(key, 'records', n);
    this.stats.add(key, 'bytes', bytes);

    // Resume right after the last record handed out: kinesis-local's own NextShardIterator is exactly that
    // when everything it returned was handed out; none at the end of a closed shard.
    let next = null;
    const pos = { stream: it.stream, shard: it.shard, issuedMs: end };
    if (n < got.length) next = encodeIterator({ ...pos, after: last.SequenceNumber });
    else if (up.NextShardIterator) next = encodeIterator({ ...pos, upstream: up.NextShardIterator });
    const arrival = more ? arrivalMs(last) : null;
    const answer = reply(200, {
      ChildShards: next === null ? up.ChildShards ?? null : null,
      MillisBehindLatest: arrival === null ? 0 : Math.max(0, end - arrival),
      NextShardIterator: next,
      Records: handed,
    });
    // The bytes are booked as the answer leaves (after its serialisation, ~0.1 s for 10 MiB), so the
    // refusals that follow a big read last from the client's point of view what the budget says.
    this.limiter.charge(key, bytes, this.now());
    return answer;
  }

  // One upstream read of `ask` records at the iterator's position: { json } or { reply } (an error to pass on).
  async #read(it, ask, extra, headers) {
    let upstreamIterator = it.upstream;
    if (upstreamIterator === undefined) {
      const r = await this.upstream('GetShardIterator', {
        StreamName: it.stream, ShardId: it.shard, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: it.after,
      }, headers);
      const json = r.status === 200 ? parsed(r) : null;
      if (!json || typeof json.ShardIterator !== 'string') return { reply: r };
      upstreamIterator = json.ShardIterator;
    }
    const r = await this.upstream('GetRecords', { ShardIterator: upstreamIterator, Limit: ask, ...extra }, headers);
    const json = r.status === 200 ? parsed(r) : null;
    return json ? { json } : { reply: r };
  }

  // kinesis-local may have stopped at its 10 MiB cap: the next record might not have fitted.
  #mayBeCutUpstream(got) {
    let size = 0;
    for (const rec of got) size += recordBytes(rec) + UPSTREAM_RECORD_OVERHEAD;
    return size > UPSTREAM_CALL_BYTES - MAX_RECORD_BYTES - UPSTREAM_RECORD_OVERHEAD;
  }

  // Whether any record follows `seq` in the shard. On an upstream error: false, logged.
  async #probe(it, seq, extra, headers) {
    const read = await this.#read({ ...it, upstream: undefined, after: seq }, 1, extra, headers);
    if (read.reply) {
      this.log(`probe after ${seq} in ${it.stream}/${it.shard} failed: HTTP ${read.reply.status} ${read.reply.text}`);
      return false;
    }
    return Array.isArray(read.json.Records) && read.json.Records.length > 0;
  }
}
