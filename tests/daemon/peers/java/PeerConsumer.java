// A minimal Java KCL 3.x consumer: a TEST FIXTURE for the peers test (tests/daemon/peers/), not a product.
// It is the kind of application our users run: it never checkpoints while processing, only at shard end
// (required, or the children never start) and when asked to shut down gracefully. Every lifecycle call is
// recorded in the format of `active-users --record-transcript` (docs/transcripts.md), so the end-to-end
// checks (tests/daemon/e2e.mjs transcripts / delivered / lost / first-after) read it unchanged.
//
//   java -Daws.cborEnabled=false -cp CLASSES:JARS/* PeerConsumer --stream S --app A --region R
//        --kinesis-endpoint URL --dynamodb-endpoint URL --transcripts DIR [--worker-id ID]
//        [--failover-ms 3000] [--shard-sync-ms 1000] [--parent-poll-ms 1000] [--idle-ms 1500]
//        [--max-records 10000] [--shutdown-grace-ms 20000]
//
// (run.sh next to this file builds and starts it.) The lease table is the application name. Credentials: the
// SDK's default chain (the tests export fake AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY). Metrics are off, so no
// CloudWatch call is ever made. SIGTERM/SIGINT: graceful shutdown (shutdownRequested to every processor, which
// checkpoints), bounded by --shutdown-grace-ms; exit 0 when it completed, 1 when it did not in time.
// Logs: one line per lifecycle call on stderr, plus the KCL's warnings (logback.xml next to this file).

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.kinesis.common.ConfigsBuilder;
import software.amazon.kinesis.common.InitialPositionInStream;
import software.amazon.kinesis.common.InitialPositionInStreamExtended;
import software.amazon.kinesis.common.KinesisClientUtil;
import software.amazon.kinesis.coordinator.Scheduler;
import software.amazon.kinesis.lifecycle.events.InitializationInput;
import software.amazon.kinesis.lifecycle.events.LeaseLostInput;
import software.amazon.kinesis.lifecycle.events.ProcessRecordsInput;
import software.amazon.kinesis.lifecycle.events.ShardEndedInput;
import software.amazon.kinesis.lifecycle.events.ShutdownRequestedInput;
import software.amazon.kinesis.metrics.MetricsLevel;
import software.amazon.kinesis.processor.RecordProcessorCheckpointer;
import software.amazon.kinesis.processor.ShardRecordProcessor;
import software.amazon.kinesis.processor.SingleStreamTracker;
import software.amazon.kinesis.retrieval.KinesisClientRecord;
import software.amazon.kinesis.retrieval.kpl.ExtendedSequenceNumber;
import software.amazon.kinesis.retrieval.polling.PollingConfig;

public final class PeerConsumer {
    static final ObjectMapper JSON = new ObjectMapper();

    static void log(String line) {
        System.err.println(Instant.now() + " peer-java: " + line);
    }

    // ------------------------------------------------------------------------------------------- settings
    static final class Settings {
        String stream, app, region, kinesisEndpoint, dynamoEndpoint, transcripts, workerId;
        long failoverMs = 3000, shardSyncMs = 1000, parentPollMs = 1000, idleMs = 1500, graceMs = 20000;
        int maxRecords = 10000;

