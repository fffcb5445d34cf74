package io.castai.events;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.support.HttpStandIn;
import io.castai.events.support.LogCapture;
import io.castai.events.support.Postgres;
import io.castai.events.support.RunningService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two replicas on one store never send a PagerDuty trigger and its resolve at once: one replica
 * retrying a trigger while the other's resolve is on its way could reach PagerDuty after the
 * resolve, and the incident would stay open with nothing to close it.
 */
class IncidentTurnsAcrossReplicasTest {
    private static final String ADMIN_TOKEN = "admin-token-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aTriggerWaitsWhileAnotherReplicaSendsItsResolveAndIsThenNotSent(@TempDir Path directory) throws Exception {
        CountDownLatch resolveAnswered = new CountDownLatch(1);
        try (Postgres store = Postgres.freshDatabase();
             HttpStandIn pagerDuty = HttpStandIn.pagerDutyAnsweringConcurrently();
             LogCapture log = LogCapture.attach();
             RunningService retrying = replica(directory, store, pagerDuty).start();
             // its retry timer idle: what is due is claimed by the other replica
             RunningService resolving = replica(directory, store, pagerDuty).property("delivery.poll-interval-ms", "600000").start()) {
            pagerDuty.respondByDefault(400, "{\"status\":\"invalid event\"}");
            retrying.postEvent("{\"id\": \"interrupted\", \"eventType\": \"node.spot_interrupted\", \"clusterId\": \"c-1\", "
                    + "\"data\": {\"nodeName\": \"node-a\"}}");
            await().atMost(Duration.ofSeconds(10)).until(() -> deadLetterCount(retrying) == 1);

            // the resolve reaches PagerDuty and waits there for its answer
            pagerDuty.reset();
            pagerDuty.holdAnswersUntil(resolveAnswered);
            resolving.postEvent("{\"id\": \"removed\", \"eventType\": \"node.removed\", \"clusterId\": \"c-1\", "
                    + "\"data\": {\"nodeName\": \"node-a\"}}");
            assertThat(pagerDuty.awaitRequests(1).get(0).body()).contains("\"event_action\":\"resolve\"");

            // meanwhile the trigger is due again on the other replica: it waits for the resolve's turn
            assertThat(retrying.send("POST", "/admin/dead-letters/replay?eventId=interrupted", "",
                    "Authorization", "Bearer " + ADMIN_TOKEN).body()).isEqualTo("{\"replayed\":1}");
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> pagerDuty.requests().size() == 1);

            resolveAnswered.countDown();
            await().atMost(Duration.ofSeconds(15)).until(() -> !log.linesContaining(
                    "pagerduty delivery of event interrupted is not sent: a later event of its incident was delivered first").isEmpty());
            assertThat(pagerDuty.requests()).as("the resolve only").hasSize(1);
            // both turns let go of: a turn kept would hold the incident's next delivery until its lease ran out
            await().atMost(Duration.ofSeconds(5)).until(() -> incidentTurnsHeld(store) == 0);
        }
    }

    private static RunningService.Builder replica(Path directory, Postgres store, HttpStandIn pagerDuty) throws Exception {
        return RunningService.builder().pagerDutyPerNode(directory, pagerDuty).property("admin.token", ADMIN_TOKEN)
                .property("castai.store.url", store.url()).property("castai.store.username", Postgres.USER);
    }

    private static int incidentTurnsHeld(Postgres store) throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(store.url(), Postgres.USER, "");
             java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM leases WHERE name LIKE 'incident-turn/%'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static int deadLetterCount(RunningService service) throws Exception {
        return JSON.readTree(service.send("GET", "/admin/dead-letters?limit=1000", null,
                "Authorization", "Bearer " + ADMIN_TOKEN).body()).get("count").asInt();
    }
}
