// The limits and their environment knobs (documented in scripts/lib/kinesis-limits.mjs). Defaults are the
// documented Kinesis Data Streams values per shard. A knob that is set but not a positive integer is an
// error (thrown), never silently replaced by the default.

export const KINESIS_MAX_LIMIT = 10000; // GetRecords Limit: 1..10000 (kinesis-local and Kinesis refuse more)
export const ITERATOR_TTL_MS = 300000;  // shard iterators are valid for 300 s (Kinesis and kinesis-local)

const KNOBS = {
  getRecordsPerSec: ['KINESIS_LIMIT_GETRECORDS_PER_SEC', 5],
  readBytesPerSec: ['KINESIS_LIMIT_READ_BYTES_PER_SEC', 2 * 1024 * 1024],
  readBurstBytes: ['KINESIS_LIMIT_READ_BURST_BYTES', null], // null: = readBytesPerSec
  recordsPerCall: ['KINESIS_LIMIT_RECORDS_PER_CALL', 10000],
  bytesPerCall: ['KINESIS_LIMIT_BYTES_PER_CALL', 10 * 1024 * 1024],
  statsEverySec: ['KINESIS_LIMIT_STATS_EVERY_S', 60],
};

export function limitsFromEnv(env = process.env) {
  const out = {};
  for (const [name, [variable, dflt]] of Object.entries(KNOBS)) {
    const text = env[variable];
    if (text === undefined || text === '') {
      out[name] = dflt;
      continue;
    }
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0 || (n === 0 && name !== 'readBurstBytes' && name !== 'statsEverySec')) {
      throw new Error(`${variable}=${text}: expected a positive integer`);
    }
    out[name] = n;
  }
  if (out.readBurstBytes === null) out.readBurstBytes = out.readBytesPerSec;
  if (out.recordsPerCall > KINESIS_MAX_LIMIT) {
    throw new Error(`KINESIS_LIMIT_RECORDS_PER_CALL=${out.recordsPerCall}: at most ${KINESIS_MAX_LIMIT}`);
  }
  out.account = env.KINESIS_LIMIT_ACCOUNT || '000000000000'; // kinesis-local's default account id
  return out;
}

export function describeLimits(l) {
  return `${l.getRecordsPerSec} GetRecords/s, ${l.readBytesPerSec} B/s (burst ${l.readBurstBytes} B), ` +
    `${l.recordsPerCall} records or ${l.bytesPerCall} B per call, per shard`;
}
