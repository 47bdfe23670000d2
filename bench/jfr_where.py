#!/usr/bin/env python3
"""Where the daemon's JVM spends its time: aggregates a JFR recording's execution samples (jdk.ExecutionSample,
`jfr print --json`) by the first frame, from the top of each stack, that belongs to a known part of the daemon
(the AWS SDK's HTTP/CBOR, netty, Jackson, logback, the multilang protocol, KCL's retrieval, leases, ...).

  python3 bench/jfr_where.py RECORDING.jfr [--threads]     (bench/pipeline --config 'x=ours|... -XX:StartFlightRecording=...')
"""
import collections
import json
import subprocess
import sys

PARTS = [  # (label, frame prefix), first match from the top of the stack wins
    ("JSON writing to the child (multilang + Jackson)", ("software.amazon.kinesis.multilang.messages", "software.amazon.kinesis.multilang.MessageWriter")),
    ("Jackson", ("com.fasterxml.jackson",)),
    ("logging (logback/slf4j)", ("ch.qos.logback", "org.slf4j")),
    ("netty I/O", ("io.netty",)),
    ("AWS SDK marshalling (CBOR/JSON)", ("software.amazon.awssdk.protocols", "software.amazon.awssdk.core.internal.unmarshall", "software.amazon.awssdk.thirdparty.jackson")),
    ("AWS SDK core/HTTP", ("software.amazon.awssdk",)),
    ("multilang (other)", ("software.amazon.kinesis.multilang",)),
    ("KCL retrieval", ("software.amazon.kinesis.retrieval",)),
    ("KCL leases/coordinator", ("software.amazon.kinesis.leases", "software.amazon.kinesis.coordinator", "software.amazon.kinesis.lifecycle")),
    ("KCL other", ("software.amazon.kinesis",)),
    ("JDK I/O + encoding", ("java.io", "sun.nio", "java.nio", "sun.nio.cs")),
    ("JDK other", ("java.", "jdk.", "sun.")),
]


def part_of(frames):
    for f in frames:
        name = f["method"]["type"]["name"]
        for label, prefixes in PARTS:
            if name.startswith(prefixes):
                return label
    return "other"


def main():
    args = [a for a in sys.argv[1:] if a != "--threads"]
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print(__doc__, file=sys.stderr if args and args[0] not in ("-h", "--help") else sys.stdout)
        sys.exit(0 if args and args[0] in ("-h", "--help") else 2)
    path = args[0]
    out = subprocess.run(["jfr", "print", "--json", "--events", "jdk.ExecutionSample", "--stack-depth", "40", path],
                         capture_output=True, text=True, check=True).stdout
    events = json.loads(out)["recording"]["events"]
    parts, threads, tops = collections.Counter(), collections.Counter(), collections.Counter()
    for e in events:
        v = e["values"]
        frames = v["stackTrace"]["frames"] if v.get("stackTrace") else []
        parts[part_of(frames)] += 1
        threads[(v.get("sampledThread") or {}).get("javaName", "?")] += 1
        if frames:
            m = frames[0]["method"]
            tops[m["type"]["name"] + "." + m["name"]] += 1
    n = sum(parts.values()) or 1
    print(f"{n} samples")
    for k, c in parts.most_common():
        print(f"  {100 * c / n:5.1f} %  {k}")
    print("top frames:")
    for k, c in tops.most_common(15):
        print(f"  {100 * c / n:5.1f} %  {k}")
    if "--threads" in sys.argv:
        print("threads:")
        for k, c in threads.most_common(12):
            print(f"  {100 * c / n:5.1f} %  {k}")


if __name__ == "__main__":
    main()
