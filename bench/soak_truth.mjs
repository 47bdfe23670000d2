// The soak's ground truth and the error of an active set against it (bench/soak_sample.mjs).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// readTruth(DIR): Map userId -> last heartbeat ts (epoch ms), the maximum over every truth file in DIR
// (one per producer run: scripts/lib/producer.mjs --truth; their temporary files are skipped).
export function readTruth(dir) {
  const truth = new Map();
  let names = [];
  try { names = readdirSync(dir).filter((f) => f.endsWith('.json')); } catch { return truth; }
  for (const f of names) {
    let t;
    try { t = JSON.parse(readFileSync(join(dir, f), 'utf8')); } catch { continue; }   // replaced meanwhile
    for (const [u, ts] of Object.entries(t)) if (!(truth.get(u) >= ts)) truth.set(u, ts);
  }
  return truth;
}

// setError(USERS, BEFORE, AFTER, TQ, {ttlMs, periodMs, slackMs}): one set read at TQ ([{userId, lastSeen}]) against
// the truth read just before the read (BEFORE: what must be in it) and a second after it (AFTER: what may be in
// it). Counts:
//   fp     false positives: users in the set whose last heartbeat (AFTER) is older than TTL + slack, or who
//          never sent one;
//   fn     false negatives: users whose last heartbeat (BEFORE) is younger than TTL - slack, missing;
//   late   users in the set whose lastSeen is more than one heartbeat period + slack behind their last
//          heartbeat (BEFORE): the set missed more than one heartbeat period of theirs;
//   maxLagMs  the largest (last heartbeat - lastSeen) over the set's users; ahead: lastSeen later than any
//          heartbeat the producer recorded (a diagnostic: a record Kinesis accepted after the producer gave up on
//          its call would show up there).
// The first ids of each kind are kept for the report.
export function setError(users, before, after, tq, { ttlMs, periodMs, slackMs }) {
  const got = new Map(users.map((u) => [u.userId, u.lastSeen]));
  const fp = [], fn = [], late = [], ahead = [];
  let maxLagMs = 0, truthActive = 0;
  for (const [u, seen] of got) {
    const last = after.get(u);
    if (last === undefined || tq - last > ttlMs + slackMs) fp.push(u);
    if (last !== undefined && seen > last) ahead.push(u);
    const must = before.get(u);
    if (must !== undefined) {
      const lag = must - seen;
      if (lag > maxLagMs) maxLagMs = lag;
      if (lag > periodMs + slackMs) late.push(u);
    }
  }
  for (const [u, ts] of before) {
    if (tq - ts < ttlMs) truthActive++;
    if (tq - ts < ttlMs - slackMs && !got.has(u)) fn.push(u);
  }
  const first = (a) => a.slice(0, 3);
  return {
    active: got.size, truthActive, fp: fp.length, fn: fn.length, late: late.length, ahead: ahead.length, maxLagMs,
    ids: { fp: first(fp), fn: first(fn), late: first(late), ahead: first(ahead) },
  };
}
