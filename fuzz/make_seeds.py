#!/usr/bin/env python3
"""Writes the seed inputs of fuzz/corpus/<target>/seed-* from the test fixtures and the
transcripts in tests/replay (the formats are described at the top of each fuzz/<target>.cc).
Regression inputs (corpus/<target>/regress-*) are written by hand when a fix lands and are kept.
Run from anywhere: python3 fuzz/make_seeds.py"""
import base64, glob, json, os

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
corpus = os.path.join(root, "fuzz", "corpus")


def write(target, name, data):
    folder = os.path.join(corpus, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, "seed-" + name), "wb") as f:
        f.write(data)


def parts(*ps):
    return "\n%%\n".join(ps)


# Protocol lines and the records in them: every distinct line of the recorded transcripts.
lines, payloads = set(), []
for path in sorted(glob.glob(os.path.join(root, "tests", "replay", "*.jsonl"))):
    for entry in open(path):
        e = json.loads(entry)
        if "line" in e and len(e["line"]) < 4000:
            lines.add(e["line"])
            try:
                message = json.loads(e["line"])
            except ValueError:
                continue
            if isinstance(message, dict) and isinstance(message.get("records"), list):
                for r in message["records"]:
                    if isinstance(r, dict) and isinstance(r.get("data"), str):
                        try:
                            payloads.append(base64.b64decode(r["data"], validate=True))
                        except ValueError:
                            payloads.append(r["data"].encode())
for i, line in enumerate(sorted(lines)):
    write("protocol_codec", "%02d" % i, line)

# Heartbeats: the transcripts' payloads, and each id and time form the decoder accepts.
guid = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
for i, p in enumerate(sorted(set(payloads))[:12]):
    write("heartbeat", "transcript-%02d" % i, b"-\n%%\n1795800000000\npk\n" + p)
write("heartbeat", "json-guid", parts("-", "1795800000000\npk\n" + json.dumps({"userId": guid})))
write("heartbeat", "braced-upper", parts("g", "1795800000000\npk\n{\"userId\":\"{%s}\"}" % guid.upper()))
write("heartbeat", "event-times", parts("t 1795800000000 5000",
      "1795800000000\npk\n{\"userId\":\"alice\",\"ts\":1795799990000}",
      "1795800000000\npk\n{\"userId\":\"bob\",\"ts\":\"2026-11-27T22:27:00.123+01:00\"}",
      "-\npk\n{\"userId\":42,\"ts\":1.7958e12}"))
write("heartbeat", "text-and-string", parts("-", "1795800000000\npk\n  carol \n", "1795800000000\npk\n\"dave\""))
write("heartbeat", "partition-key", parts("kg", "1795800000000\n" + guid + "\nignored"))
write("heartbeat", "raw-base64", parts("r", "1795800000000\npk\n" + base64.b64encode(json.dumps({"userId": guid}).encode()).decode(),
                                        "1795800000000\npk\n!!!not base64"))

# .properties: the project's files, and the escapes java.util.Properties knows.
for path in sorted(glob.glob(os.path.join(root, "properties", "*.properties")) +
                   glob.glob(os.path.join(root, "tests", "replay", "*.properties"))):
    write("properties", os.path.basename(path), open(path, "rb").read())
write("properties", "escapes", "# comment\n! also\nkey\\ with\\ spaces = a\\tb\\nc\nlong = one \\\n    two\n"
      "colon:value\nspace value\nunicode = caf\\u00e9 \\uD83D\\uDE00\n\\#not-a-comment = x\n")

# Snapshots and stats files, as the processor writes them.
write("snapshot", "shard", json.dumps({"version": 1, "shardId": "shardId-000000000001", "writtenAt": 1795800000000,
      "ttlMillis": 120000, "users": {guid: 1795799999000, "alice": 1795799000000, "esc\"aped\n": 1795800000000}},
      separators=(",", ":")) + "\n")
write("snapshot", "empty", '{"version":1,"shardId":"s","writtenAt":0,"ttlMillis":1,"users":{}}\n')
stats = {"version": 1, "shardId": "shardId-000000000001", "writtenAt": 1795800000000, "ttlMillis": 120000,
         "active": 3, "batches": 10, "records": 1000, "applied": 990, "stale": 5, "evicted": 2,
         "malformed": {"bad_base64": 3, "not_json": 2}, "millisBehindLatest": 250, "pid": 4242}
write("shard_stats", "stats", json.dumps(stats, separators=(",", ":")))
write("shard_stats", "null-behind", json.dumps(dict(stats, millisBehindLatest=None, malformed={})))
# With the dashboard's fields and the cluster's partition count, as a processor publishes them.
notes = dict(stats, startedAt=1795700000000, lastBatchAt=None,
             ended={"reason": "leaseLost", "at": 1795800000000},
             warmStart={"at": 1795700000000, "own": 5, "parents": 2, "parentsUnknown": "no lease table"},
             fixer={"action": "cut", "detail": "backlog 2 h", "at": None},
             redis={"connected": False, "outages": 2, "downSince": 1795790000000, "lastDownAt": 1795790000000,
                    "lastUpAt": None},
             redisPartitions=256)
