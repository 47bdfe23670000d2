#!/usr/bin/env node
// The soak's verdict (bench/soak): reads the sampler's rows and the script's events, writes
//   PREFIX.csv         one row per process per sample: t_s, role, pid, shard, rss_kb, fds, threads, cpu_pct
//   PREFIX-errors.csv  one row per set per sample: t_s, set, active, truth_active, fp, fn, late, max_lag_ms,
//                      ahead, window (the documented windows the sample falls in), error
//   PREFIX.json        everything below plus the series (bench/plot_soak.py draws it)
// prints the summary, and exits 1 when a pass criterion fails:
//   1. no false positive in any sample, in either set (the Redis set and the snapshots);
//   2. outside the documented windows: no false negative, no user more than one heartbeat period (+ slack)
//      behind, and every read of either set answered; and at least --min-outside samples of each set there
//      (fewer judge nothing);
//   3. per processor that lived at least warm-up + min-fit seconds, after its warm-up: RSS, open fds and threads
//      flat: max - min within the bound, and the least-squares line's rise over the judged span (slope × span)
//      within the same bound. (The slope per hour is reported; it is no criterion by itself: one transient fd
//      in a few minutes' series makes a slope of tens per hour.)
//
//   node bench/soak_report.mjs --samples FILE --events FILE --meta FILE --out PREFIX
//        [--warmup-s 120] [--min-fit-s 300] [--rss-range-kb 2048] [--count-range 2] [--min-outside 10]
// META: a JSON object of the run's parameters, copied into PREFIX.json (ttlMs, periodMs, slackMs, ...).
// EVENTS: one JSON object a line: {kind, at, from, to, detail} (the window is [from, to], epoch ms).
import { readFileSync, writeFileSync } from 'node:fs';

const o = {
  samples: '', events: '', meta: '', out: '', warmupS: 120, minFitS: 300, rssRangeKb: 2048, countRange: 2,
  minOutside: 10,
};
const keys = {
  '--samples': 'samples', '--events': 'events', '--meta': 'meta', '--out': 'out', '--warmup-s': 'warmupS',
  '--min-fit-s': 'minFitS', '--rss-range-kb': 'rssRangeKb', '--count-range': 'countRange', '--min-outside': 'minOutside',
};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const k = keys[argv[i]];
  if (!k || i + 1 >= argv.length) throw new Error(`bad argument ${argv[i]} (see the header of soak_report.mjs)`);
  o[k] = typeof o[k] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
}
const lines = (f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const rows = lines(o.samples).filter((r) => r.procs);
const events = lines(o.events);
const meta = JSON.parse(readFileSync(o.meta, 'utf8'));
if (!rows.length) { console.error('soak report: no samples'); process.exit(1); }
const t0 = meta.startedAt || rows[0].t;
const ts = (ms) => +((ms - t0) / 1000).toFixed(1);
const windowsAt = (ms) => events.filter((e) => e.from <= ms && ms <= e.to).map((e) => e.kind);

// Least-squares slope of y over x.
function slope(xs, ys) {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n, my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) { sxy += (xs[i] - mx) * (ys[i] - my); sxx += (xs[i] - mx) ** 2; }
  return sxx ? sxy / sxx : 0;
}
const stats = (a) => ({ min: Math.min(...a), max: Math.max(...a), mean: +(a.reduce((x, y) => x + y, 0) / a.length).toFixed(1) });

// ---- processes: one series per (role, pid, start time)
const procs = new Map();
const csv = ['t_s,role,pid,shard,rss_kb,fds,threads,cpu_pct'];
for (const r of rows) {
  for (const p of r.procs) {
    const id = `${p.role}:${p.pid}:${p.startTicks}`;
    let s = procs.get(id);
    if (!s) { s = { role: p.role, pid: p.pid, shards: new Set(), points: [], prev: null }; procs.set(id, s); }
    if (p.shard) s.shards.add(p.shard);
    const cpuPct = s.prev ? +((100 * (p.cpuS - s.prev.cpuS) * 1000) / (r.t - s.prev.t)).toFixed(1) : null;
    s.prev = { t: r.t, cpuS: p.cpuS };
    s.points.push({ t: r.t, rssKb: p.rssKb, fds: p.fds, threads: p.threads, cpuPct, cpuS: p.cpuS, fixer: p.fixer });
    csv.push([ts(r.t), p.role, p.pid, p.shard || '', p.rssKb, p.fds ?? '', p.threads, cpuPct ?? ''].join(','));
  }
}

