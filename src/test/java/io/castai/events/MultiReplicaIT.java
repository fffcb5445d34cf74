package io.castai.events;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import io.castai.events.support.CastaiApiStandIn;
import io.castai.events.support.HttpStandIn;
import io.castai.events.support.JarProcess;
import io.castai.events.support.Postgres;
import io.castai.events.support.TcpProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two replicas of the packaged jar, each with its own port and data directory, sharing one
 * PostgreSQL database (through a relay the test can cut): one notification per event, the pollers
 * on one replica, takeover after {@code kill -9}, work of a dead replica delivered by the other,
 * and a clear 503 while the database is away.
 */
class MultiReplicaIT {
    private static final String CLUSTER = "4d2f1b3e-7c1a-4e59-9a3b-2f6c8d0e1a77";
    private static final Duration TAKEOVER = Duration.ofSeconds(6);
    /** Every event to Slack, each message just the event id: what arrived is easy to count. */
    private static final String CHANNELS = """
            channels:
              - {name: slack, type: slack, webhookUrl: "${SLACK_WEBHOOK_URL}", template: id.ftl}
            default: [log, slack]
            """;

    private Postgres database;
    private TcpProxy relay;
    private HttpStandIn slack;
    private CastaiApiStandIn castai;
    private Path config;

    @BeforeEach
    void setUp() throws Exception {
        database = Postgres.freshDatabase();
        relay = new TcpProxy(5432);
        slack = HttpStandIn.slack();
        castai = new CastaiApiStandIn("castai-key");
        config = Files.createTempDirectory("replicas");
        Path templates = Files.createDirectories(config.resolve("templates"));
        Files.copy(Path.of("templates/log.ftl"), templates.resolve("log.ftl"));
        Files.writeString(templates.resolve("id.ftl"), "${event.id}\n");
        Files.writeString(config.resolve("channels.yaml"), CHANNELS);
    }

    @AfterEach
    void tearDown() {
        if (database == null) {
            return; // no PostgreSQL here: the test was skipped before anything started
        }
        slack.close();
        castai.close();
        relay.close();
        database.close();
    }