write("shard_stats", "notes", json.dumps(notes, separators=(",", ":")))

# Redis replies: each RESP type, and the two replies we interpret.
write("redis_reply", "status", "+OK\r\n")
write("redis_reply", "integer", ":1795800000000\r\n")
write("redis_reply", "error", "-ERR wrong number of arguments\r\n")
write("redis_reply", "nil", "$-1\r\n*-1\r\n")
write("redis_reply", "zrange", "*4\r\n$5\r\nalice\r\n$13\r\n1795800000000\r\n$36\r\n%s\r\n$16\r\n1.7958e+12\r\n" % guid)
st = json.dumps(stats, separators=(",", ":"))
write("redis_reply", "hgetall", "*2\r\n$20\r\nshardId-000000000001\r\n$%d\r\n%s\r\n" % (len(st), st))
write("redis_reply", "pipeline", ":1\r\n:0\r\n*2\r\n:1\r\n+QUEUED\r\n")
# A Redis Cluster: CLUSTER SLOTS (two masters, a replica, a node that does not know its address),
# then the replies to a pipeline with a MOVED and an ASK (ASKING's +OK, then the reply), then the
# map read again after the MOVED.
def bulk(text):
    return "$%d\r\n%s\r\n" % (len(text), text)
def node(host, port, node_id):
    return "*3\r\n" + bulk(host) + ":%d\r\n" % port + bulk(node_id)
cluster_slots = ("*2\r\n*4\r\n:0\r\n:8191\r\n" + node("127.0.0.1", 7000, "a" * 40) + node("127.0.0.1", 7002, "c" * 40) +
                 "*3\r\n:8192\r\n:16383\r\n" + node("", 7001, "b" * 40))
write("redis_reply", "cluster", cluster_slots + "-MOVED 12539 127.0.0.1:7001\r\n:3\r\n:0\r\n:5\r\n"
      "-ASK 3300 [::1]:7003\r\n*0\r\n:1\r\n+OK\r\n:2\r\n" + cluster_slots)
write("redis_reply", "cluster-down", cluster_slots + "-CLUSTERDOWN The cluster is down\r\n")

# DynamoDB and Kinesis answers.
def lease(key, checkpoint, counter="7", owner="worker-1", **extra):
    item = {"leaseKey": {"S": key}, "leaseCounter": {"N": counter}, "checkpoint": {"S": checkpoint},
            "checkpointSubSequenceNumber": {"N": "0"}, "ownerSwitchesSinceCheckpoint": {"N": "1"},
            "parentShardId": {"SS": ["shardId-000000000000"]}, "throughputKBps": {"N": "12.5"},
            "pendingCheckpointState": {"B": "AAEC/w=="}}
    if owner:
        item["leaseOwner"] = {"S": owner}
    item.update(extra)
    return item
rows = [lease("shardId-000000000001", "TRIM_HORIZON"), lease("shardId-000000000002", "LATEST", owner=None),
        lease("shardId-000000000003", "49650000000000000000000000000000000000000000000000000042", "12"),
        lease("shardId-000000000000", "SHARD_END", childShardIds={"SS": ["shardId-000000000001"]}),
        lease("shardId-000000000004", "TRIM_HORIZON", entityType={"S": "LEASE"}),
        {"leaseKey": {"S": "Migration3.0"}, "entityType": {"S": "CLIENT_VERSION_MIGRATION"}, "cv": {"S": "CLIENT_VERSION_3X"}}]
scan = json.dumps({"Items": rows, "Count": len(rows), "ScannedCount": len(rows)})
write("aws_responses", "scan", parts("scan", "200\n" + scan))
write("aws_responses", "getitem", parts("getitem", "200\n" + json.dumps({"Item": rows[0]})))
write("aws_responses", "update", parts("update", "200\n" + json.dumps({"Attributes": rows[1]})))
write("aws_responses", "condition-failed", parts("update", "400\n" + json.dumps(
    {"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
     "message": "The conditional request failed", "Item": rows[0]})))
write("aws_responses", "throttled", parts("getitem", "400\n" + json.dumps(
    {"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException", "message": "Rate exceeded"})))
write("aws_responses", "server-error", parts("scan", "503\n<html>Service Unavailable</html>"))
records = {"Records": [{"SequenceNumber": "49590338271490256608559692538361571095921575989136588898",
                        "ApproximateArrivalTimestamp": 1.795800000123E9, "Data": base64.b64encode(json.dumps({"userId": guid}).encode()).decode(),
                        "PartitionKey": "pk"},
                       {"SequenceNumber": "49590338271490256608559692538361571095921575989136588899",
                        "ApproximateArrivalTimestamp": 1795800001, "Data": "", "PartitionKey": "pk", "EncryptionType": "NONE"}],
           "MillisBehindLatest": 3600000, "NextShardIterator": "AAAA"}
