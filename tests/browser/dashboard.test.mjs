#!/usr/bin/env node
// Browser test of `serve`'s dashboard (ctest "browser: dashboard"): Debian's chromium, driven by
// playwright-core from npm, against a real `active-users serve --state-dir` whose snapshots and
// stats are written by real processor processes (the built binary, fed protocol messages as the
// daemon would). Asserts that
//   - the count on the page equals GET /active-users/count;
//   - the chart holds exactly the history's points (GET /active-users/history);
//   - the shard table lists the shards with their users;
//   - the page shows a change within one refresh;
//   - a lease loss and a restart (with its warm start) appear as events and in the table;
//   - the real lease fixer, against dynalite and kinesis-local (npm), cuts a stale child lease: an
//     event, and its action in the table (and the lease row in dynalite says LATEST: the child
//     shard holds no record);
//   - an empty state folder, an unreachable Redis and a stopped daemon show a clear message;
//   - serve runs with a token (--auth-token-file): the page is reached through the sign-in form
//     (a cookie), the JSON endpoints without the token answer 401;
//   - the page loads with ZERO console errors and no failed request (the favicon included);
//   - when the source fails, the shard rows stay, marked stale (greyed, a note with their time);
//   - with one history sample the chart's time axis spans minutes around it, not years.
// Saves a screenshot (AU_TEST_OUT/dashboard.png). Exits 77 (skipped) without /usr/bin/chromium or
// playwright-core. Everything listens on 127.0.0.1; every process it starts is stopped by its pid.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/lib/free-port.mjs';

const CHROMIUM = '/usr/bin/chromium';
const BIN = process.env.AU_BIN;
const OUT = process.env.AU_TEST_OUT || process.cwd();
const REFRESH_MS = 1000;
const SKIP = 77;

// playwright-core 1.65 exits at import on Node.js < 20 (Debian 12's nodejs is 18): a skip, with the reason.
if (Number(process.versions.node.split('.')[0]) < 20) {
  console.log(`SKIP: playwright-core needs Node.js 20 or newer, this is ${process.version} (README, "The two commands")`);
  process.exit(SKIP);
}
if (!existsSync(CHROMIUM)) { console.log(`SKIP: ${CHROMIUM} is not installed (apt-get install chromium)`); process.exit(SKIP); }
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  console.log(`SKIP: playwright-core is not installed (npm ci): ${e.message}`);
  process.exit(SKIP);
}
assert.ok(BIN && existsSync(BIN), 'AU_BIN must name the built active-users binary');

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const started = [];  // every child process, stopped in reverse order at the end
const dirs = [];
const t0 = Date.now();
const log = (...a) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)} s]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function tempDir(name) {
  const d = mkdtempSync(join(tmpdir(), `au-browser-${name}-`));
  dirs.push(d);
  return d;
}

// serve's token (--auth-token-file, mode 600), sent by this script as Authorization: Bearer.
const TOKEN = 'browser-test-token-5f0c8e2a9b7d4e61';
let tokenFile;

async function waitFor(what, fn, timeoutMs = 15000, everyMs = 100) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