        static Settings parse(String[] args) {
            Map<String, String> kv = new HashMap<>();
            for (int i = 0; i < args.length; i++) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) usage("bad argument " + args[i]);
                kv.put(args[i].substring(2), args[++i]);
            }
            Settings s = new Settings();
            s.stream = required(kv, "stream");
            s.app = required(kv, "app");
            s.region = required(kv, "region");
            s.kinesisEndpoint = required(kv, "kinesis-endpoint");
            s.dynamoEndpoint = required(kv, "dynamodb-endpoint");
            s.transcripts = required(kv, "transcripts");
            s.workerId = kv.containsKey("worker-id") ? kv.remove("worker-id") : hostName();
            s.failoverMs = number(kv, "failover-ms", s.failoverMs);
            s.shardSyncMs = number(kv, "shard-sync-ms", s.shardSyncMs);
            s.parentPollMs = number(kv, "parent-poll-ms", s.parentPollMs);
            s.idleMs = number(kv, "idle-ms", s.idleMs);
            s.graceMs = number(kv, "shutdown-grace-ms", s.graceMs);
            s.maxRecords = (int) number(kv, "max-records", s.maxRecords);
            if (!kv.isEmpty()) usage("unknown flag(s) " + kv.keySet());
            return s;
        }

        static String required(Map<String, String> kv, String key) {
            String v = kv.remove(key);
            if (v == null || v.isEmpty()) usage("--" + key + " is required");
            return v;
        }

        static long number(Map<String, String> kv, String key, long dflt) {
            String v = kv.remove(key);
            if (v == null) return dflt;
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                usage("--" + key + " must be a number, not " + v);
                return dflt;
            }
        }

        static String hostName() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                String h = System.getenv("HOSTNAME");
                return h != null && !h.isEmpty() ? h : "peer-java";
            }
        }

        static void usage(String why) {
            System.err.println("PeerConsumer: " + why + "\nusage: PeerConsumer --stream S --app A --region R"
                    + " --kinesis-endpoint URL --dynamodb-endpoint URL --transcripts DIR [--worker-id ID]"
                    + " [--failover-ms N] [--shard-sync-ms N] [--parent-poll-ms N] [--idle-ms N]"
                    + " [--max-records N] [--shutdown-grace-ms N]");
            System.exit(2);
        }
    }

    // ----------------------------------------------------------------------------------------- transcript
    // One file per record processor: DIR/transcript-<ISO start time, ':' as '-'>-<number>.jsonl, each line
    // {"t": epoch ms, "dir": "in"|"out"|"eof", "line": "<MultiLangDaemon protocol message>"}. The number is
    // the JVM's pid x 1000 + the processor's index in this JVM (unique in DIR across restarts).
    static final class Transcript {
        static final AtomicInteger COUNTER = new AtomicInteger();
        static final DateTimeFormatter STAMP =
                DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss.SSS'Z'").withZone(ZoneOffset.UTC);
        private OutputStream out;

        Transcript(String dir) {
            try {
                Files.createDirectories(Paths.get(dir));
                long base = ProcessHandle.current().pid() * 1000L;
                String stamp = STAMP.format(Instant.now());
                while (out == null) {
                    long n = base + COUNTER.incrementAndGet() % 1000;
                    Path p = Paths.get(dir, "transcript-" + stamp + "-" + n + ".jsonl");
                    try {
                        out = Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    } catch (FileAlreadyExistsException e) {
                        // taken: try the next number
                    }
                }
            } catch (IOException e) {
                log("cannot create a transcript in " + dir + ": " + e);  // processing goes on without it
            }
        }

        synchronized void write(String dir, ObjectNode message) {
            if (out == null) return;
            ObjectNode entry = JSON.createObjectNode();
            entry.put("t", System.currentTimeMillis());
            entry.put("dir", dir);
            try {
                if (message != null) entry.put("line", JSON.writeValueAsString(message));
                out.write((JSON.writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                log("transcript write failed: " + e);
            }
        }

        synchronized void close() {
            if (out == null) return;
            try {
                out.close();
            } catch (IOException e) {
                log("transcript close failed: " + e);
            }
            out = null;
        }
    }

    static ObjectNode action(String name) {
        ObjectNode m = JSON.createObjectNode();
        m.put("action", name);
        return m;
    }

    // ------------------------------------------------------------------------------------------ processor
    static final class Processor implements ShardRecordProcessor {
        private final String dir;
        private Transcript transcript;
        private String shardId = "?";
        private long records;

        Processor(String dir) {
            this.dir = dir;
        }

        @Override
        public void initialize(InitializationInput input) {
            transcript = new Transcript(dir);
            shardId = input.shardId();
            ExtendedSequenceNumber esn = input.extendedSequenceNumber();
            ObjectNode m = action("initialize");
            m.put("shardId", shardId);
            if (esn == null) {
                m.putNull("sequenceNumber");
                m.putNull("subSequenceNumber");
            } else {
                m.put("sequenceNumber", esn.sequenceNumber());
                m.put("subSequenceNumber", esn.subSequenceNumber());
            }
            transcript.write("in", m);
            status("initialize");
            log("initialize: shard " + shardId + " at " + (esn == null ? "null" : esn.sequenceNumber()));
        }

        @Override
        public void processRecords(ProcessRecordsInput input) {
            ObjectNode m = action("processRecords");
            ArrayNode list = m.putArray("records");
            for (KinesisClientRecord r : input.records()) {
                ObjectNode j = list.addObject();
                j.put("action", "record");
                ByteBuffer data = r.data().duplicate();
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                j.put("data", Base64.getEncoder().encodeToString(bytes));
                j.put("partitionKey", r.partitionKey());
                j.put("sequenceNumber", r.sequenceNumber());
                j.put("subSequenceNumber", r.subSequenceNumber());
                if (r.approximateArrivalTimestamp() == null) j.putNull("approximateArrivalTimestamp");
                else j.put("approximateArrivalTimestamp", r.approximateArrivalTimestamp().toEpochMilli());
            }
            if (input.millisBehindLatest() == null) m.putNull("millisBehindLatest");
            else m.put("millisBehindLatest", input.millisBehindLatest());
            transcript.write("in", m);
            status("processRecords");
            records += input.records().size();  // never checkpoints here: the consumers the story is about
        }

        @Override
        public void leaseLost(LeaseLostInput input) {
            transcript.write("in", action("leaseLost"));
            status("leaseLost");
            end();
            log("leaseLost: shard " + shardId + " (" + records + " records)");
        }

        @Override
        public void shardEnded(ShardEndedInput input) {
            transcript.write("in", action("shardEnded"));
            String error = checkpoint(input.checkpointer());  // SHARD_END: required for the children to start
            status("shardEnded");
            end();
            log("shardEnded: shard " + shardId + " (" + records + " records), checkpoint "
                    + (error == null ? "SHARD_END" : "failed: " + error));
        }

        @Override
        public void shutdownRequested(ShutdownRequestedInput input) {
            transcript.write("in", action("shutdownRequested"));
            String error = checkpoint(input.checkpointer());  // the largest record delivered so far
            status("shutdownRequested");
            log("shutdownRequested: shard " + shardId + " (" + records + " records), checkpoint "
                    + (error == null ? "done" : "failed: " + error));
        }

        // checkpoint() = the MultiLangDaemon's {"action":"checkpoint","sequenceNumber":null}: recorded as the
        // request (out) and the reply (in) a multilang processor would see. Returns the error's class, or null.
        private String checkpoint(RecordProcessorCheckpointer checkpointer) {
            ObjectNode request = action("checkpoint");
            request.putNull("sequenceNumber");
            request.putNull("subSequenceNumber");
            transcript.write("out", request);
            String error = null;
            try {
                checkpointer.checkpoint();
            } catch (Exception e) {  // never take the worker down; the KCL retries shard end by itself
                error = e.getClass().getSimpleName();
                log("checkpoint of shard " + shardId + " failed: " + e);
            }
            ObjectNode reply = request.deepCopy();
            if (error == null) reply.putNull("error");
            else reply.put("error", error);
            transcript.write("in", reply);
            return error;
        }

        private void status(String responseFor) {
            ObjectNode m = action("status");
            m.put("responseFor", responseFor);
            transcript.write("out", m);
        }

        private void end() {  // the daemon closes the child's stdin after leaseLost/shardEnded
            transcript.write("eof", null);
            transcript.close();
        }
    }

    // ----------------------------------------------------------------------------------------------- main
    public static void main(String[] args) throws Exception {
        Settings s = Settings.parse(args);
        Region region = Region.of(s.region);
        DefaultCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
        // As the MultiLangDaemon does: KinesisClientUtil (Netty, HTTP/2; h2c against an http:// endpoint).
        KinesisAsyncClient kinesis = KinesisClientUtil.createKinesisAsyncClient(KinesisAsyncClient.builder()
                .region(region).credentialsProvider(credentials).endpointOverride(URI.create(s.kinesisEndpoint)));
        DynamoDbAsyncClient dynamo = DynamoDbAsyncClient.builder().region(region).credentialsProvider(credentials)
                .endpointOverride(URI.create(s.dynamoEndpoint)).build();
        // Never called (metrics NONE); pointed at a closed loopback port so that nothing could leave the host.
        CloudWatchAsyncClient cloudWatch = CloudWatchAsyncClient.builder().region(region)
                .credentialsProvider(credentials).endpointOverride(URI.create("http://127.0.0.1:9")).build();

        // New leases (first start) at LATEST; the KCL creates child shards' leases at TRIM_HORIZON regardless.
        SingleStreamTracker tracker = new SingleStreamTracker(s.stream,
                InitialPositionInStreamExtended.newInitialPosition(InitialPositionInStream.LATEST));
        ConfigsBuilder cb = new ConfigsBuilder(tracker, s.app, kinesis, dynamo, cloudWatch, s.workerId,
                () -> new Processor(s.transcripts));
        Scheduler scheduler = new Scheduler(
                cb.checkpointConfig(),
                cb.coordinatorConfig().parentShardPollIntervalMillis(s.parentPollMs),
                cb.leaseManagementConfig().failoverTimeMillis(s.failoverMs).shardSyncIntervalMillis(s.shardSyncMs),
                cb.lifecycleConfig(),
                cb.metricsConfig().metricsLevel(MetricsLevel.NONE),
                cb.processorConfig(),
                cb.retrievalConfig().retrievalSpecificConfig(
                        new PollingConfig(kinesis).maxRecords(s.maxRecords).idleTimeBetweenReadsInMillis(s.idleMs)));

        CountDownLatch stop = new CountDownLatch(1);
        // Our own handlers (not a shutdown hook): the JVM then does not exit 143 by itself, we exit 0 when done.
        sun.misc.SignalHandler onSignal = sig -> stop.countDown();
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), onSignal);
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), onSignal);

        Thread worker = new Thread(() -> {
            scheduler.run();
            stop.countDown();
        }, "scheduler");
        worker.start();
        log("started: stream " + s.stream + ", application " + s.app + ", worker " + s.workerId + ", pid "
                + ProcessHandle.current().pid());

        stop.await();
        if (!worker.isAlive() && !scheduler.hasGracefulShutdownStarted()) {
            log("the scheduler stopped by itself (see the KCL's log above)");
            System.exit(1);
        }
        long t0 = System.currentTimeMillis();
        log("signal: graceful shutdown (at most " + s.graceMs + " ms)");
        int code = 0;
        try {
            boolean done = scheduler.startGracefulShutdown().get(s.graceMs, TimeUnit.MILLISECONDS);
            log("graceful shutdown " + (done ? "completed" : "returned false") + " in "
                    + (System.currentTimeMillis() - t0) + " ms");
            if (!done) code = 1;
        } catch (TimeoutException e) {
            log("graceful shutdown did not complete within " + s.graceMs + " ms; stopping");
            scheduler.shutdown();
            code = 1;
        } catch (Exception e) {
            log("graceful shutdown failed: " + e);
            code = 1;
        }
        System.exit(code);
    }
}
