#!/usr/bin/env node
// Reads the first page (up to 10,000 records) of each named shard once, so that kinesis-local's own warm-up
// (its JIT, the first reads of a freshly loaded state) is done before bench/pipeline's measured drains.
//   node bench/warm_kinesis.mjs ENDPOINT STREAM SHARD...
import { kinesis } from '../scripts/lib/aws-local.mjs';

const [endpoint, stream, ...shards] = process.argv.slice(2);
if (!endpoint || !stream || !shards.length) {
  console.error('usage: warm_kinesis.mjs ENDPOINT STREAM SHARD...');
  process.exit(2);
}
const t0 = Date.now();
let records = 0;
for (const shard of shards) {
  const it = await kinesis('GetShardIterator', { StreamName: stream, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' },
    { endpoint, timeoutMs: 60000 });
  const page = await kinesis('GetRecords', { ShardIterator: it.ShardIterator, Limit: 10000 }, { endpoint, timeoutMs: 60000 });
  records += page.Records.length;
}
console.error(`warm_kinesis: ${records} records from ${shards.length} shards in ${Date.now() - t0} ms`);