const failures = [];
const processes = [];
for (const s of procs.values()) {
  const pts = s.points;
  const first = pts[0].t, last = pts[pts.length - 1].t;
  const settled = pts.filter((p) => p.t - first >= o.warmupS * 1000 && p.fds !== null);
  const fitted = last - first >= (o.warmupS + o.minFitS) * 1000 && settled.length >= 3;
  const hours = settled.map((p) => (p.t - first) / 3600e3);
  const trend = (k) => {
    const ys = settled.map((p) => p[k]);
    if (!ys.length) return null;
    const perH = slope(hours, ys), spanH = hours[hours.length - 1] - hours[0];
    return { ...stats(ys), range: Math.max(...ys) - Math.min(...ys), slopePerH: +perH.toFixed(2), rise: +(perH * spanH).toFixed(2) };
  };
  const cpu = pts.map((p) => p.cpuPct).filter((v) => v !== null);
  const proc = {
    role: s.role, pid: s.pid, shards: [...s.shards], from: ts(first), to: ts(last), samples: pts.length,
    lifeS: +((last - first) / 1000).toFixed(0), fitted,
    all: { rssKb: stats(pts.map((p) => p.rssKb)), threads: stats(pts.map((p) => p.threads)) },
    rssKb: trend('rssKb'), fds: trend('fds'), threads: trend('threads'),
    cpu: cpu.length ? { meanPct: +(cpu.reduce((a, b) => a + b, 0) / cpu.length).toFixed(2), maxPct: Math.max(...cpu),
      cpuS: +(pts[pts.length - 1].cpuS - pts[0].cpuS).toFixed(1) } : null,
    series: pts.map((p) => [ts(p.t), p.rssKb, p.fds, p.threads, p.cpuPct]),
  };
  if (s.role === 'processor' && fitted) {
    const name = `processor ${s.pid} (${proc.shards.join(',')})`;
    const r = proc.rssKb, f = proc.fds, th = proc.threads;
    for (const [what, v, bound, unit] of [['RSS', r, o.rssRangeKb, ' kB'], ['fds', f, o.countRange, ''], ['threads', th, o.countRange, '']]) {
      if (v.rise > bound) failures.push(`${name}: ${what} trend rises ${v.rise}${unit} over the run (${v.slopePerH}${unit}/h; bound ${bound}${unit})`);
      if (v.range > bound) failures.push(`${name}: ${what} range ${v.range}${unit} after warm-up (bound ${bound}${unit})`);
    }
  }
  processes.push(proc);
}

