package io.castai.events;

import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.support.ClosedPort;
import io.castai.events.support.HttpStandIn;
import io.castai.events.support.JarProcess;
import io.castai.events.support.RunningService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped artefact: {@code java -jar target/castai-events.jar} from the repository root,
 * configured only by environment variables, as README and the Dockerfile run it.
 */
class PackagedJarIT {
    private static final String TOKEN = "T000/B000/JARTOKEN123";

    @Test
    void theJarServesDeliversAndStopsCleanly() throws Exception {
        try (HttpStandIn slack = HttpStandIn.slack()) {
            JarProcess jar = JarProcess.start(Map.of(
                    "SLACK_WEBHOOK_URL", slack.url("/services/" + TOKEN),
                    "INTAKE_MAX_BODY_BYTES", "30000",
                    // a near miss, read by nothing: named at start-up
                    "DELIVERY_CONCURENCY", "3",
                    "DATA_DIR", java.nio.file.Files.createTempDirectory("jar-it").toString()));
            try (jar) {
                assertThat(jar.postEvent(RunningService.fixture("events/node-added.json")).statusCode()).isEqualTo(200);
                assertThat(new ObjectMapper().readTree(slack.awaitRequests(1).get(0).body()).get("text").asText())
                        .isEqualTo(":kubernetes: CAST AI: New spot node: c6a.xlarge");
                // INTAKE_MAX_BODY_BYTES, an environment variable, overrides intake.max-body-bytes
                assertThat(jar.postEvent("{\"eventType\":\"a\",\"pad\":\"" + "x".repeat(40_000) + "\"}").statusCode())
                        .isEqualTo(413);
                // a line break in a field would otherwise start a forged log line (node.removed: logged)
                assertThat(jar.postEvent("{\"eventType\":\"node.removed\",\"data\":{\"nodeName\":\"n-1\\n"
                        + "2026-11-27T13:55:00.000Z ERROR [main] FORGED\\r\\nFORGED-TOO\"}}").statusCode()).isEqualTo(200);
                awaitLogLine(jar, "Node removed: n-1");
                // nor may an escape sequence a terminal obeys, NUL, NEL or a Unicode line separator; and a
                // huge field is not a huge line
                assertThat(jar.postEvent("{\"eventType\":\"node.removed\",\"data\":{\"nodeName\":\"n-2\\u001b[31mRED"
                        + "\\u0000NUL\\u0085NEL\\u2028LS\\u2029PS " + "y".repeat(20_000) + "\"}}").statusCode()).isEqualTo(200);
                awaitLogLine(jar, "Node removed: n-2");
                assertThat(jar.stop()).as("stops on SIGTERM").isTrue();
            }
            assertThat(jar.log())
                    .contains("Channel slack (slack) is on")
                    .contains("Channel pagerduty (pagerduty) is off: routingKey is empty")
                    .contains("Intake is unauthenticated")
                    .contains("New spot node: c6a.xlarge")
                    .contains("shutdown")
                    .doesNotContain("JARTOKEN123");
            assertThat(jar.log().lines()).noneMatch(line -> line.startsWith("2026-11-27T13:55:00.000Z") || line.startsWith("FORGED"));
            // and nothing else of this machine's environment is taken for one
            assertThat(jar.log().lines().filter(line -> line.contains("is not one this service reads"))).singleElement()
                    .satisfies(line -> assertThat(line).endsWith("Setting DELIVERY_CONCURENCY (the environment) is not one "
                            + "this service reads, so it changes nothing: did you mean DELIVERY_CONCURRENCY?"));
            String cleaned = jar.log().lines().filter(line -> line.contains("Node removed: n-2")).findFirst().orElseThrow();
            assertThat(cleaned).contains("n-2?[31mRED?NUL | NEL | LS | PS yyy").doesNotContain("\u001b").doesNotContain("\u0000")
                    .hasSizeLessThan(10_200);
            assertThat(jar.log().lines()).noneMatch(line -> line.startsWith("LS") || line.startsWith("PS") || line.startsWith("NEL"));
        }
    }

