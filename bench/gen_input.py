#!/usr/bin/env python3
"""Generates a MultiLangDaemon transcript (daemon -> child direction) for the benchmark.

Output: one JSON object per line, exactly as the KCL 2.x/3.x MultiLangDaemon writes them:
  {"action":"initialize","shardId":...,"sequenceNumber":"TRIM_HORIZON","subSequenceNumber":0}
  {"action":"processRecords","records":[...10,000 records...],"millisBehindLatest":N}   x messages

Each record:
  {"action":"record","data":<base64 of a ~100-byte JSON heartbeat>,"partitionKey":<guid>,
   "sequenceNumber":<56 digits>,"subSequenceNumber":0,"approximateArrivalTimestamp":<epoch ms>}
The heartbeat is {"userId":"<guid>","ts":<epoch ms>,"type":"heartbeat","client":"web/2.14"} (107 bytes).

Users: `--users` distinct GUIDs (1 in 8 written in upper case, as some clients do). Records visit the
users in rounds, each round a fresh random permutation, so every user appears and the table ends with
exactly min(users, records) entries. Arrival timestamps rise evenly over the `--span-seconds` that end
`--lag-seconds` before the moment of generation, so they are fresh when the run starts (the bench runs
our binary with a properties file whose activeUsers.ttlSeconds is 3600, and regenerates inputs older
than 20 minutes). A sidecar <out>.meta.json records the parameters and the generation time.

Fast path: the heartbeat's prefix {"userId":"<guid>","ts": is 54 bytes (a multiple of 3), so its base64
is computed once per user and only the 53-byte tail is encoded per record.
"""

import argparse
import base64
import binascii
import json
import os
import random
import sys
import time

# 56-digit sequence numbers, like real shards: a fixed 31-digit head and a 25-digit counter that
# steps by 1e13 per record (consecutive Kinesis records are far apart). Formatting small ints is fast.
SEQ_HEAD = b"4959033827149025660855969253836"
SEQ_LOW0 = 1571095921575989136588898
SEQ_STEP = 10_000_000_000_000
TAIL = b',"type":"heartbeat","client":"web/2.14"}'
RECORD = (b'{"action":"record","data":"%s%s","partitionKey":"%s","sequenceNumber":"' + SEQ_HEAD +
          b'%025d","subSequenceNumber":0,"approximateArrivalTimestamp":%d}')


def make_users(n, rng):
    """n random version-4 GUIDs (deterministic for a seed) and the base64 of each heartbeat's prefix."""
    hexall = rng.randbytes(16 * n).hex()
    variant = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}
    b64 = base64.b64encode
    users = []
    for i in range(n):
        h = hexall[32 * i:32 * i + 32]
        g = "%s-%s-4%s-%s%s-%s" % (h[0:8], h[8:12], h[13:16], variant[h[16]], h[17:20], h[20:32])
        if i % 8 == 7:
            g = g.upper()
        prefix = b'{"userId":"%s","ts":' % g.encode()  # 54 bytes: a multiple of 3
        users.append((g.encode(), b64(prefix)))
    return users


def generate(path, users, messages, per_message, seed=42, span_seconds=90, lag_seconds=5, shard="shardId-000000000000",
             now_ms=None):
    t_start = time.time()
    rng = random.Random(seed)
    table = make_users(users, rng)
    total = messages * per_message
    now_ms = now_ms or int(time.time() * 1000)
    first_ms = now_ms - (span_seconds + lag_seconds) * 1000
    span_ms = span_seconds * 1000
    order = []
    b2a = binascii.b2a_base64
    tmp = path + ".tmp"
    with open(tmp, "wb", buffering=1 << 22) as f:
        f.write(b'{"action":"initialize","shardId":"%s","sequenceNumber":"TRIM_HORIZON","subSequenceNumber":0}\n'
                % shard.encode())
        i = 0
        for m in range(messages):
            parts = []
            for _ in range(per_message):
                k = i % users
                if k == 0:
                    order = list(range(users))
                    rng.shuffle(order)
                guid, prefix64 = table[order[k]]
                arrival = first_ms + (i * span_ms) // total
                client_ts = arrival - (i * 7919) % 1500  # client clock: a little before arrival
                tail64 = b2a(b"%d%s" % (client_ts, TAIL), newline=False)
                parts.append(RECORD % (prefix64, tail64, guid, SEQ_LOW0 + i * SEQ_STEP, arrival))
                i += 1
            behind = max(0, now_ms - (first_ms + (i * span_ms) // total))
            f.write(b'{"action":"processRecords","records":[')
            f.write(b",".join(parts))
            f.write(b'],"millisBehindLatest":%d}\n' % behind)
    os.replace(tmp, path)
    meta = {
        "path": os.path.abspath(path), "users": users, "messages": messages, "recordsPerMessage": per_message,
        "records": total, "distinctUsers": min(users, total), "seed": seed, "generatedAtMs": now_ms,
        "firstArrivalMs": first_ms, "lastArrivalMs": first_ms + ((total - 1) * span_ms) // total,
        "bytes": os.path.getsize(path), "generateSeconds": round(time.time() - t_start, 2),
    }
    with open(path + ".meta.json", "w") as f:
        json.dump(meta, f, indent=1)
    return meta


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--users", type=int, default=100_000)
    ap.add_argument("--messages", type=int, default=150)
    ap.add_argument("--per-message", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--span-seconds", type=int, default=90)
    ap.add_argument("--lag-seconds", type=int, default=5)
    ap.add_argument("--shard", default="shardId-000000000000", help="the initialize message's shardId")
    ap.add_argument("--now-ms", type=int, default=0, help="the generation time (default: now)")
    a = ap.parse_args()
    meta = generate(a.out, a.users, a.messages, a.per_message, a.seed, a.span_seconds, a.lag_seconds,
                    a.shard, a.now_ms or None)
    json.dump(meta, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