// One processor process for one shard, spoken to as the MultiLangDaemon does.
class Processor {
  constructor(props, shardId, env = {}) {
    this.shardId = shardId;
    this.seq = 0;
    this.child = spawn(BIN, ['--properties', props], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    started.push(this.child);
    this.pid = this.child.pid;
    this.stderr = '';
    this.child.stderr.on('data', (d) => { this.stderr += d; });
    this.replies = [];
    this.waiters = [];
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const m = JSON.parse(line);
      if (m.action === 'checkpoint') { this.write({ action: 'checkpoint', checkpoint: m.sequenceNumber, error: null }); return; }
      const w = this.waiters.shift();
      if (w) w(m); else this.replies.push(m);
    });
  }
  write(m) { this.child.stdin.write(`${JSON.stringify(m)}\n`); }
  async send(m) {
    const reply = new Promise((resolve, reject) => {
      this.waiters.push(resolve);
      setTimeout(() => reject(new Error(`${this.shardId}: no status for ${m.action}; stderr:\n${this.stderr}`)), 10000);
    });
    this.write(m);
    const r = await reply;
    assert.equal(r.action, 'status');
    assert.equal(r.responseFor, m.action);
  }
  initialize(checkpoint = 'LATEST') {
    return this.send({ action: 'initialize', shardId: this.shardId, sequenceNumber: checkpoint, subSequenceNumber: 0 });
  }
  // One batch: a heartbeat of each user, then the raw payloads (e.g. junk) as they are.
  heartbeats(users, raw = [], behindMs = 0) {
    const now = Date.now();
    const payloads = [...users.map((u) => JSON.stringify({ userId: u })), ...raw];
    const records = payloads.map((p) => ({
      action: 'record', data: Buffer.from(p).toString('base64'), partitionKey: 'pk',
      sequenceNumber: String(++this.seq), subSequenceNumber: 0, approximateArrivalTimestamp: now,
    }));
    return this.send({ action: 'processRecords', records, millisBehindLatest: behindMs });
  }
  leaseLost() { return this.send({ action: 'leaseLost' }); }
  async end() {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.stdin.end();
    await exited;
  }
}