    @Test
    void aConfigurationMistakeStopsTheJarWithOneLineNamingIt() throws Exception {
        // Camel reads an unreadable duration as zero: a zero dedup window would have turned deduplication off
        JarProcess.Ended ended = JarProcess.runUntilItExits(Map.of(
                "DEDUP_WINDOW", "PT5M",
                "DATA_DIR", java.nio.file.Files.createTempDirectory("jar-it").toString()));
        assertStoppedWithOneLine(ended, "DEDUP_WINDOW (dedup.window): "
                + "'PT5M' is not a duration; write it like 24h, 5m, 30s, 500ms or 1h30m");
    }

    @Test
    void aCamelSettingCamelDoesNotHaveStopsTheJarWithOneLineNamingIt(@TempDir java.nio.file.Path data) {
        // CAMEL_MAIN_SHUTDOWN_TIMEOUT misspelt: Camel's own words and a stack trace named no variable
        JarProcess.Ended ended = JarProcess.runUntilItExits(Map.of("CAMEL_MAIN_SHUTDOWN_TIMOUT", "10", "DATA_DIR", data.toString()));
        assertStoppedWithOneLine(ended, "CAMEL_MAIN_SHUTDOWN_TIMOUT (camel.main.shutdown.timout): Camel has no such "
                + "option; check its spelling against README's table or Camel's options");
        // a one-word name, and a value Camel cannot convert, are said as Camel's other words for them
        assertStoppedWithOneLine(JarProcess.runUntilItExits(Map.of("CAMEL_MAIN_SHUTDOWNTIMOUT", "10", "DATA_DIR", data.toString())),
                "CAMEL_MAIN_SHUTDOWNTIMOUT (camel.main.shutdowntimout): Camel has no such option");
        assertStoppedWithOneLine(JarProcess.runUntilItExits(Map.of("CAMEL_MAIN_JMX_ENABLED", "maybe", "DATA_DIR", data.toString())),
                "CAMEL_MAIN_JMX_ENABLED (camel.main.jmxEnabled): Camel cannot take its value as a boolean");
        // the variable of the group the option is missing from, not a valid one of another
        assertStoppedWithOneLine(JarProcess.runUntilItExits(Map.of("CAMEL_MAIN_ROUTES_RELOAD_ENABLED", "false",
                        "CAMEL_SERVER_ROUTES_RELOAD_ENABLED", "true", "DATA_DIR", data.toString())),
                "CAMEL_SERVER_ROUTES_RELOAD_ENABLED (camel.server.routes.reload.enabled): Camel has no such option");
    }

    @Test
    void aWordForANumberStopsTheJarWithOneLineSayingSo(@TempDir java.nio.file.Path data) {
        JarProcess.Ended ended = JarProcess.runUntilItExits(Map.of("DELIVERY_MAX_ATTEMPTS", "lots", "DATA_DIR", data.toString()));
        assertStoppedWithOneLine(ended, "DELIVERY_MAX_ATTEMPTS (delivery.max-attempts): must be a whole number");
    }

    @Test
    void startedFromADirectoryWithoutRoutesTheJarSaysSoInOneLine(@TempDir java.nio.file.Path elsewhere) {
        JarProcess.Ended ended = JarProcess.runUntilItExits(elsewhere.toFile(), Map.of("DATA_DIR", elsewhere.resolve("data").toString()));
        assertStoppedWithOneLine(ended, "no such file or directory: routes "
                + "(relative paths are read from the working directory, " + elsewhere.toAbsolutePath() + ")");
    }

