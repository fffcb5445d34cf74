package io.castai.events;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.castai.events.support.HttpStandIn;
import io.castai.events.support.LogCapture;
import io.castai.events.support.Postgres;
import io.castai.events.support.RunningService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A PagerDuty trigger replayed after its incident's resolve was delivered is not sent, also when
 * the process that delivered the resolve is not the one that would send the trigger: after a
 * restart, or on another replica. Sent, it would open an incident for a node that is gone.
 */
class IncidentHistoryAcrossProcessesTest {
    private static final String ADMIN_TOKEN = "admin-token-0123456789abcdef";
    private static final String TRIGGER = "{\"id\": \"interrupted\", \"eventType\": \"node.spot_interrupted\", "
            + "\"clusterId\": \"c-1\", \"data\": {\"nodeName\": \"node-a\"}}";
    private static final String RESOLVE = "{\"id\": \"removed\", \"eventType\": \"node.removed\", "
            + "\"clusterId\": \"c-1\", \"data\": {\"nodeName\": \"node-a\"}}";
    private static final String NOT_SENT = "pagerduty delivery of event interrupted is not sent: a later event of its incident was delivered first";

    @Test
    void aTriggerReplayedAfterARestartPastItsIncidentsResolveIsNotSent(@TempDir Path directory) throws Exception {
        Path data = Files.createDirectories(directory.resolve("data"));
        try (HttpStandIn pagerDuty = new HttpStandIn(400, "{\"status\":\"invalid event\"}")) {
            try (RunningService before = withPagerDuty(directory, pagerDuty).property("data.dir", data).start()) {
                deadTriggerThenResolve(before, before, pagerDuty);
            }
            try (LogCapture log = LogCapture.attach();
                 RunningService after = withPagerDuty(directory, pagerDuty).property("data.dir", data).start()) {
                replayTheTrigger(after, log, pagerDuty);
            }
        }
    }

    @Test
    void aTriggerReplayedOnAnotherReplicaThanTheResolvesIsNotSent(@TempDir Path directory) throws Exception {
        try (Postgres store = Postgres.freshDatabase();
             HttpStandIn pagerDuty = new HttpStandIn(400, "{\"status\":\"invalid event\"}");
             RunningService first = onStore(withPagerDuty(directory, pagerDuty), store).start()) {
            try (RunningService second = onStore(withPagerDuty(directory, pagerDuty), store).start()) {
                deadTriggerThenResolve(first, second, pagerDuty);
            }
            // the replica that delivered the resolve is gone: this one claims the trigger
            try (LogCapture log = LogCapture.attach()) {
                replayTheTrigger(first, log, pagerDuty);
            }
        }
    }

    @Test
    void aTriggerIsSentWhenTheStoreCannotSayWhetherItsIncidentWasResolved(@TempDir Path directory) throws Exception {
        try (Postgres store = Postgres.freshDatabase();
             HttpStandIn pagerDuty = new HttpStandIn(202, "{\"status\":\"success\"}");
             LogCapture log = LogCapture.attach();
             RunningService service = onStore(withPagerDuty(directory, pagerDuty), store).start()) {
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(store.url(), Postgres.USER, "");
                 java.sql.Statement s = c.createStatement()) {
                s.execute("ALTER TABLE resolved_incidents RENAME TO resolved_incidents_away");
            }
            service.postEvent(TRIGGER);
            // not a dead letter after one attempt: the page goes out
            assertThat(pagerDuty.awaitRequests(1).get(0).body()).contains("\"event_action\":\"trigger\"");
            assertThat(log.linesContaining("Could not read the deliveries to PagerDuty incident pagerduty castai-events/c-1/node-a"))
                    .isNotEmpty();
            assertThat(deadLetterCount(service)).isZero();
        }
    }

    /** The trigger refused for good (a dead letter) through {@code triggerAt}, then its resolve delivered through {@code resolveAt}. */
    private static void deadTriggerThenResolve(RunningService triggerAt, RunningService resolveAt, HttpStandIn pagerDuty)
            throws Exception {
        triggerAt.postEvent(TRIGGER);
        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetterCount(triggerAt) == 1);
        pagerDuty.respondByDefault(202, "{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":\"k\"}");
        resolveAt.postEvent(RESOLVE);
        await().atMost(Duration.ofSeconds(10)).until(() -> pagerDuty.requests().size() == 2);
        assertThat(pagerDuty.requests().get(1).body()).contains("\"event_action\":\"resolve\"");
        // delivered: recorded as such, so the resolve is not sent again
        await().atMost(Duration.ofSeconds(10)).until(() -> resolveAt.get("/observe/metrics").body()
                .contains("castai_events_delivered_total{channel=\"pagerduty\"} 1.0"));
    }

    private static void replayTheTrigger(RunningService service, LogCapture log, HttpStandIn pagerDuty) throws Exception {
        assertThat(service.send("POST", "/admin/dead-letters/replay?eventId=interrupted", "",
                "Authorization", "Bearer " + ADMIN_TOKEN).body()).isEqualTo("{\"replayed\":1}");
        await().atMost(Duration.ofSeconds(15)).until(() -> !log.linesContaining(NOT_SENT).isEmpty());
        assertThat(pagerDuty.requests()).as("the failed trigger and the resolve, and no trigger after it").hasSize(2);
        assertThat(deadLetterCount(service)).isZero();
    }

    private static RunningService.Builder withPagerDuty(Path directory, HttpStandIn pagerDuty) throws Exception {
        return RunningService.builder().pagerDutyPerNode(directory, pagerDuty).property("admin.token", ADMIN_TOKEN);
    }

    private static RunningService.Builder onStore(RunningService.Builder builder, Postgres store) {
        return builder.property("castai.store.url", store.url()).property("castai.store.username", Postgres.USER);
    }

    private static int deadLetterCount(RunningService service) throws Exception {
        String body = service.send("GET", "/admin/dead-letters", null, "Authorization", "Bearer " + ADMIN_TOKEN).body();
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).get("count").asInt();
    }
}