// `active-users serve ...` on a free loopback port; resolves when /healthz answers.
async function startServe(args) {
  const port = await freePort();
  const child = spawn(BIN, ['serve', ...args, '--listen', `127.0.0.1:${port}`, '--auth-token-file', tokenFile],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  started.push(child);
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`serve on ${url}`, async () => {
    if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${stderr}`);
    try { await fetch(`${url}/healthz`); return true; } catch { return false; }
  });
  return { url, child, stderr: () => stderr };
}

async function getJson(url, token = TOKEN) {
  const r = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  return { status: r.status, body: await r.json() };
}

async function stopAll() {
  for (const c of started.reverse()) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }
}

let context;
let failed = false;
try {
  // ------------------------------------------------------------------ processors and serve
  tokenFile = join(tempDir('token'), 'serve.token');
  writeFileSync(tokenFile, `${TOKEN}\n`);
  chmodSync(tokenFile, 0o600);
  const state = tempDir('state');
  const props = join(tempDir('props'), 'app.properties');
  writeFileSync(props, [
    `activeUsers.stateDir = ${state}`,
    'activeUsers.snapshotIntervalMillis = 100',
    'activeUsers.ttlSeconds = 600',
    'activeUsers.logLevel = warn',
    ''].join('\n'));
  const shard0 = 'shardId-000000000000';
  const shard1 = 'shardId-000000000001';
  const p0 = new Processor(props, shard0);
  const p1 = new Processor(props, shard1);
  await p0.initialize();
  await p1.initialize();
  await p0.heartbeats(['u0', 'u1', 'u2', 'u3', 'u4']);
  await p1.heartbeats(['u5', 'u6', 'u7']);

  const serve = await startServe(['--state-dir', state, '--history-interval-ms', '500']);
  await waitFor('8 users', async () => (await getJson(`${serve.url}/active-users/count`)).body.count === 8);
  await waitFor('3 history samples', async () => (await getJson(`${serve.url}/active-users/history`)).body.samples.length >= 3);
  log('serve', serve.url, 'with 2 processors and 8 users');

  // ------------------------------------------------------------------------------ browser
  const profile = tempDir('profile');
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 1000 },
  });
  const page = context.pages()[0] || await context.newPage();
  const offsite = [];
  page.on('request', (r) => { if (!r.url().startsWith(serve.url)) offsite.push(r.url()); });
  // Everything the browser reports as an error, and every answer >= 400, from the sign-in on.
  const consoleErrors = [];
  const badRequests = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`${m.text()} (${m.location().url})`); });
  page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
  // (A navigation aborts the previous page's fetches in flight: net::ERR_ABORTED is not an error.)
  page.on('requestfailed', (r) => {
    const why = r.failure() && r.failure().errorText;
    if (why !== 'net::ERR_ABORTED') badRequests.push(`${r.url()}: ${why}`);
  });
  page.on('response', (r) => { if (r.status() >= 400) badRequests.push(`${r.url()}: HTTP ${r.status()}`); });
  const refreshes = () => page.evaluate(() => Number(document.body.dataset.refreshes || 0));

  // 0. The token: the JSON endpoints answer 401 without it; the browser signs in with the form.
  const unauthorized = await getJson(`${serve.url}/active-users/count`, null);
  assert.equal(unauthorized.status, 401);
  assert.match(unauthorized.body.error, /needs its token/);
  await page.goto(`${serve.url}/login`);
  await page.fill('#token', TOKEN);
  await Promise.all([page.waitForURL(`${serve.url}/`), page.click('button[type=submit]')]);
  const cookies = await context.cookies(serve.url);
  const cookie = cookies.find((c) => c.name === 'active_users_token');
  assert.ok(cookie && cookie.httpOnly && cookie.sameSite === 'Strict', `the sign-in cookie: ${JSON.stringify(cookies.map((c) => c.name))}`);
  await page.goto(`${serve.url}/?refresh=${REFRESH_MS}`);
  await waitFor('the first refresh', async () => (await refreshes()) >= 1);
  log('signed in with the token; page loaded');

  // 1. The count equals /active-users/count.
  const count = (await getJson(`${serve.url}/active-users/count`)).body.count;
  assert.equal(await page.textContent('#count'), String(count));
  assert.equal(await page.isHidden('#problem'), true, 'no problem shown');

  // 2. The chart holds exactly the history's points (up to its last refresh).
  const chartData = await page.evaluate(() => window.auDashboard.chart && window.auDashboard.chart.data);
  assert.ok(chartData, 'the chart exists');
  const history = (await getJson(`${serve.url}/active-users/history`)).body;
  const lastT = chartData[0][chartData[0].length - 1] * 1000;
  const expected = history.samples.filter(([t]) => t <= lastT);
  assert.ok(expected.length >= 3, `at least 3 points (${expected.length})`);
  assert.deepEqual(chartData[0].map((x) => Math.round(x * 1000)), expected.map(([t]) => t));
  assert.deepEqual(chartData[1], expected.map(([, c]) => c));
  assert.deepEqual(chartData[2], expected.map(([, , b]) => (b == null ? null : b / 1000)));
  const canvas = await page.$eval('#chart canvas', (c) => [c.width, c.height]);
  assert.ok(canvas[0] > 300 && canvas[1] > 100, `the chart is drawn (${canvas})`);
  log(`chart: ${chartData[0].length} points = the history's`);

  // 3. The shard table lists the shards with their users.
  const rows = await page.$$eval('#shards tbody tr', (trs) => trs.map((tr) => [tr.dataset.shard, tr.cells[1].textContent]));
  assert.deepEqual(rows, [[shard0, '5'], [shard1, '3']]);

  // 4. A change shows within one refresh: 4 new users on shard 1 (and a record that is not JSON,
  // in a batch 45 s behind the tip of the stream).
  await p1.heartbeats(['u8', 'u9', 'u10', 'u11'], ['{"userId": broken'], 45000);
  await waitFor('12 users at /active-users/count', async () => (await getJson(`${serve.url}/active-users/count`)).body.count === 12, 5000, 20);
  const visibleAt = Date.now();
  // Within one refresh, plus the refresh's own four requests and the drawing (slack for a busy CI).
  await waitFor('12 on the page', async () => (await page.textContent('#count')) === '12', REFRESH_MS + 2000, 20);
  const shownAfter = Date.now() - visibleAt;
  assert.ok(shownAfter <= REFRESH_MS + 1000, `shown ${shownAfter} ms after the service had it (refresh ${REFRESH_MS} ms)`);
  log(`change shown on the page ${shownAfter} ms after /active-users/count had it (refresh every ${REFRESH_MS} ms)`);

  // 5. Events: shard 0's lease is lost, a new processor takes it over with a warm start.
  // (The daemon takes seconds to hand a lease over; serve sees the end when it samples the stats
  // before the next processor of the shard publishes its own: here, wait for that sample.)
  await p0.leaseLost();
  await p0.end();
  await waitFor('the lease loss in the history', async () =>
    (await getJson(`${serve.url}/active-users/history`)).body.events.some((e) => e.kind === 'leaseLost'));
  const p0b = new Processor(props, shard0);
  await p0b.initialize();
  await p0b.heartbeats(['u0']);
  const eventTexts = () => page.$$eval('#events tbody tr', (trs) => trs.map((tr) => tr.textContent));
  await waitFor('the lease loss and the restart on the page', async () => {
    const texts = await eventTexts();
    return texts.some((t) => t.includes('lease lost') && t.includes(`pid ${p0.pid} lost the lease`)) &&
      texts.some((t) => t.includes(`pid ${p0b.pid} started; warm start: 5 users from its own snapshot`));
  }, 4 * REFRESH_MS);
  const row1 = await page.$eval(`#shards tr[data-shard="${shard1}"]`, (tr) => [...tr.cells].map((c) => c.textContent));
  assert.equal(row1[1], '7');
  assert.equal(row1[2], '45 s');
  assert.equal(row1[5], 'not_json 1');
  const behindSeries = await page.evaluate(() => window.auDashboard.chart.data[2]);
  if (behindSeries[behindSeries.length - 1] !== 45) {  // what serve saw, to tell where it went
    const h = (await getJson(`${serve.url}/active-users/history`)).body;
    const now = (await getJson(`${serve.url}/active-users/shards`)).body;
    assert.fail(`the backlog on the chart: ${behindSeries.slice(-6)} s, not 45 at the end; history's last samples ` +
      `${JSON.stringify(h.samples.slice(-6))}; events ${JSON.stringify(h.events.slice(-4))}; shards now ` +
      `${JSON.stringify(now).slice(0, 1500)}; serve's stderr: ${serve.stderr().slice(-1500)}`);
  }
  const row0 = await page.$eval(`#shards tr[data-shard="${shard0}"]`, (tr) => [...tr.cells].map((c) => c.textContent));
  assert.equal(row0[1], '5');
  assert.equal(row0[7], '5 own (parents unknown)');
  assert.match(row0[8], new RegExp(`pid ${p0b.pid}`));
  assert.equal(row0[6], 'off');  // no lease table in these properties: the fixer is off
  const historyEvents = (await getJson(`${serve.url}/active-users/history`)).body.events.map((e) => e.kind);
  assert.ok(historyEvents.includes('leaseLost') && historyEvents.filter((k) => k === 'start').length === 3,
    `history events: ${historyEvents}`);
  const markers = await page.evaluate(() => window.auDashboard.chart.data[0].length);
  assert.ok(markers >= 3);
  log('lease loss and restart shown as events; warm start in the table');

  // 6. The lease fixer: a child shard whose lease (in dynalite) starts at TRIM_HORIZON, 3 h behind;
  // the fixer reads the shard (kinesis-local, directly: no record) to find the cut.
  const dynaPort = await freePort();
  const dynalite = spawn(process.execPath, [join(ROOT, 'node_modules/dynalite/cli.js'), '--host', '127.0.0.1',
    '--port', String(dynaPort), '--createTableMs', '50'], { stdio: 'ignore' });
  started.push(dynalite);
  const kinesisPort = await freePort();
  const kinesisLocal = join(ROOT, '.local-stack/kinesis-local');  // the loopback-only copy (scripts/setup-stack)
  const kinesisEnv = { KINESIS_MOCK_PLAIN_PORT: String(kinesisPort), KINESIS_MOCK_TLS_PORT: String(await freePort()),
    KINESIS_MOCK_CERT_PATH: join(kinesisLocal, 'server.json'), CREATE_STREAM_DURATION: '50ms', SHOULD_PERSIST_DATA: 'false',
    LOG_LEVEL: 'WARN' };
  const kinesis = spawn(process.execPath, [join(kinesisLocal, 'main.js')], { stdio: 'ignore', env: { ...process.env, ...kinesisEnv } });
  started.push(kinesis);
  const aws = {
    DYNAMO_ENDPOINT: `http://127.0.0.1:${dynaPort}`, KINESIS_ENDPOINT: `http://127.0.0.1:${kinesisPort}`,
    AWS_ACCESS_KEY_ID: 'AKIDBROWSERTEST', AWS_SECRET_ACCESS_KEY: 'browser-test-secret', AWS_REGION: 'us-east-1',
  };
  Object.assign(process.env, aws);
  const { createLeaseTable, createStream, dynamodb, unmarshalItem, waitReady } = await import('../../scripts/lib/aws-local.mjs');
  await waitReady('dynamodb', 15000);
  await waitReady('kinesis', 30000);
  const stream = 'browser-test';
  await createStream(stream, 3);
  const table = 'browser-test-app';
  await createLeaseTable(table);
  const shard2 = 'shardId-000000000002';
  await dynamodb('PutItem', { TableName: table, Item: {
    leaseKey: { S: shard2 }, leaseCounter: { N: '5' }, checkpoint: { S: 'TRIM_HORIZON' },
    checkpointSubSequenceNumber: { N: '0' }, ownerSwitchesSinceCheckpoint: { N: '0' },
    leaseOwner: { S: 'worker-1' }, parentShardId: { SS: [shard0] } } });
  const fixerProps = join(dirname(props), 'fixer.properties');
  writeFileSync(fixerProps, [
    `applicationName = ${table}`, `streamName = ${stream}`, 'regionName = us-east-1',
    `dynamoDBEndpoint = ${aws.DYNAMO_ENDPOINT}`, `kinesisEndpoint = ${aws.KINESIS_ENDPOINT}`,
    `activeUsers.stateDir = ${state}`, 'activeUsers.snapshotIntervalMillis = 100', 'activeUsers.ttlSeconds = 600',
    'activeUsers.logLevel = warn', ''].join('\n'));
  const p2 = new Processor(fixerProps, shard2, aws);
  await p2.initialize('TRIM_HORIZON');
  await p2.heartbeats([], [], 3 * 3600 * 1000);  // nothing yet, 3 h behind the tip
  await waitFor('the fixer cut on the page', async () =>
    (await eventTexts()).some((t) => t.includes('fixer cut') && t.includes(shard2)), 10000);
  const row2 = await page.$eval(`#shards tr[data-shard="${shard2}"]`, (tr) => [...tr.cells].map((c) => c.textContent));
  assert.match(row2[6], /^cut: /);
  assert.equal(row2[7], '0 own + 5 parents');  // the warm start read the parent from the lease row
  assert.equal(row2[2], '3.0 h');
  const lease = unmarshalItem((await dynamodb('GetItem', { TableName: table, Key: { leaseKey: { S: shard2 } }, ConsistentRead: true })).Item);
  assert.equal(lease.checkpoint, 'LATEST');
  log('the lease fixer cut a stale lease (dynalite, kinesis-local): an event and its action in the table');
  await p2.leaseLost();
  await p2.end();

  await page.screenshot({ path: join(OUT, 'dashboard.png'), fullPage: true });
  log(`screenshot ${join(OUT, 'dashboard.png')}`);
  assert.deepEqual(offsite, [], 'the page loads nothing from elsewhere');
  // Everything so far (sign-in, page loads, ~1 refresh a second with every request) had no error.
  assert.deepEqual(consoleErrors, [], 'no console error');
  assert.deepEqual(badRequests, [], 'no failed request');
  log(`zero console errors and no failed request over ${await refreshes()} refreshes`);

  // 6b. The source fails (the state folder is gone, a file in its place so that no processor
  // makes it again): the rows stay, marked stale, greyed.
  renameSync(state, `${state}.away`);
  writeFileSync(state, 'not a folder\n');
  try {
    await waitFor('the rows marked stale', async () =>
      (await page.evaluate(() => document.body.dataset.shardsStale)) === 'true', 4 * REFRESH_MS);
    const stale = await page.$$eval('#shards tbody tr', (trs) => trs.map((tr) => [tr.classList.contains('stale'),
      getComputedStyle(tr.cells[1]).color, getComputedStyle(tr.cells[0], '::after').content]));
    assert.ok(stale.length >= 3, `rows kept: ${stale.length}`);
    for (const [isStale, color, tag] of stale) {
      assert.equal(isStale, true);
      assert.equal(color, 'rgb(152, 162, 179)', 'greyed');
      assert.equal(tag, '"stale"');
    }
    assert.match(await page.textContent('#shards-note'), /^Stale: these rows were read at \d\d:\d\d:\d\d; the source cannot be read now\.$/);
    assert.equal(await page.isVisible('#problem'), true);
    await page.screenshot({ path: join(OUT, 'dashboard-stale.png'), fullPage: true });
  } finally {
    rmSync(state, { recursive: true, force: true });
    renameSync(`${state}.away`, state);
  }
  await waitFor('the rows fresh again', async () =>
    (await page.evaluate(() => document.body.dataset.shardsStale)) === 'false', 4 * REFRESH_MS);
  assert.equal(await page.$$eval('#shards tr.stale', (trs) => trs.length), 0);
  log('source gone: the shard rows marked stale and greyed; back: fresh again');

  // 7. A missing source shows a clear message: an empty state folder, an unreachable Redis.
  // (One sample a minute: the chart has a single point, and its axis spans minutes, not years.)
  const empty = await startServe(['--state-dir', tempDir('empty'), '--history-interval-ms', '60000']);
  await page.goto(`${empty.url}/?refresh=${REFRESH_MS}`);
  await waitFor('the first refresh', async () => (await refreshes()) >= 1);
  assert.equal(await page.isVisible('#problem'), true);
  assert.match(await page.textContent('#problem'), /No data yet: .* holds no snapshots or stats/);
  const axis = await page.evaluate(() => {
    const u = window.auDashboard.chart;
    return { points: u.data[0].length, t: u.data[0][0], min: u.scales.x.min, max: u.scales.x.max };
  });
  assert.equal(axis.points, 1);
  assert.ok(axis.min <= axis.t && axis.t <= axis.max && axis.max - axis.min <= 600,
    `one sample at ${new Date(axis.t * 1000).toISOString()}: the axis spans ${new Date(axis.min * 1000).toISOString()} – ${new Date(axis.max * 1000).toISOString()}`);
  log(`one history sample: the time axis spans ${axis.max - axis.min} s up to it`);
  const deadPort = await freePort();
  const noRedis = await startServe(['--redis', `redis://127.0.0.1:${deadPort}`, '--key', 'active-users:test',
    '--history-interval-ms', '500']);
  await page.goto(`${noRedis.url}/?refresh=${REFRESH_MS}`);
  await waitFor('the first refresh', async () => (await refreshes()) >= 1);
  assert.equal(await page.isVisible('#problem'), true);
  assert.match(await page.textContent('#problem'), /Cannot read the active set: .*(refused|ConnectionError)/i);
  assert.equal(await page.textContent('#count'), '–');
  await page.screenshot({ path: join(OUT, 'dashboard-redis-down.png') });
  log('empty state folder and unreachable Redis: clear messages');

  // 8. Every processor gone (the daemon stopped): said as well.
  await p1.end();
  await p0b.end();
  await page.goto(`${serve.url}/?refresh=${REFRESH_MS}`);
  await waitFor('the "no processor is running" message', async () =>
    /No processor is running/.test((await page.textContent('#problem')) || ''), 3 * REFRESH_MS);
  assert.equal(await page.isVisible('#problem'), true);
  log('all processors ended: said');
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  if (context) await context.close();
  await stopAll();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
log(failed ? 'FAILED' : 'passed');
console.log(failed ? '0 passed, 1 failed' : '1 passed, 0 failed');
process.exit(failed ? 1 : 0);
