#!/usr/bin/env node
// The soak's sampler (bench/soak): every --every-ms, one JSON line appended to --out with
//   - per process: RSS (VmRSS, kB), open file descriptors (/proc/PID/fd), threads, CPU seconds so far
//     (utime + stime), start time; for the processors (the children of the daemon) also their shard (from
//     the stats files in the state folder) and the fixer's state;
//   - per active set (the shared Redis set: `active-users query --redis`, and the snapshots:
//     `query --state-dir`): its error against the producers' ground truth (soak_truth.mjs);
//   - kinesis-local's health: the latency of one DescribeStreamSummary answered by kinesis-local itself, and
//     the producers' last rate lines (records/s, rejected, heartbeats overdue).
//
//   node bench/soak_sample.mjs --run DIR --out FILE --bin BIN --properties FILE --state-dir DIR --stream S
//        --ttl-ms N --period-ms N --slack-ms N [--every-ms 10000]
//
// DIR/pids/<role> holds the PID of each process to watch (the script rewrites them on restarts; role
// "daemon" also brings its children, role "processor"); DIR/truth/*.json are the producers' truth files
// ({userId: last ts}); DIR/producer-*.log their logs. Runs until SIGTERM/SIGINT, which ends it after the
// sample in progress. Never throws out of a sample: a failed read is recorded as an error in the row.
import { readFileSync, readdirSync, appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFile, execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { kinesis } from '../scripts/lib/aws-local.mjs';
import { readTruth, setError } from './soak_truth.mjs';

const o = {
  run: '', out: '', bin: '', properties: '', stateDir: '', stream: '', ttlMs: 0, periodMs: 0, slackMs: 0,
  everyMs: 10000,
};
const keys = {
  '--run': 'run', '--out': 'out', '--bin': 'bin', '--properties': 'properties', '--state-dir': 'stateDir',
  '--stream': 'stream', '--ttl-ms': 'ttlMs', '--period-ms': 'periodMs', '--slack-ms': 'slackMs',
  '--every-ms': 'everyMs',
};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const k = keys[argv[i]];
  if (!k || i + 1 >= argv.length) throw new Error(`bad argument ${argv[i]} (see the header of soak_sample.mjs)`);
  o[k] = typeof o[k] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
}
for (const k of ['run', 'out', 'bin', 'properties', 'stateDir', 'stream']) if (!o[k]) throw new Error(`--${k} is required`);

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const read = (f) => { try { return readFileSync(f, 'utf8'); } catch { return null; } };

// /proc/PID/stat fields after the command name (which may hold spaces and parentheses).
function statFields(pid) {
  const s = read(`/proc/${pid}/stat`);
  if (!s) return null;
  return s.slice(s.lastIndexOf(')') + 2).split(' ');   // [0] = state (field 3), so field n is [n - 3]
}

// One process's figures, or null when it is gone.
export function procSample(pid) {
  const f = statFields(pid);
  const status = read(`/proc/${pid}/status`);
  if (!f || !status) return null;
  let fds = null;
  try { fds = readdirSync(`/proc/${pid}/fd`).length; } catch { /* gone meanwhile */ }
  const kb = (name) => { const m = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status); return m ? Number(m[1]) : null; };
  return {
    pid, rssKb: kb('VmRSS'), fds, threads: kb('Threads'),
    cpuS: (Number(f[14 - 3]) + Number(f[15 - 3])) / CLK_TCK,
    startTicks: Number(f[22 - 3]),
  };
}

function childrenOf(ppid) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const f = statFields(d);
    if (f && Number(f[4 - 3]) === ppid) out.push(Number(d));
  }
  return out.sort((a, b) => a - b);
}

// pid -> {shard, fixer} from the processors' stats files (<stateDir>/<shard>.stats.json).
function shardsByPid() {
  const m = new Map();
  let names = [];
  try { names = readdirSync(o.stateDir).filter((f) => f.endsWith('.stats.json')); } catch { return m; }
  for (const f of names) {
    try {
      const s = JSON.parse(readFileSync(join(o.stateDir, f), 'utf8'));
      if (s.pid) m.set(s.pid, { shard: s.shardId, fixer: s.fixer ? s.fixer.action : null, ended: !!s.ended });
    } catch { /* being replaced */ }
  }
  return m;
}

