// Per-shard counters of the read side, for the proxy's log: admitted calls, refused calls (by rule),
// records and bytes handed out. `take()` returns the lines for what changed since the last take (the
// per-interval log), `totals()` the lines since start (SIGUSR1 and exit).

const FIELDS = ['calls', 'throttledCalls', 'throttledBytes', 'records', 'bytes'];

export class ReadStats {
  constructor() {
    this.total = new Map();
    this.recent = new Map();
    this.unlimited = 0; // GetRecords with an iterator that is not ours, forwarded without limits
  }

  add(key, field, n = 1) {
    for (const m of [this.total, this.recent]) {
      let c = m.get(key);
      if (!c) m.set(key, (c = Object.fromEntries(FIELDS.map((f) => [f, 0]))));
      c[field] += n;
    }
  }

  static #lines(map) {
    return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, c]) =>
      `${key}: ${c.calls} calls, throttled ${c.throttledCalls + c.throttledBytes} ` +
      `(${c.throttledCalls} over the call rate, ${c.throttledBytes} over the byte rate), ` +
      `${c.records} records, ${c.bytes} bytes`);
  }

  take() {
    const lines = ReadStats.#lines(this.recent);
    this.recent = new Map();
    return lines;
  }

  totals() {
    const lines = ReadStats.#lines(this.total);
    if (this.unlimited) lines.push(`${this.unlimited} GetRecords with foreign iterators (forwarded unlimited)`);
    return lines;
  }
}
