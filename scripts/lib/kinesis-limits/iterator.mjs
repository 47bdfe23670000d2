// The proxy's own shard iterators. A client only ever sees these: they carry the stream and shard (the
// limits are per shard, and kinesis-local's iterators are encrypted), the time they were issued (they
// expire after 300 s, like Kinesis's), and the position, as one of:
//   after:    the sequence number of the last record handed out; the next read starts right after it
//             (upstream GetShardIterator AFTER_SEQUENCE_NUMBER);
//   upstream: an iterator of kinesis-local, used as it is (from GetShardIterator, or a read that reached the
//             tip, where kinesis-local's NextShardIterator is exactly "after the last record handed out").
// Format: base64 of a small JSON object tagged {"kl":1,...}, then for `upstream` a "." and kinesis-local's
// iterator as it is (so ours stay about as long as Kinesis's, well under its 512 characters for short stream
// names). A string that does not decode to one is not ours (decodeIterator returns null), e.g. an iterator
// taken from kinesis-local directly.

export function encodeIterator({ stream, shard, after, upstream, issuedMs }) {
  const o = { kl: 1, s: stream, h: shard, t: issuedMs };
  if (after !== undefined) o.a = after;
  const head = Buffer.from(JSON.stringify(o)).toString('base64');
  return after !== undefined ? head : `${head}.${upstream}`;
}

export function decodeIterator(text) {
  if (typeof text !== 'string' || text.length < 8) return null;
  const dot = text.indexOf('.');
  const upstream = dot < 0 ? undefined : text.slice(dot + 1);
  let o;
  try {
    const raw = Buffer.from(dot < 0 ? text : text.slice(0, dot), 'base64');
    if (raw[0] !== 0x7b) return null; // '{'
    o = JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
  if (!o || o.kl !== 1 || typeof o.s !== 'string' || typeof o.h !== 'string' || !Number.isFinite(o.t)) return null;
  if ((typeof o.a === 'string') === Boolean(upstream)) return null; // exactly one position
  return { stream: o.s, shard: o.h, issuedMs: o.t, after: o.a, upstream };
}