    @Test
    void oneNotificationPerEventAndThePollersOnOneReplicaWithTakeoverAfterKill() throws Exception {
        castai.addAuditEntry("before-kill", "cluster.updated", Instant.now().minusSeconds(5));
        try (JarProcess a = replica("a"); JarProcess b = replica("b")) {
            // the same webhook reaching both replicas at once (CAST AI retrying onto another pod)
            String event = "{\"id\": \"same-event\", \"eventType\": \"node.added\", \"clusterId\": \"" + CLUSTER + "\"}";
            CompletableFuture<HttpResponse<String>> toA = CompletableFuture.supplyAsync(() -> post(a, event));
            CompletableFuture<HttpResponse<String>> toB = CompletableFuture.supplyAsync(() -> post(b, event));
            assertThat(Stream.of(toA.get(), toB.get()).map(HttpResponse::body)).containsExactlyInAnyOrder(
                    "{\"received\":true}", "{\"received\":true,\"duplicate\":true}");

            JarProcess leader = await().atMost(TAKEOVER.plusSeconds(10)).until(() -> leaderOf(a, b), r -> r != null);
            JarProcess follower = leader == a ? b : a;
            // deliveries are asynchronous: wait for both before counting
            await().atMost(Duration.ofSeconds(15)).until(() -> messages().containsAll(List.of("audit:before-kill", "same-event")));
            assertThat(follower.log()).as("the pollers run on one replica only").doesNotContain("now runs the castai-pollers");
            assertThat(messages()).containsOnlyOnce("same-event");

            leader.kill();
            Instant killed = Instant.now();
            castai.addAuditEntry("after-kill", "cluster.updated", Instant.now());
            await().atMost(TAKEOVER.plusSeconds(5)).until(() -> follower.log().contains("now runs the castai-pollers"));
            Duration takeover = Duration.between(killed, Instant.now());
            await().atMost(Duration.ofSeconds(15)).until(() -> messages().contains("audit:after-kill"));
            assertThat(takeover).as("takeover within CASTAI_POLLERS_TAKEOVER").isLessThanOrEqualTo(TAKEOVER.plusSeconds(1));

            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> true);
            assertThat(messages()).as("nothing repeated, nothing missed")
                    .containsOnlyOnce("audit:before-kill", "audit:after-kill", "same-event");
            assertThat(messages()).hasSize(3);
        }
    }

    @Test
    void workAcceptedByAReplicaThatDiesIsDeliveredByTheOther() throws Exception {
        slack.respondByDefault(503, "unavailable");
        try (JarProcess a = replica("a"); JarProcess b = replica("b")) {
            for (int i = 0; i < 10; i++) {
                assertThat(post(a, "{\"id\": \"stranded-" + i + "\", \"eventType\": \"node.added\", \"clusterId\": \"c\"}").body())
                        .isEqualTo("{\"received\":true}");
            }
            slack.awaitRequests(10);
            a.kill();
            // a send of a's still in flight lands first (answered 503, and b sends it later); read
            // after the reset it was answered 200, and b, finding it undelivered, sent it again
            await().pollDelay(Duration.ofMillis(500)).until(() -> true);
            slack.reset();
            slack.respondByDefault(200, "ok");

            await().atMost(Duration.ofSeconds(30)).until(() -> messages().stream().filter(m -> m.startsWith("stranded-")).count() == 10);
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> true);
            assertThat(messages()).as("each once, by b").hasSize(10).doesNotHaveDuplicates();
            assertThat(b.log()).doesNotContain("ERROR");
        }
    }

    @Test
    void whileTheDatabaseIsAwayTheIntakeAnswers503AndThenRecoversByItself() throws Exception {
        try (JarProcess a = replica("a")) {
            relay.cut();
            HttpResponse<String> refused = post(a, "{\"id\": \"during-outage\", \"eventType\": \"node.added\", \"clusterId\": \"c\"}");
            assertThat(refused.statusCode()).as(() -> refused.body() + logTail(a)).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).contains("5");
            assertThat(refused.body()).isEqualTo("{\"error\":\"events cannot be stored right now, retry later\"}");
            assertThat(a.log()).contains("Could not store event").doesNotContain("jdbc:postgresql");
            // the leader steps down with the pollers' Quartz jobs still firing: one line, no trace
            await().atMost(Duration.ofSeconds(20)).until(() -> a.log().contains("no longer runs the castai-pollers"));
            await().pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(5)).until(() -> true);
            assertThat(a.log()).as("the poll run cut short by the step-down").doesNotContain("JobExecutionException")
                    .doesNotContain("RejectedExecutionException");

            relay.restore();
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
                    post(a, "{\"id\": \"during-outage\", \"eventType\": \"node.added\", \"clusterId\": \"c\"}").statusCode() == 200);
            await().atMost(Duration.ofSeconds(10)).until(() -> messages().contains("during-outage"));
            // the pool's WARN and stack trace for each connection the outage broke are left out (logback.xml)
            assertThat(a.log()).doesNotContain("marked as broken", "Failed to validate connection");
        }
    }

    private JarProcess replica(String name) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("CASTAI_STORE_URL", "jdbc:postgresql://127.0.0.1:" + relay.port() + database.url().substring(database.url().lastIndexOf('/')));
        env.put("CASTAI_STORE_USERNAME", Postgres.USER);
        env.put("CASTAI_POLLERS_TAKEOVER", TAKEOVER.toSeconds() + "s");
        env.put("CHANNELS_FILE", config.resolve("channels.yaml").toString());
        env.put("TEMPLATES_DIR", config.resolve("templates").toString());
        env.put("SLACK_WEBHOOK_URL", slack.url("/hook"));
        env.put("CASTAI_API_KEY", "castai-key");
        env.put("CASTAI_API_URL", castai.url());
        env.put("CASTAI_CLUSTER_ID", CLUSTER);
        env.put("CASTAI_AUDIT_SCHEDULE", "* * * * * ?");
        env.put("CASTAI_AUDIT_LAG", "0s");
        env.put("CASTAI_SAVINGS_ENABLED", "false");
        env.put("DATA_DIR", Files.createTempDirectory("replica-" + name).toString());
        env.put("DELIVERY_LEASE", "5s");
        env.put("HTTP_CALL_TIMEOUT_MS", "2000");
        env.put("DELIVERY_INITIAL_BACKOFF", "200ms");
        env.put("DELIVERY_MAX_BACKOFF", "1s");
        env.put("DELIVERY_POLL_INTERVAL_MS", "200");
        return JarProcess.start(env);
    }

    private static JarProcess leaderOf(JarProcess a, JarProcess b) throws Exception {
        boolean aLeads = a.log().contains("now runs the castai-pollers");
        boolean bLeads = b.log().contains("now runs the castai-pollers");
        return aLeads == bLeads ? null : aLeads ? a : b;
    }

    private List<String> messages() {
        return slack.requests().stream().filter(r -> r.path().equals("/hook"))
                .map(r -> r.body().replaceAll("^\\{\"text\":\"([^\"]*)\".*$", "$1")).toList();
    }

    private static String logTail(JarProcess replica) {
        try {
            String log = replica.log().lines().filter(l -> !l.startsWith("\tat ") && !l.contains("common frames"))
                    .collect(java.util.stream.Collectors.joining("\n"));
            return log.substring(Math.max(0, log.length() - 3000));
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static HttpResponse<String> post(JarProcess replica, String json) {
        try {
            return replica.postEvent(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
