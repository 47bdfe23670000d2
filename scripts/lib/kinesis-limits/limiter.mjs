// The per-shard read limits of Kinesis Data Streams, as a pure object: no I/O, no timers; every method
// takes the current time in milliseconds, so tests drive it with their own clock.
//
// Two rules per shard key (the caller uses "<stream>/<shardId>"):
// - Calls: at most `callsPerSec` admitted GetRecords calls in any window of 1000 ms (a sliding window,
//   so "5 per second" holds for every second, not only on average). Refused calls do not count.
// - Bytes: a token bucket of `burstBytes` that refills at `bytesPerSec`. A call is admitted only while the
//   balance is >= 0; after the call its bytes are charged, and the balance may go NEGATIVE. So a call
//   that returns more than the budget makes the next calls fail until the debt is repaid: from a full
//   bucket (2 MiB) a 10 MiB response leaves -8 MiB, i.e. 4 s of refusals at 2 MiB/s (5 s counting the
//   second the 10 MiB were read in, which is how the Kinesis docs put it).
//
// admit() decides and records an admitted call; charge() books the bytes the call returned (call it after
// the response is known, with the time then). Both are O(callsPerSec) per call. Thread model: Node's
// single thread; two concurrent calls on one shard are both admitted if both arrive while the balance is
// >= 0, as with Kinesis, which also charges after the read.

export class ShardLimiter {
  constructor({ callsPerSec, bytesPerSec, burstBytes = bytesPerSec }) {
    if (!(callsPerSec > 0) || !(bytesPerSec > 0) || !(burstBytes >= 0)) {
      throw new Error(`bad limits: callsPerSec=${callsPerSec} bytesPerSec=${bytesPerSec} burstBytes=${burstBytes}`);
    }
    this.callsPerSec = callsPerSec;
    this.bytesPerSec = bytesPerSec;
    this.burstBytes = burstBytes;
    // key -> { calls: [admitted times, oldest first], milli: byte balance x 1000, at: time of `milli` }.
    // Kept in thousandths of a byte so that integer times and byte counts give exact integer arithmetic.
    this.shards = new Map();
  }

  #shard(key, now) {
    let s = this.shards.get(key);
    if (!s) {
      s = { calls: [], milli: this.burstBytes * 1000, at: now };
      this.shards.set(key, s);
    }
    return s;
  }

  #refill(s, now) {
    if (now > s.at) {
      s.milli = Math.min(this.burstBytes * 1000, s.milli + (now - s.at) * this.bytesPerSec);
      s.at = now;
    }
  }

  // The byte balance of `key` at `now` (for tests and logs).
  balance(key, now) {
    const s = this.#shard(key, now);
    this.#refill(s, now);
    return s.milli / 1000;
  }

  // { ok: true } and the call is counted, or { ok: false, reason: 'calls' | 'bytes', retryInMs } and nothing
  // changes. retryInMs: the earliest time a call can be admitted, if nothing else happens meanwhile.
  admit(key, now) {
    const s = this.#shard(key, now);
    while (s.calls.length && s.calls[0] <= now - 1000) s.calls.shift();
    this.#refill(s, now);
    if (s.milli < 0) {
      return { ok: false, reason: 'bytes', retryInMs: Math.ceil(-s.milli / this.bytesPerSec) };
    }
    if (s.calls.length >= this.callsPerSec) {
      return { ok: false, reason: 'calls', retryInMs: s.calls[0] + 1000 - now };
    }
    s.calls.push(now);
    return { ok: true };
  }

  // Books `bytes` read from `key` by an admitted call.
  charge(key, bytes, now) {
    const s = this.#shard(key, now);
    this.#refill(s, now);
    s.milli -= bytes * 1000;
  }
}