// ---- the sets' error
const errCsv = ['t_s,set,active,truth_active,fp,fn,late,max_lag_ms,ahead,window,error'];
const errors = {};
for (const set of ['redis', 'state']) {
  const e = { samples: 0, inWindow: 0, fpSamples: 0, fpMax: 0, fnOutside: 0, lateOutside: 0, unreadOutside: 0,
    unreadInWindow: 0, fnMaxInWindow: 0, lateMaxInWindow: 0, maxLagOutsideMs: 0, aheadSamples: 0, examples: [], series: [] };
  for (const r of rows) {
    const v = r.sets && r.sets[set];
    if (!v) continue;
    const w = windowsAt(r.tq);
    e.samples++;
    if (w.length) e.inWindow++;
    errCsv.push([ts(r.tq), set, v.active ?? '', v.truthActive ?? '', v.fp ?? '', v.fn ?? '', v.late ?? '', v.maxLagMs ?? '',
      v.ahead ?? '', w.join('+'), v.error ? JSON.stringify(v.error) : ''].join(','));
    e.series.push([ts(r.tq), v.active ?? null, v.truthActive ?? null, v.fp ?? null, v.fn ?? null, v.late ?? null,
      v.maxLagMs ?? null, w.length ? 1 : 0]);
    const bad = (what) => { if (e.examples.length < 8) e.examples.push(`+${ts(r.tq)} s ${what}`); };
    if (v.error) {
      if (w.length) e.unreadInWindow++; else { e.unreadOutside++; bad(`unreadable: ${v.error}`); }
      continue;
    }
    if (v.ahead) e.aheadSamples++;
    if (v.fp) { e.fpSamples++; e.fpMax = Math.max(e.fpMax, v.fp); bad(`${v.fp} false positives ${v.ids.fp.join(' ')}`); }
    if (w.length) {
      e.fnMaxInWindow = Math.max(e.fnMaxInWindow, v.fn);
      e.lateMaxInWindow = Math.max(e.lateMaxInWindow, v.late);
    } else {
      e.maxLagOutsideMs = Math.max(e.maxLagOutsideMs, v.maxLagMs);
      if (v.fn) { e.fnOutside += v.fn; bad(`${v.fn} false negatives ${v.ids.fn.join(' ')}`); }
      if (v.late) { e.lateOutside += v.late; bad(`${v.late} users late (lag ${v.maxLagMs} ms) ${v.ids.late.join(' ')}`); }
    }
  }
  errors[set] = e;
  if (e.fpSamples) failures.push(`${set} set: false positives in ${e.fpSamples} samples (max ${e.fpMax})`);
  if (e.fnOutside) failures.push(`${set} set: ${e.fnOutside} false negatives outside the documented windows`);
  if (e.lateOutside) failures.push(`${set} set: ${e.lateOutside} users more than one heartbeat period behind outside the windows`);
  if (e.unreadOutside) failures.push(`${set} set: unreadable in ${e.unreadOutside} samples outside the windows`);
  if (e.samples - e.inWindow < o.minOutside) {
    failures.push(`${set} set: ${e.samples - e.inWindow} samples outside the windows, fewer than ${o.minOutside} (sample more often: --every-s)`);
  }
}

// ---- per window: how bad, and until when
const windows = events.map((ev) => {
  const inside = rows.filter((r) => ev.from <= r.tq && r.tq <= ev.to);
  const disturbed = inside.filter((r) => ['redis', 'state'].some((s) => { const v = r.sets && r.sets[s]; return v && (v.error || v.fn || v.late); }));
  const worst = (set, k) => Math.max(0, ...inside.map((r) => (r.sets && r.sets[set] && r.sets[set][k]) || 0));
  return {
    kind: ev.kind, detail: ev.detail, at: ts(ev.at), from: ts(ev.from), to: ts(ev.to), samples: inside.length,
    redis: { fnMax: worst('redis', 'fn'), lateMax: worst('redis', 'late'), unread: inside.filter((r) => r.sets?.redis?.error).length },
    state: { fnMax: worst('state', 'fn'), lateMax: worst('state', 'late'), unread: inside.filter((r) => r.sets?.state?.error).length },
    disturbedUntilS: disturbed.length ? +((disturbed[disturbed.length - 1].tq - ev.from) / 1000).toFixed(0) : 0,
  };
});

// ---- kinesis-local's health
const probe = rows.map((r) => r.kinesis && r.kinesis.ms).filter((v) => v !== undefined);
const kinesisHealth = {
  probeMs: probe.length ? { ...stats(probe), p50: probe.slice().sort((a, b) => a - b)[Math.floor(probe.length / 2)] } : null,
  probeErrors: rows.filter((r) => r.kinesis && r.kinesis.error).length,
  series: rows.map((r) => [ts(r.t), r.kinesis ? r.kinesis.ms : null,
    Object.values(r.producers || {}).reduce((a, p) => a + p.rate, 0),
    Object.values(r.producers || {}).reduce((a, p) => a + p.behind, 0), r.load ? r.load[0] : null]),
};
const lastProducers = rows[rows.length - 1].producers || {};

const summary = {
  meta, options: o, durationS: ts(rows[rows.length - 1].t), samples: rows.length, events: windows, errors,
  processes, kinesis: { ...kinesisHealth, producers: lastProducers }, pass: failures.length === 0, failures,
};
writeFileSync(`${o.out}.csv`, csv.join('\n') + '\n');
writeFileSync(`${o.out}-errors.csv`, errCsv.join('\n') + '\n');
writeFileSync(`${o.out}.json`, JSON.stringify(summary));

