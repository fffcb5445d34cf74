package io.castai.events;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.castai.events.support.HttpStandIn;
import io.castai.events.support.JarProcess;
import io.castai.events.support.RunningService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The layout the Dockerfile builds, without Docker: /app holding the jar and what the Dockerfile's
 * COPY lines put there (routes/, templates/, channels.yaml, application.properties), and the
 * class-data archive the image's training run writes (bin/class-data-archive.sh); started from
 * /app with the image's JVM flags; a mounted application.properties overrides the bundled
 * defaults, the image's HEALTHCHECK passes, and state lands in /app/data.
 */
class ContainerLayoutIT {
    /** The Dockerfile's JAVA_TOOL_OPTIONS but for where the class-data archive is, read from the Dockerfile itself. */
    private static final String IMAGE_JVM_OPTIONS = imageJvmOptions();

    private static String imageJvmOptions() {
        try {
            Matcher flags = Pattern.compile("JAVA_TOOL_OPTIONS=\"([^\"]*)\"").matcher(Files.readString(Path.of("Dockerfile")));
            if (!flags.find()) {
                throw new IllegalStateException("the Dockerfile sets no JAVA_TOOL_OPTIONS");
            }
            return flags.group(1).replaceAll("\\s*-XX:SharedArchiveFile=\\S+", "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the JVM takes for the machine's memory in a container with a 256 MiB limit, the smallest README sizes for. */
    private static final String IN_256_MIB = " -XX:MaxRAM=256m";

    @TempDir
    Path app;

    @Test
    void theImageLayoutRunsAndHonoursMountedFiles() throws Exception {
        Files.copy(Path.of("target/castai-events.jar"), app.resolve("castai-events.jar"));
        copyAsTheDockerfileDoes();
        // a user's mounted application.properties: a smaller body limit than the bundled 1 MiB
        Files.writeString(app.resolve("application.properties"),
                Files.readString(Path.of("application.properties"))
                        .replace("intake.max-body-bytes = 1048576", "intake.max-body-bytes = 1000"));
        Path archive = writeClassDataArchive();

        try (HttpStandIn slack = HttpStandIn.slack()) {
            JarProcess jar = JarProcess.start(app.toFile(), "castai-events.jar", Map.of(
                    "SLACK_WEBHOOK_URL", slack.url("/hook"),
                    // -Xshare:on: the JVM refuses to start unless it can use the archive
                    "JAVA_TOOL_OPTIONS", IMAGE_JVM_OPTIONS + IN_256_MIB + " -XX:SharedArchiveFile=" + archive + " -Xshare:on",
                    "MALLOC_ARENA_MAX", "2"));
            try (jar) {
                assertThat(jar.get("/observe/health/live").statusCode()).isEqualTo(200);
                assertThat(jar.get("/observe/health/ready").statusCode()).as("the Deployment's readiness probe").isEqualTo(200);
                assertThat(healthCheckExitCode(jar.port())).as("the image's HEALTHCHECK").isZero();
                // the whole heap from the start: begun at 1/64 of the limit, it stayed there, and the
                // service spent minutes in full collections before it served anything
                assertThat(committedHeapBytes(jar.get("/observe/metrics").body()))
                        .as("heap committed at start, against 31 percent of 256 MiB").isGreaterThan((long) (0.9 * 0.31 * 256 * 1024 * 1024));
                assertThat(jar.postEvent(RunningService.fixture("events/node-added.json")).statusCode()).isEqualTo(200);
                slack.awaitRequests(1);
                assertThat(jar.postEvent("{\"eventType\":\"a\",\"pad\":\"" + "x".repeat(1200) + "\"}").statusCode())
                        .as("the mounted application.properties wins").isEqualTo(413);
                assertThat(jar.stop()).isTrue();
            }
            assertThat(app.resolve("data/castai-events.db")).exists();
        }
    }

    /**
     * The JVM's own reading of the image's flags in the smallest container README sizes for (256
     * MiB) and in the Kubernetes manifests' memory limit: a heap of 31 % of it, whole from the start.
     * In 256 MiB the JVM's own default maximum (126 MB) had applied: 31 % of 256 MiB was below it.
     */
    @Test
    void inTheContainersItIsSizedForTheImageHasItsWholeHeapFromTheStart() throws Exception {
        Matcher limit = Pattern.compile("limits: \\{memory: (\\d+)Mi}")
                .matcher(Files.readString(Path.of("deploy/kubernetes/deployment.yaml")));
        assertThat(limit.find()).as("the Deployment sets a memory limit").isTrue();
        for (long mebibytes : new long[] {256, Long.parseLong(limit.group(1))}) {
            ProcessBuilder flags = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:+PrintFlagsFinal", "-version").redirectErrorStream(true);
            flags.environment().put("JAVA_TOOL_OPTIONS", IMAGE_JVM_OPTIONS + " -XX:MaxRAM=" + mebibytes + "m");
            Process jvm = flags.start();
            String printed = new String(jvm.getInputStream().readAllBytes());
            assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).isTrue();

            long thirtyOnePercent = mebibytes * 1024 * 1024 * 31 / 100;
            assertThat(flag(printed, "MaxHeapSize")).as("the heap's maximum in %d MiB", mebibytes)
                    .isBetween(thirtyOnePercent - 2 * 1024 * 1024, thirtyOnePercent + 2 * 1024 * 1024);
            assertThat(flag(printed, "InitialHeapSize")).as("at the start in %d MiB", mebibytes).isEqualTo(flag(printed, "MaxHeapSize"));
        }
    }

    /**
     * Large events for a channel that fails, in the smallest container README sizes for: a burst of
     * them, then a restart with them all pending, fit in its heap, and each is delivered once when
     * the channel is back. Its queue bounded by count alone had filled the heap with them, and the
     * restart's first claim again: the process ended at once, each time it was started.
     */
    @Test
    void largeEventsPendingForAFailingChannelFitInTheHeapThroughARestart() throws Exception {
        int events = 24;
        try (HttpStandIn hook = new HttpStandIn(503, "")) {
            Map<String, String> env = imageWithChannels(hook, "hook");
            try (JarProcess jar = JarProcess.start(env)) {
                for (int i = 0; i < events; i++) {
                    assertThat(jar.postEvent(largeEvent("large-" + i, 800_000)).statusCode()).as("event %d", i).isEqualTo(200);
                }
                assertThat(jar.stop()).isTrue();
            }
            int failedBefore = hook.requests().size();
            try (JarProcess restarted = JarProcess.start(env)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> hook.requests().size() >= failedBefore + 2 * events);
                assertThat(restarted.isAlive()).as("still running, its pending deliveries tried again").isTrue();
                awaitEachDeliveredOnce(restarted, hook, events, "hook");
            }
        }
    }

    /**
     * Large events sent at once to several channels, in the smallest container README sizes for:
     * each costs its size many times over while it is parsed, rendered and stored for each
     * channel, and five 1 MiB events for four channels at once, within a budget that counted their
     * bodies alone, ended the process. Each is taken in its turn (a 503 with Retry-After to wait
     * for), and delivered to every channel once.
     */
    @Test
    void largeEventsSentTogetherToSeveralChannelsAreTakenInTurnWithinTheHeap() throws Exception {
        int events = 16;
        try (HttpStandIn hooks = new HttpStandIn(503, "")) {
            String[] channels = {"hook-a", "hook-b", "hook-c", "hook-d"};
            try (JarProcess jar = JarProcess.start(imageWithChannels(hooks, channels))) {
                ExecutorService senders = Executors.newFixedThreadPool(8);
                List<Future<Integer>> answers = new ArrayList<>();
                for (int i = 0; i < events; i++) {
                    String event = largeEvent("together-" + i, 1_000_000);
                    answers.add(senders.submit(() -> {
                        // as a sender does: a 503 is tried again after its Retry-After
                        for (int attempt = 0; attempt < 120; attempt++) {
                            int status = jar.postEvent(event).statusCode();
                            if (status != 503) {
                                return status;
                            }
                            Thread.sleep(1000);
                        }
                        return 503;
                    }));
                }
                for (Future<Integer> answer : answers) {
                    assertThat(answer.get(3, TimeUnit.MINUTES)).isEqualTo(200);
                }
                senders.shutdown();
                awaitEachDeliveredOnce(jar, hooks, events, channels);
            }
        }
    }

    /**
     * Ordinary events from many senders at once, for several channels, with the image's heap: each
     * request counts for what it costs to handle, and within a sixteenth of the heap most of 200
     * senders' 2 KB events were refused (503 "too many large requests"); within a quarter, none.
     */
    @Test
    void twoHundredSendersOfOrdinaryEventsForFourChannelsAreNotRefused() throws Exception {
        int senders = 200;
        try (HttpStandIn hooks = new HttpStandIn(200, "")) {
            try (JarProcess jar = JarProcess.start(imageWithChannels(hooks, "hook-a", "hook-b", "hook-c", "hook-d"))) {
                ExecutorService pool = Executors.newFixedThreadPool(senders);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Integer>> answers = new ArrayList<>();
                for (int i = 0; i < senders; i++) {
                    String event = largeEvent("ordinary-" + i, 2_000);
                    answers.add(pool.submit(() -> {
                        go.await();
                        return jar.postEvent(event).statusCode();
                    }));
                }
                go.countDown();
                for (Future<Integer> answer : answers) {
                    assertThat(answer.get(1, TimeUnit.MINUTES)).isEqualTo(200);
                }
                pool.shutdown();
            }
        }
    }

    /** The image's JVM options in 256 MiB, and a channels.yaml of webhooks to the stand-in, every event to each. */
    private Map<String, String> imageWithChannels(HttpStandIn hooks, String... names) throws IOException {
        StringBuilder file = new StringBuilder("channels:\n");
        for (String name : names) {
            file.append("  - {name: ").append(name).append(", type: webhook, url: \"").append(hooks.url("/" + name)).append("\"}\n");
        }
        file.append("rules:\n  - {name: all, eventTypes: [\"*\"], channels: [").append(String.join(", ", names))
                .append("]}\ndefault: [log]\n");
        Path channels = Files.writeString(app.resolve("channels.yaml"), file);
        return Map.of(
                "JAVA_TOOL_OPTIONS", IMAGE_JVM_OPTIONS + IN_256_MIB,
                "CHANNELS_FILE", channels.toString(),
                "DATA_DIR", app.resolve("data").toString(),
                "DELIVERY_MAX_BACKOFF", "1s");
    }

    /** A node.added event whose node name is this long. */
    private static String largeEvent(String id, int nodeNameLength) {
        return "{\"eventType\":\"node.added\",\"id\":\"" + id + "\",\"data\":{\"nodeName\":\"" + "n".repeat(nodeNameLength) + "\"}}";
    }

    /** The stand-in answers again: every event reaches each channel, once, and the heap was never exhausted. */
    private static void awaitEachDeliveredOnce(JarProcess jar, HttpStandIn hooks, int events, String... channels) throws Exception {
        hooks.respondByDefault(200, "");
        await().atMost(Duration.ofSeconds(90)).until(() -> jar.get("/observe/metrics").body().contains("castai_outbox_pending 0.0"));
        String metrics = jar.get("/observe/metrics").body();
        for (String channel : channels) {
            assertThat(metrics).as("each delivered once to " + channel)
                    .contains("castai_events_delivered_total{channel=\"" + channel + "\"} " + events + ".0");
        }
        assertThat(jar.isAlive()).isTrue();
        assertThat(jar.log()).doesNotContain("java.lang.OutOfMemoryError");
    }

    /** The Dockerfile's own COPY lines into /app (the jar, built in another stage, aside): a file it adds is copied here too. */
    private void copyAsTheDockerfileDoes() throws IOException {
        Matcher copy = Pattern.compile("(?m)^COPY (?!--)(\\S+) /app/(\\S+)$").matcher(Files.readString(Path.of("Dockerfile")));
        int copied = 0;
        while (copy.find()) {
            Path from = Path.of(copy.group(1));
            Path to = app.resolve(copy.group(2));
            try (Stream<Path> files = Files.walk(from)) {
                for (Path file : files.toList()) {
                    Path target = to.resolve(from.relativize(file).toString());
                    Files.createDirectories(Files.isDirectory(file) ? target : target.getParent());
                    if (!Files.isDirectory(file)) {
                        Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            copied++;
        }
        assertThat(copied).as("the Dockerfile's COPY lines into /app").isGreaterThanOrEqualTo(4);
        assertThat(app.resolve("routes")).isDirectoryContaining(file -> file.toString().endsWith(".camel.yaml"));
    }

    /** The Dockerfile's HEALTHCHECK command, run by sh as Docker runs it, against the started jar. */
    private static int healthCheckExitCode(int port) throws Exception {
        Matcher command = Pattern.compile("HEALTHCHECK [^\\n]*\\\\\\s*\\n\\s*CMD ([^\\n]+)")
                .matcher(Files.readString(Path.of("Dockerfile")));
        assertThat(command.find()).as("the Dockerfile's HEALTHCHECK CMD").isTrue();
        ProcessBuilder check = new ProcessBuilder("sh", "-c", command.group(1)).redirectErrorStream(true);
        check.environment().put("SERVER_PORT", String.valueOf(port));
        Process run = check.start();
        run.getInputStream().readAllBytes();
        assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return run.exitValue();
    }

    private static long flag(String printFlagsFinal, String name) {
        Matcher value = Pattern.compile("\\s" + name + "\\s+=\\s+(\\d+)").matcher(printFlagsFinal);
        assertThat(value.find()).as(name + " in " + printFlagsFinal).isTrue();
        return Long.parseLong(value.group(1));
    }

    /** The heap's committed bytes, summed over its pools, from the service's Prometheus text. */
    private static long committedHeapBytes(String metrics) {
        return (long) metrics.lines().filter(line -> line.startsWith("jvm_memory_committed_bytes{area=\"heap\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    /**
     * The image's training run as its Dockerfile runs it: from /app, with the image's options
     * (which name the archive to read: the script must leave that out), the jar named as it is
     * then started (here relative, as JarProcess starts it; in the image, absolute both times).
     */
    private Path writeClassDataArchive() throws Exception {
        Path archive = app.resolve("castai-events.jsa");
        ProcessBuilder training = new ProcessBuilder("sh", Path.of("bin/class-data-archive.sh").toAbsolutePath().toString(),
                "castai-events.jar", archive.toString())
                .directory(app.toFile())
                .redirectErrorStream(true)
                .redirectOutput(app.resolve("training.out").toFile());
        training.environment().put("JAVA_TOOL_OPTIONS", IMAGE_JVM_OPTIONS + " -XX:SharedArchiveFile=" + archive);
        training.environment().put("CDS_TRAINING_PORT", String.valueOf(RunningService.freePort()));
        training.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
        Process process = training.start();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("training run finished").isTrue();
        assertThat(process.exitValue()).as(Files.readString(app.resolve("training.out"))).isZero();
        assertThat(archive).isNotEmptyFile();
        return archive;
    }
}
