#!/usr/bin/env node
// Test fixture: a Node record processor on the official Node client (npm aws-kcl, pinned in package.json) that
// behaves as the client's basic sample consumer does: it reads every record and checkpoints at the last record
// of each batch, at shardEnded (as the daemon requires) and at shutdownRequested; leaseLost does nothing. (The
// sample itself ships in the client's GitHub repository only, not in the npm package, so CI cannot fetch it:
// this file reproduces its behaviour, not its text.) It logs one line per lifecycle call to stderr, none per
// record. Started by tests/daemon/peers.sh through active-users-run, behind tap.mjs.
'use strict';

const path = require('path');
let kcl;
try {
  kcl = require('aws-kcl');
} catch (e) {
  kcl = require(path.join(__dirname, '..', '..', '..', 'node_modules', 'aws-kcl'));
}

function sampleProcessor() {
  let shardId = '-';
  const log = (text) => process.stderr.write(`node-sample[${shardId}] ${text}\n`);
  return {
    initialize(input, done) {
      shardId = input.shardId;
      log(`initialize at ${input.sequenceNumber}`);
      done();
    },
    processRecords(input, done) {
      const records = (input && input.records) || [];
      let last;
      for (const record of records) {
        Buffer.from(record.data, 'base64').toString();  // what the sample does with each record
        last = record.sequenceNumber;
      }
      if (!last) {
        done();
        return;
      }
      input.checkpointer.checkpoint(last, (err) => {
        if (err) log(`checkpoint at ${last} failed: ${err}`);
        done();
      });
    },
    leaseLost(input, done) {
      log('lease lost');
      done();
    },
    shardEnded(input, done) {
      log('shard ended: checkpointing');
      input.checkpointer.checkpoint((err) => {
        if (err) log(`checkpoint at SHARD_END failed: ${err}`);
        done();
      });
    },
    shutdownRequested(input, done) {
      log('shutdown requested: checkpointing');
      input.checkpointer.checkpoint((err) => {
        if (err) log(`checkpoint at shutdown failed: ${err}`);
        done();
      });
    },
  };
}

kcl(sampleProcessor()).run();