// ---- the summary on stdout
const mib = (kb) => (kb / 1024).toFixed(1);
const out = [];
out.push(`soak: ${summary.durationS} s, ${rows.length} samples (every ${meta.everyMs / 1000} s); ${meta.users} + ${meta.churnUsers} churn users, ` +
  `1 heartbeat per ${meta.periodMs / 1000} s, TTL ${meta.ttlMs / 1000} s, slack ${meta.slackMs / 1000} s; KCL ${meta.kcl}`);
out.push('');
out.push('events (documented windows) — worst sample inside: Redis set missing/late, snapshots missing/late; disturbed until');
for (const w of windows) {
  out.push(`  +${w.at} s ${w.kind} [${w.from}..${w.to}] ${w.detail || ''}: redis ${w.redis.fnMax}/${w.redis.lateMax}` +
    `${w.redis.unread ? ` (unreadable ${w.redis.unread}x)` : ''}, state ${w.state.fnMax}/${w.state.lateMax}; ` +
    `${w.disturbedUntilS ? `until +${w.disturbedUntilS} s after the window's start` : 'never disturbed'}`);
}
out.push('');
for (const [set, e] of Object.entries(errors)) {
  out.push(`${set} set: ${e.samples} samples (${e.inWindow} in windows, ${e.samples - e.inWindow} outside judged): false positives ${e.fpSamples ? `in ${e.fpSamples} samples` : 0}; ` +
    `outside windows: false negatives ${e.fnOutside}, late ${e.lateOutside}, unreadable ${e.unreadOutside}, max lag ${e.maxLagOutsideMs} ms; ` +
    `in windows: max missing ${e.fnMaxInWindow}, max late ${e.lateMaxInWindow}, unreadable ${e.unreadInWindow}` +
    `${e.aheadSamples ? `; lastSeen ahead of the truth in ${e.aheadSamples} samples` : ''}`);
}
out.push('');
out.push('processes (after warm-up; * = long enough to judge the trend): RSS MiB min-max, trend rise kB (slope kB/h) | fds min-max, rise (slope/h) | threads min-max, rise (slope/h) | CPU % mean (max)');
for (const p of processes.sort((a, b) => (a.role === b.role ? a.from - b.from : a.role.localeCompare(b.role)))) {
  const r = p.rssKb, f = p.fds, th = p.threads;
  const trend = r ? `${mib(r.min)}-${mib(r.max)}, ${r.rise} (${r.slopePerH}) | ${f.min}-${f.max}, ${f.rise} (${f.slopePerH}) | ${th.min}-${th.max}, ${th.rise} (${th.slopePerH})`
    : `(no sample after warm-up; RSS ${mib(p.all.rssKb.min)}-${mib(p.all.rssKb.max)} MiB)`;
  out.push(`  ${p.fitted ? '*' : ' '} ${p.role} ${p.pid}${p.shards.length ? ` ${p.shards.join(',').replace(/shardId-0*(?=\d)/g, 's')}` : ''} ` +
    `+${p.from}..${p.to} s: ${trend} | ${p.cpu ? `${p.cpu.meanPct} (${p.cpu.maxPct})` : '-'}`);
}
out.push('');
if (kinesisHealth.probeMs) {
  out.push(`kinesis-local: DescribeStreamSummary ${kinesisHealth.probeMs.p50} ms median, ${kinesisHealth.probeMs.max} ms max, ` +
    `${kinesisHealth.probeErrors} failed; producers at the end: ${Object.entries(lastProducers).map(([k, p]) => `${k} ${p.rate}/s sent ${p.sent} rejected ${p.rejected} behind ${p.behind}`).join('; ')}`);
}
out.push(failures.length ? `SOAK FAIL:\n  ${failures.join('\n  ')}` : 'SOAK PASS: no false positive, nothing missing or late outside the documented windows, processors flat');
console.log(out.join('\n'));
process.exit(failures.length ? 1 : 0);
