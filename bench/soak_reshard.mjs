#!/usr/bin/env node
// The soak's reshards (bench/soak), on the local stack (KINESIS_ENDPOINT), leaving the shard KEEP alone so that
// its processor lives from one daemon start to the next:
//   soak_reshard.mjs split STREAM KEEP   splits the open shard with the widest hash range (not KEEP) at its
//                                        middle; prints "<parent> -> <child> <child>"
//   soak_reshard.mjs merge STREAM KEEP   merges the first two adjacent open shards (neither is KEEP); prints
//                                        "<shard> + <adjacent> -> <child>"
// Both wait until the stream is ACTIVE again. Exit 1 (with the reason on stderr) when no shard qualifies.
import { kinesis, listShards, splitShard, waitStreamActive } from '../scripts/lib/aws-local.mjs';

const [cmd, stream, keep] = process.argv.slice(2);
const open = (await listShards(stream))
  .filter((s) => !s.SequenceNumberRange.EndingSequenceNumber && s.ShardId !== keep)
  .map((s) => ({ id: s.ShardId, lo: BigInt(s.HashKeyRange.StartingHashKey), hi: BigInt(s.HashKeyRange.EndingHashKey) }))
  .sort((a, b) => (a.lo < b.lo ? -1 : 1));

if (cmd === 'split') {
  const widest = open.reduce((w, s) => (!w || s.hi - s.lo > w.hi - w.lo ? s : w), null);
  if (!widest) { console.error(`soak_reshard: no open shard to split in ${stream}`); process.exit(1); }
  const children = await splitShard(stream, widest.id);
  console.log(`${widest.id} -> ${children.join(' ')}`);
} else if (cmd === 'merge') {
  const i = open.findIndex((s, k) => k + 1 < open.length && s.hi + 1n === open[k + 1].lo);
  if (i < 0) { console.error(`soak_reshard: no two adjacent open shards to merge in ${stream}`); process.exit(1); }
  const [a, b] = [open[i], open[i + 1]];
  await waitStreamActive(stream);
  await kinesis('MergeShards', { StreamName: stream, ShardToMerge: a.id, AdjacentShardToMerge: b.id });
  await waitStreamActive(stream);
  const child = (await listShards(stream)).find((s) => s.ParentShardId === a.id && s.AdjacentParentShardId === b.id);
  console.log(`${a.id} + ${b.id} -> ${child ? child.ShardId : '?'}`);
} else {
  console.error('usage: soak_reshard.mjs split|merge STREAM KEEP');
  process.exit(2);
}
