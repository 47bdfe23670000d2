// The dashboard of `active-users serve`: polls the service's JSON endpoints every few seconds
// (?refresh=MS, default 3000) and shows the count, its history with the processors' events, and
// the per-shard table. Everything it needs is served by active-users-serve itself (no CDN).
'use strict';
(() => {
  const params = new URLSearchParams(window.location.search);
  const refreshMs = Math.max(250, Number(params.get('refresh')) || 3000);
  const $ = (id) => document.getElementById(id);
  const KINDS = {
    start: ['#2563eb', 'processor start'],
    leaseLost: ['#d97706', 'lease lost'],
    shardEnded: ['#7c3aed', 'shard end'],
    shutdown: ['#64748b', 'shutdown'],
    fixerCut: ['#dc2626', 'fixer cut'],
    redisDown: ['#be123c', 'Redis down'],
    redisUp: ['#059669', 'Redis back'],
    sourceDown: ['#be123c', 'source unreadable'],
    sourceUp: ['#059669', 'source readable'],
  };
  const kindColor = (k) => (KINDS[k] || ['#475467'])[0];
  const kindName = (k) => (KINDS[k] || [null, k])[1];

  let chart = null;
  let events = [];
  let refreshes = 0;

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'style') e.style.cssText = v; else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }
  function age(ms) {
    if (ms == null) return '–';
    if (ms < 1000) return `${ms} ms`;
    const s = ms / 1000;
    if (s < 90) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
    if (s < 5400) return `${Math.round(s / 60)} min`;
    return `${(s / 3600).toFixed(1)} h`;
  }
  const clock = (t) => new Date(t).toLocaleTimeString([], { hour12: false });

  async function getJson(path) {
    try {
      const r = await fetch(path, { cache: 'no-store' });
      let body = null;
      try { body = await r.json(); } catch (e) { body = null; }
      return { ok: r.ok, status: r.status, body };
    } catch (e) {
      return { ok: false, status: 0, body: { error: `serve did not answer (${e.message})` } };
    }
  }
  // The service's own message ("cannot read the active set: ..."), as a sentence.
  const why = (r) => {
    const m = (r.body && r.body.error) || `HTTP ${r.status} from serve`;
    return m.charAt(0).toUpperCase() + m.slice(1);
  };

  // ------------------------------------------------------------------------------------ chart
  function drawEvents(u) {
    const { ctx } = u;
    const { left, top, width, height } = u.bbox;
    const dpr = window.devicePixelRatio || 1;
    ctx.save();
    ctx.lineWidth = 1.5 * dpr;
    ctx.setLineDash([5 * dpr, 4 * dpr]);
    for (const e of events) {
      const x = u.valToPos(e.t / 1000, 'x', true);
      if (x < left || x > left + width) continue;
      ctx.strokeStyle = kindColor(e.kind);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
    }
    ctx.restore();
  }

  // The x axis: the samples' span, but at least the last MIN_SPAN_S up to the newest sample (or
  // up to now without one), so that one sample is not drawn on an axis spanning years.
  const MIN_SPAN_S = 300;
  function timeRange(u, min, max) {  // (set after every setData: uPlot pads a lone point by years)
    if (!Number.isFinite(min) || !Number.isFinite(max)) {
      const now = Date.now() / 1000;
      return [now - MIN_SPAN_S, now];
    }
    return max - min >= MIN_SPAN_S ? [min, max] : [max - MIN_SPAN_S, max];
  }

  function showHistory(history) {
    events = history.events;
    const xs = history.samples.map((s) => s[0] / 1000);
    const ys = history.samples.map((s) => s[1]);
    const behind = history.samples.map((s) => (s[2] == null ? null : s[2] / 1000));
    document.body.dataset.historyPoints = String(xs.length);
    const box = $('chart');
    if (typeof window.uPlot !== 'function' || window.auNoChart) {
      box.replaceChildren(el('div', { class: 'nochart' },
        'The chart library was not bundled in this build (npm ci, then rebuild active-users-serve).'));
      return;
    }
    if (!chart) {
      box.replaceChildren();
      chart = new window.uPlot({
        width: Math.max(320, box.clientWidth),
        height: 300,
        scales: {
          x: { time: true },
          y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] },
          behind: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] },
        },
        series: [{},
          { label: 'active users', stroke: '#2563eb', width: 2, fill: 'rgba(37,99,235,0.08)' },
          { label: 'behind latest (s, largest shard)', scale: 'behind', stroke: '#0d9488', width: 1.5, dash: [6, 3] }],
        axes: [{}, { label: 'users', size: 60 },
          { label: 'behind latest (s)', scale: 'behind', side: 1, size: 60, grid: { show: false } }],
        hooks: { draw: [drawEvents] },
      }, [xs, ys, behind], box);
      window.addEventListener('resize', () => chart.setSize({ width: Math.max(320, box.clientWidth), height: 300 }));
    } else {
      chart.setData([xs, ys, behind]);
    }
    const [min, max] = timeRange(chart, xs[0], xs[xs.length - 1]);
    chart.setScale('x', { min, max });
    const seen = [...new Set(events.map((e) => e.kind))];
    $('legend').replaceChildren(...seen.map((k) => el('span', {}, el('i', { style: `background:${kindColor(k)}` }), kindName(k))));
  }

  function showEvents() {
    const rows = events.slice(-30).reverse().map((e) => el('tr', {},
      el('td', {}, clock(e.t)),
      el('td', {}, el('span', { class: 'tag', style: `background:${kindColor(e.kind)}` }, kindName(e.kind))),
      el('td', {}, e.shard || 'serve'),
      el('td', {}, e.text)));
    $('events').tBodies[0].replaceChildren(...rows);
    $('events-note').textContent = events.length ? '' : 'No events in the window yet (processor starts, lease losses, fixer cuts, Redis outages appear here and on the chart).';
  }

  // ------------------------------------------------------------------------------ shard table
  function fixerCell(f) {
    if (!f) return '–';
    const cls = f.action === 'cut' ? 'bad' : '';
    return el('span', { class: cls, title: f.detail || '' }, f.action + (f.detail ? `: ${f.detail}` : ''));
  }
  function warmCell(w) {
    if (!w) return '–';
    return w.parentsUnknown ? `${w.own} own (parents unknown)` : `${w.own} own + ${w.parents} parents`;
  }
  function processCell(s, now) {
    const parts = [`pid ${s.pid}`];
    if (s.ended) {
      if (s.startedAt) parts.push(`ran ${age(s.ended.at - s.startedAt)}`);
      parts.push(`ended: ${s.ended.reason} ${age(now - s.ended.at)} ago`);
    } else if (s.startedAt) {
      parts.push(`up ${age(now - s.startedAt)}`);
    }
    if (!s.ended && s.statsAgeMillis > 10000) parts.push(`no stats for ${age(s.statsAgeMillis)}`);
    const cell = el('span', {}, parts.join(', '));
    if (!s.ended && s.redis && !s.redis.connected) cell.append(el('div', { class: 'bad' }, s.redis.downSince ? `Redis down for ${age(now - s.redis.downSince)}` : 'Redis not connected'));
    return cell;
  }
  // The shard table as last read: when the source fails, its rows stay, greyed and marked stale
  // (with the time they were read), next to the red box.
  let shardsReadAt = null;
  function markShardsStale(stale) {
    for (const tr of $('shards').tBodies[0].rows) tr.classList.toggle('stale', stale);
    $('shards').classList.toggle('stale', stale);
    document.body.dataset.shardsStale = String(stale);
  }

  function showShards(table) {
    const now = table.now;
    shardsReadAt = Date.now();
    const rows = table.shards.map((s) => {
      const rejected = Object.entries(s.rejected || {}).map(([k, v]) => `${k} ${v}`).join(', ') || '0';
      return el('tr', { class: s.ended ? 'ended' : '', 'data-shard': s.shardId },
        el('td', {}, s.shardId),
        el('td', { class: 'num' }, s.active),
        el('td', { class: 'num' }, s.millisBehindLatest == null ? '–' : age(s.millisBehindLatest)),
        el('td', { class: 'num' }, s.lastBatchAgeMillis == null ? 'none yet' : `${age(s.lastBatchAgeMillis)} ago`),
        el('td', { class: 'num' }, s.recordsPerSecond == null ? '–' : s.recordsPerSecond.toFixed(1)),
        el('td', {}, rejected),
        el('td', {}, fixerCell(s.fixer)),
        el('td', {}, warmCell(s.warmStart)),
        el('td', {}, processCell(s, now)));
    });
    $('shards').tBodies[0].replaceChildren(...rows);
  }

  // --------------------------------------------------------------------------------- refresh
  async function refresh() {
    const [count, history, shards, health] = await Promise.all([
      getJson('/active-users/count'), getJson('/active-users/history'),
      getJson('/active-users/shards'), getJson('/healthz')]);
    const source = health.body && health.body.source;
    $('source').textContent = source ? `source: ${source}` : '';
    const problems = [];
    if (count.ok) {
      $('count').textContent = String(count.body.count);
    } else {
      $('count').textContent = '–';
      problems.push(why(count));
    }
    if (history.ok) { showHistory(history.body); showEvents(); }
    if (shards.ok) {
      showShards(shards.body);
      markShardsStale(false);
      const none = shards.body.shards.length === 0;
      $('shards-note').textContent = none ? 'No processor has published its stats yet.' : '';
      if (none && count.ok && count.body.count === 0) {
        problems.push(source && source.startsWith('state-dir')
          ? `No data yet: ${source.slice('state-dir '.length)} holds no snapshots or stats. Do the processors' properties set activeUsers.stateDir to this folder, and is the daemon running?`
          : 'No data yet: no processor has written to this Redis key. Do the processors\' properties set activeUsers.redisUrl and the same key, and is the daemon running?');
      }
      const running = shards.body.shards.filter((s) => !s.ended);
      if (!none && running.length === 0) {
        problems.push('No processor is running: every shard\'s lease has ended (is the daemon stopped?).');
      }
    } else {
      if (count.ok) problems.push(why(shards));
      const rows = $('shards').tBodies[0].rows.length;
      markShardsStale(rows > 0);
      $('shards-note').textContent = rows > 0 && shardsReadAt
        ? `Stale: these rows were read at ${clock(shardsReadAt)}; the source cannot be read now.`
        : '';
    }
    if (count.status === 401 || shards.status === 401) {
      problems.push('Not signed in (the token changed, or serve restarted with another): reload the page to sign in.');
    }
    const box = $('problem');
    box.hidden = problems.length === 0;
    box.textContent = problems.join('\n');
    $('updated').textContent = `updated ${clock(Date.now())}`;
    refreshes += 1;
    document.body.dataset.refreshes = String(refreshes);
  }

  async function loop() {
    try { await refresh(); } catch (e) {
      const box = $('problem');
      box.hidden = false;
      box.textContent = `The page failed to refresh: ${e.message}`;
    }
    setTimeout(loop, refreshMs);
  }

  $('refresh-s').textContent = String(refreshMs / 1000);
  // For tests and for a look from the browser console.
  window.auDashboard = { get chart() { return chart; }, refreshMs };
  loop();
})();