    @Test
    void aPortInUseStopsTheJarInsteadOfRunningWithoutListening(@TempDir java.nio.file.Path data) throws Exception {
        // another process on the port: the HTTP server only logged it, and the service ran deaf
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            JarProcess.Ended ended = JarProcess.runUntilItExits(Map.of(
                    "SERVER_PORT", String.valueOf(taken.getLocalPort()), "DATA_DIR", data.toString()));
            assertThat(ended.exitCode()).as(ended.output()).isEqualTo(1);
            assertThat(ended.output())
                    .contains("ERROR [main] io.castai.events.App - Not started: SERVER_PORT (server.port) / SERVER_HOST (server.host): the HTTP server "
                            + "could not listen on 0.0.0.0:" + taken.getLocalPort())
                    .as("stopped before any route started").doesNotContain("Started intake");
        }
    }

    @Test
    void aDataDirectoryAnotherProcessOwnsStopsTheJarNamingDataDir(@TempDir java.nio.file.Path data) {
        // this JVM holds the directory's lock, as a second pod on the same volume would
        try (io.castai.events.outbox.Store owner = io.castai.events.outbox.Store.sqlite(data);
             ClosedPort closed = new ClosedPort()) {
            owner.own();
            // with a channel on, as in production: its queue's consumer is stopped unstarted
            JarProcess.Ended ended = JarProcess.runUntilItExits(Map.of("DATA_DIR", data.toString(),
                    "SLACK_WEBHOOK_URL", "http://127.0.0.1:" + closed.port() + "/hook"));
            // raised while a route starts: Camel's own stack trace of it (~130 lines) is left out
            assertStoppedWithOneLine(ended, "DATA_DIR (data.dir): the data directory " + data
                    + " is in use by another castai-events process");
            assertThat(ended.output()).as("stopped before the intake started").doesNotContain("Started intake");
        }
    }

    @Test
    void aDamagedOutboxFileStopsTheJarWithOneLineGivingSqlitesReason(@TempDir java.nio.file.Path data) throws Exception {
        io.castai.events.outbox.Outbox made = new io.castai.events.outbox.Outbox(io.castai.events.outbox.Store.sqlite(data),
                java.time.Clock.systemUTC(), java.time.Duration.ofMinutes(2), java.time.Duration.ofHours(24));
        made.start();
        made.stop();
        // every page after the first two (the header and the schema) overwritten, as a bad disk would
        java.nio.file.Path file = data.resolve("castai-events.db");
        byte[] bytes = java.nio.file.Files.readAllBytes(file);
        byte[] noise = new byte[bytes.length - 8192];
        new java.util.Random(7).nextBytes(noise);
        System.arraycopy(noise, 0, bytes, 8192, noise.length);
        java.nio.file.Files.write(file, bytes);

        JarProcess.Ended ended = JarProcess.runUntilItExits(Map.of("DATA_DIR", data.toString()));
        // it said "cannot read recent event ids", and SQLite's reason came ~280 lines of trace later
        assertStoppedWithOneLine(ended, "the outbox cannot be used: ");
        assertThat(ended.output()).contains("[SQLITE_CORRUPT] The database disk image is malformed");
    }

    @Test
    void aDatabaseThatCannotBeReachedStopsTheJarWithOneLineNamingIt(@TempDir java.nio.file.Path data) {
        try (ClosedPort closed = new ClosedPort()) {
            JarProcess.Ended ended = JarProcess.runUntilItExits(Map.of("DATA_DIR", data.toString(),
                    "CASTAI_STORE_URL", "jdbc:postgresql://127.0.0.1:" + closed.port() + "/db",
                    "CASTAI_STORE_CONNECT_TIMEOUT", "1s", "PAGERDUTY_ROUTING_KEY", "0123456789abcdef0123456789abcdef"));
            assertStoppedWithOneLine(ended, "CASTAI_STORE_URL (castai.store.url): the database cannot be reached "
                    + "(Connection refused); start-up stops (Kubernetes restarts the pod)");
        }
    }

    @Test
    void aSecretCamelCannotReadStopsTheJarNamingItWithoutPrintingIt(@TempDir java.nio.file.Path data) {
        // Camel takes {{...}} for a placeholder: its error quoted the value, without the variable's name
        assertASecretHoldingAPlaceholderStopsTheJar(data, "WEBHOOK_TOKEN", "WebTok{{BRACE}}5ECRET42", "5ECRET42");
    }

    @Test
    void aWebhookUrlCamelCannotReadStopsTheJarRatherThanSwitchingTheChannelOff(@TempDir java.nio.file.Path data) {
        // read through Camel's properties, it came out empty: "Channel slack (slack) is off: webhookUrl is empty"
        assertASecretHoldingAPlaceholderStopsTheJar(data, "SLACK_WEBHOOK_URL",
                "https://hooks.slack.com/services/T1/B1/{{x}}Sl4ckT0ken", "Sl4ckT0ken");
    }

    @Test
    void aChannelsFilePlaceholderWrittenAsAPropertyIsReadFromTheEnvironmentAsWritten(@TempDir java.nio.file.Path data)
            throws Exception {
        // ${hook.token} was asked of Camel, which took the {{ in HOOK_TOKEN for a placeholder: "${hook.token} is not set"
        try (HttpStandIn hook = new HttpStandIn(204, "")) {
            java.nio.file.Path channels = java.nio.file.Files.writeString(data.resolve("channels.yaml"), """
                    channels:
                      - {name: hook, type: webhook, url: "%s", headers: {X-Token: "${hook.token}"}}
                    rules:
                      - {name: all, eventTypes: ["*"], channels: [hook]}
                    default: [log]
                    """.formatted(hook.url("/hook")));
            try (JarProcess jar = JarProcess.start(Map.of("CHANNELS_FILE", channels.toString(),
                    "HOOK_TOKEN", "t0k{{x}}en", "DATA_DIR", data.resolve("data").toString()))) {
                assertThat(jar.postEvent("{\"eventType\":\"node.added\"}").statusCode()).isEqualTo(200);
                assertThat(hook.awaitRequests(1).get(0).header("X-Token")).isEqualTo("t0k{{x}}en");
            }
        }
    }

    private static void assertASecretHoldingAPlaceholderStopsTheJar(java.nio.file.Path data, String variable, String value,
                                                                     String secretPart) {
        JarProcess.Ended ended = JarProcess.runUntilItExits(Map.of(variable, value, "DATA_DIR", data.toString()));
        assertStoppedWithOneLine(ended, variable + " holds {{, which Camel reads as the start of a placeholder "
                + "of another setting: give it in " + variable + "_FILE, which is read as written");
        assertThat(ended.output()).doesNotContain(secretPart);
    }

    @Test
    void whatTheDatabaseDriverLogsGoesThroughTheMaskingLog(@TempDir java.nio.file.Path data) throws Exception {
        // the PostgreSQL driver logs a URL it finds odd, password and all, through java.util.logging
        try (ClosedPort closed = new ClosedPort()) {
            JarProcess.Ended ended = JarProcess.runUntilItExits(Map.of("DATA_DIR", data.toString(),
                    "CASTAI_STORE_URL", "jdbc:postgresql://127.0.0.1:" + closed.port() + "/db/x?password=PgPwQuery5ECRET11",
                    "CASTAI_STORE_CONNECT_TIMEOUT", "1s"));
            assertThat(ended.exitCode()).as(ended.output()).isEqualTo(1);
            assertThat(ended.output()).contains("JDBC URL contains too many / characters").doesNotContain("PgPwQuery5ECRET11");
        }
    }

    /** Exit code 1 and the one ERROR line saying why, no stack trace. */
    private static void assertStoppedWithOneLine(JarProcess.Ended ended, String why) {
        assertThat(ended.exitCode()).as(ended.output()).isEqualTo(1);
        assertThat(ended.output()).contains("ERROR [main] io.castai.events.App - Not started: " + why);
        assertThat(ended.output()).as("no stack trace").doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(ended.output()).as("the exit is the service's own").doesNotContain("triggered by SIGTERM");
    }

    private static void awaitLogLine(JarProcess jar, String fragment) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> jar.log().contains(fragment));
    }
}
