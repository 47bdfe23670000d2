#!/usr/bin/env node
// Benchmark peer: the same heartbeat processing as active-users, written on the official Node client
// (npm aws-kcl, pinned in the repo's package.json). Run it as the MultiLangDaemon would:
//   node bench/node_peer/heartbeat_app.js        (protocol on stdin/stdout)
//
// processRecords: base64 -> UTF-8 -> JSON.parse -> userId (lower-cased) -> Map.set(id, max(lastSeen,
// arrival)). The event time is the record's approximateArrivalTimestamp, as in active-users' default
// configuration. It never checkpoints while processing (neither does active-users by default); only
// shardEnded checkpoints, as the daemon requires. No TTL eviction is done (active-users evicts every
// second, which costs it a little; the benchmark's data never expires, so the tables end equal).
// On exit it prints one stats line on stderr, which the benchmark driver checks; with
// NODE_PEER_STATS_EVERY_MS=N also every N ms (bench/pipeline: the daemon relays it into its log, where the
// bench sees when the backlog is drained).
'use strict';

const path = require('path');
let kcl;
try {
  kcl = require('aws-kcl');
} catch (e) {
  kcl = require(path.join(__dirname, '..', '..', 'node_modules', 'aws-kcl'));
}

const lastSeen = new Map();
let shardId = '-';
const stats = { batches: 0, records: 0, applied: 0, malformed: 0 };

function applyRecord(record) {
  stats.records++;
  let id;
  try {
    const body = JSON.parse(Buffer.from(record.data, 'base64').toString('utf8'));
    id = body !== null && typeof body === 'object' ? body.userId : body;
  } catch (e) {
    stats.malformed++;
    return;
  }
  if (typeof id === 'number') id = String(id);
  const arrival = record.approximateArrivalTimestamp;
  if (typeof id !== 'string' || id.length === 0 || typeof arrival !== 'number') {
    stats.malformed++;
    return;
  }
  stats.applied++;
  const key = id.toLowerCase();
  const prev = lastSeen.get(key);
  if (prev === undefined || arrival > prev) lastSeen.set(key, arrival);
}

const processor = {
  initialize(input, done) {
    this.shardId = input.shardId;
    shardId = input.shardId;
    done();
  },
  processRecords(input, done) {
    stats.batches++;
    const records = input.records;
    for (let i = 0; i < records.length; i++) applyRecord(records[i]);
    done();  // no checkpoint
  },
  leaseLost(input, done) {
    done();
  },
  shardEnded(input, done) {
    input.checkpointer.checkpoint((err) => {
      if (err) process.stderr.write(`shard-end checkpoint failed: ${err}\n`);
      done();
    });
  },
  shutdownRequested(input, done) {
    done();
  },
};

function statsLine() {
  process.stderr.write(`node-peer stats: active=${lastSeen.size} applied=${stats.applied} shard=${shardId} ` +
                       `malformed=${stats.malformed} records=${stats.records} batches=${stats.batches}\n`);
}
process.on('exit', statsLine);
const statsEveryMs = Number(process.env.NODE_PEER_STATS_EVERY_MS || 0);
if (statsEveryMs > 0) setInterval(statsLine, statsEveryMs).unref();

kcl(processor).run();