write("aws_responses", "getrecords", parts("getrecords", "200\n" + json.dumps(records)))
write("aws_responses", "shard-end", parts("getrecords", "200\n" + json.dumps(
    {"Records": [], "MillisBehindLatest": 0, "ChildShards": [{"ShardId": "shardId-000000000005", "ParentShards": ["shardId-000000000001"]}]})))
write("aws_responses", "listshards", parts("listshards", "200\n" + json.dumps({"Shards": [
    {"ShardId": "shardId-000000000000", "HashKeyRange": {"StartingHashKey": "0", "EndingHashKey": "340282366920938463463374607431768211455"},
     "SequenceNumberRange": {"StartingSequenceNumber": "4959", "EndingSequenceNumber": "4960"}},
    {"ShardId": "shardId-000000000001", "ParentShardId": "shardId-000000000000", "HashKeyRange": {"StartingHashKey": "0", "EndingHashKey": "1"},
     "SequenceNumberRange": {"StartingSequenceNumber": "4961"}}]})))
write("aws_responses", "putrecords", parts("putrecords", "200\n" + json.dumps({"FailedRecordCount": 1, "Records": [
    {"SequenceNumber": "1", "ShardId": "shardId-000000000000"}, {"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "slow down"}]})))
write("aws_responses", "fixleases", parts("fixleases", "200\n" + scan, "200\n" + json.dumps({"ShardIterator": "AAAA"}),
      "200\n" + json.dumps(records), "200\n" + json.dumps({"ShardIterator": "BBBB"}), "200\n" + json.dumps(dict(records, MillisBehindLatest=10))))

# Profile files, credential documents, times.
write("ini_profile", "profiles", parts("[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret ; comment\n"
      "[dev]\naws_access_key_id=AKIDDEV\naws_session_token = one\n  two\n",
      "[default]\nregion = us-east-1\n[profile dev]\nregion = eu-west-1\nservices = local\n"
      "endpoint_url = http://localhost:4566\n[services local]\ndynamodb =\n  endpoint_url = http://127.0.0.1:4567\n"
      "kinesis =\n  endpoint_url = http://127.0.0.1:4568\n# comment\n[sso-session x]\nsso_region = us-east-1\n"))
write("ini_profile", "ignore-endpoints", parts("", "[default]\nregion = cn-north-1\nignore_configured_endpoint_urls = true\nendpoint_url = localhost:1\n"))
write("credentials", "container", parts("json", json.dumps({"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY",
      "Token": "IQoJb3JpZ2luX2VjEXAMPLETOKEN", "Expiration": "2026-11-28T04:27:00Z"})))
write("credentials", "imds", parts("json", json.dumps({"Code": "Success", "LastUpdated": "2026-11-27T22:00:00Z", "Type": "AWS-HMAC",
      "AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY", "Token": "IQoJb3JpZ2luX2VjEXAMPLETOKEN",
      "Expiration": "2026-11-28T04:27:00.000+00:00"})))
write("credentials", "imds-error", parts("json", json.dumps({"Code": "AssumeRoleUnauthorizedAccess", "Message": "no role"})))
write("credentials", "sts", parts("xml", "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
      "<AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>wJalrXUtnFEMI&amp;K7MDENG</SecretAccessKey>"
      "<SessionToken>IQoJb3JpZ2luX2VjEXAMPLETOKEN</SessionToken><Expiration>2026-11-28T04:27:00Z</Expiration>"
      "</Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>"))
write("credentials", "sts-error", parts("xml", "<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>expired</Message></Error></ErrorResponse>"))
for i, t in enumerate(["2026-11-27T22:27:00Z", "2026-11-27T22:27:00.123+01:00", "2026-11-27 22:27:00,5-0530",
                       "1970-01-01T00:00:00z", "2024-02-29T23:59:60Z", "0000-01-01T00:00:00.999999Z"]):
    write("iso8601", "%02d" % i, t)

# URLs, endpoints and SigV4 requests.
for i, u in enumerate(["http://localhost:4567", "https://dynamodb.us-east-1.amazonaws.com/", "HTTP://[::1]:8000/a/b?x=1&y=2#frag",
                       "localhost:4566", "redis://127.0.0.1:6379", "rediss://user:p%40ss%2Fw0rd@cache.example.com:6380/2",
                       "redis://:secret@[::1]/0", "redis://secretonly@host",
                       "redis+cluster://127.0.0.1:7000,127.0.0.1:7001,[::1]",
                       "rediss+cluster://user:p%2Css@cache-1:6380,cache-2/0"]):
    write("url", "%02d" % i, u)
write("sigv4", "dynamodb", "POST\nhttps://dynamodb.us-east-1.amazonaws.com/\nContent-Type: application/x-amz-json-1.0\n"
      "X-Amz-Target: DynamoDB_20120810.Scan\n\n{\"TableName\":\"leases\"}")
write("sigv4", "get-query", "GET\nhttp://example.amazonaws.com/a/./b/../c%20d/?Param2=value2&Param1=value%201&Param1=a\n"
      "My-Header1:    value1   with   spaces\nmy-header1: value2\nUser-Agent: skipped\n\n")