function roles() {
  const dir = join(o.run, 'pids');
  const m = {};
  for (const r of existsSync(dir) ? readdirSync(dir) : []) {
    const pid = Number((read(join(dir, r)) || '').trim());
    if (pid > 0) m[r] = pid;
  }
  return m;
}

function query(args) {
  return new Promise((resolve) => {
    execFile(o.bin, ['query', ...args, '--json'], { timeout: 8000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) { resolve({ error: (stderr || err.message).trim().split('\n').pop().slice(0, 200) }); return; }
      try { resolve({ users: JSON.parse(stdout).users }); } catch (e) { resolve({ error: `bad JSON: ${e.message}` }); }
    });
  });
}

async function kinesisProbe() {
  const endpoint = process.env.KINESIS_UPSTREAM_ENDPOINT || process.env.KINESIS_ENDPOINT;
  const t = Date.now();
  try {
    await kinesis('DescribeStreamSummary', { StreamName: o.stream }, { endpoint, timeoutMs: 8000 });
    return { ms: Date.now() - t };
  } catch (e) {
    return { ms: Date.now() - t, error: e.message.slice(0, 200) };
  }
}

// The last "rate ..." line of each producer log: records/s, total sent, rejected, overdue heartbeats.
function producers() {
  const out = {};
  for (const f of readdirSync(o.run).filter((n) => /^producer-.*\.log$/.test(n))) {
    const text = read(join(o.run, f)) || '';
    const lines = text.slice(-4000).trim().split('\n').filter((l) => l.includes('producer: rate '));
    const m = lines.length && /rate ([\d.]+) records\/s .*total sent (\d+), rejected (\d+), calls (\d+), behind (\d+)/.exec(lines[lines.length - 1]);
    if (m) out[f.replace(/\.log$/, '')] = { rate: +m[1], sent: +m[2], rejected: +m[3], calls: +m[4], behind: +m[5] };
  }
  return out;
}

async function sampleOnce() {
  const t = Date.now();
  const r = roles();
  const procs = [];
  for (const [role, pid] of Object.entries(r)) {
    const s = procSample(pid);
    if (s) procs.push({ role, ...s });
    if (role === 'daemon' && (read(`/proc/${pid}/comm`) || '').trim() === 'java') {   // not scripts/run's fix-leases
      const shards = shardsByPid();
      for (const c of childrenOf(pid)) {
        const cs = procSample(c);
        if (cs) procs.push({ role: 'processor', ...cs, ...(shards.get(c) || {}) });
      }
    }
  }
  // The sets, then the truth: truth read BEFORE the queries for what must be there (false negatives, lag),
  // and 1 s AFTER for what may be there (false positives): the producers write their truth files every
  // 250 ms, after Kinesis accepted the record, so a user the set holds is in the later truth.
  const before = readTruth(join(o.run, 'truth'));
  const tq = Date.now();
  const [redisSet, stateSet] = await Promise.all([
    query(['--redis', redisUrl(), '--properties', o.properties]),
    query(['--state-dir', o.stateDir]),
  ]);
  await sleep(1000);
  const after = readTruth(join(o.run, 'truth'));
  const params = { ttlMs: o.ttlMs, periodMs: o.periodMs, slackMs: o.slackMs };
  const sets = {
    redis: redisSet.error ? { error: redisSet.error } : setError(redisSet.users, before, after, tq, params),
    state: stateSet.error ? { error: stateSet.error } : setError(stateSet.users, before, after, tq, params),
  };
  const load = (read('/proc/loadavg') || '').split(' ').slice(0, 3).map(Number);
  return { t, tq, load, procs, sets, kinesis: await kinesisProbe(), producers: producers() };
}

function redisUrl() {
  const m = /^\s*activeUsers\.redisUrl\s*=\s*(\S+)/m.exec(read(o.properties) || '');
  return m ? m[1] : '';
}

let stopping = false;
process.on('SIGTERM', () => { stopping = true; });
process.on('SIGINT', () => { stopping = true; });

const t0 = Date.now();
for (let k = 0; !stopping; k++) {
  let row;
  try {
    row = await sampleOnce();
  } catch (e) {
    row = { t: Date.now(), error: e.message };
  }
  appendFileSync(o.out, JSON.stringify(row) + '\n');
  const wait = t0 + (k + 1) * o.everyMs - Date.now();
  for (let left = wait; left > 0 && !stopping; left -= 200) await sleep(Math.min(200, left));
}
