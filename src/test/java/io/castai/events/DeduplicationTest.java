package io.castai.events;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;

import io.castai.events.support.HttpStandIn;
import io.castai.events.support.LogCapture;
import io.castai.events.support.RunningService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import static io.castai.events.support.RunningService.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A retried or replayed webhook notifies once; different events each notify. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeduplicationTest {
    private static final String ACCEPTED = "{\"received\":true}";
    private static final String DUPLICATE = "{\"received\":true,\"duplicate\":true}";
    /** Short, so tests can wait it out; long enough that a restart begun 4 s in (up to 8 s on a busy machine) ends inside it. */
    private static final Duration WINDOW = Duration.ofSeconds(12);

    private HttpStandIn slack;
    private RunningService service;

    @BeforeAll
    void start() throws Exception {
        slack = HttpStandIn.slack();
        service = RunningService.builder()
                .property("slack.webhook.url", slack.url("/hook"))
                .start();
    }

    @AfterAll
    void stop() {
        service.close();
        slack.close();
    }

    @BeforeEach
    void reset() {
        slack.reset();
    }

    @Test
    void theSameBodySentThreeTimesNotifiesOnce() {
        String body = nodeAdded("ip-10-0-0-1", "2026-10-02T14:03:11Z");

        assertThat(service.postEvent(body).body()).isEqualTo(ACCEPTED);
        assertThat(service.postEvent(body).body()).isEqualTo(DUPLICATE);
        // the same event with other white space and key order is the same event
        String reordered = "{ \"data\": {\"lifecycle\":\"spot\",\"nodeName\":\"ip-10-0-0-1\",\"instanceType\":\"c6a.xlarge\"},"
                + " \"timestamp\":\"2026-10-02T14:03:11Z\", \"clusterName\":\"staging-us-east\","
                + " \"clusterId\":\"4d2f1b3e-7c1a-4e59-9a3b-2f6c8d0e1a77\", \"eventType\":\"node.added\" }";
        assertThat(service.postEvent(reordered).body()).isEqualTo(DUPLICATE);

        assertExactlyDelivered(1);
    }

    @Test
    void theSameIdWithAnotherBodyIsADuplicate() {
        String first = "{\"id\":\"evt-42\"," + nodeAdded("ip-10-0-0-2", "2026-10-02T14:00:00Z").substring(1);
        String retried = "{\"id\":\"evt-42\"," + nodeAdded("ip-10-0-0-2", "2026-10-02T14:00:05Z").substring(1);

        assertThat(service.postEvent(first).body()).isEqualTo(ACCEPTED);
        assertThat(service.postEvent(retried).body()).isEqualTo(DUPLICATE);

        assertExactlyDelivered(1);
    }

    @Test
    void aConsoleNotificationIsKeyedByItsNotificationId() {
        String notification = fixture("events/console-notification.json").replace("\"CRITICAL\"", "\"INFO\"");
        String resent = notification.replace("2026-10-02T16:15:02Z", "2026-10-02T16:15:09Z");

        assertThat(service.postEvent(notification).body()).isEqualTo(ACCEPTED);
        assertThat(service.postEvent(resent).body()).isEqualTo(DUPLICATE);

        assertExactlyDelivered(1);
    }

    @Test
    void deliveryHeadersIdentifyRetriesOfIdlessEvents() {
        assertThat(service.postEvent(nodeAdded("ip-10-0-0-3", "t1"), "webhook-id", "msg_1").body()).isEqualTo(ACCEPTED);
        assertThat(service.postEvent(nodeAdded("ip-10-0-0-3", "t2"), "webhook-id", "msg_1").body()).isEqualTo(DUPLICATE);
        assertThat(service.postEvent(nodeAdded("ip-10-0-0-4", "t1"), "Idempotency-Key", "key-7").body()).isEqualTo(ACCEPTED);
        assertThat(service.postEvent(nodeAdded("ip-10-0-0-4", "t2"), "Idempotency-Key", "key-7").body()).isEqualTo(DUPLICATE);

        assertExactlyDelivered(2);
    }

    @Test
    void twoDifferentEventsBothNotify() {
        assertThat(service.postEvent(nodeAdded("ip-10-0-0-5", "2026-10-02T14:03:11Z")).body()).isEqualTo(ACCEPTED);
        assertThat(service.postEvent(nodeAdded("ip-10-0-0-6", "2026-10-02T14:03:11Z")).body()).isEqualTo(ACCEPTED);

        assertExactlyDelivered(2);
    }

    @Test
    void anIdGivenAgainWithOtherContentIsADuplicateThatIsSaid() {
        try (LogCapture log = LogCapture.attach()) {
            String added = "{\"id\":\"reused-1\",\"eventType\":\"node.added\",\"data\":{\"nodeName\":\"n-1\"}}";
            String removed = "{\"id\":\"reused-1\",\"eventType\":\"node.removed\",\"data\":{\"nodeName\":\"n-1\"}}";
            assertThat(service.postEvent(added).body()).isEqualTo(ACCEPTED);
            // a retry, written anew with another time: the same event, said nothing of
            assertThat(service.postEvent(added.replace("{\"id\"", "{\"timestamp\":\"2026-10-02T14:03:11Z\",\"id\"")).body())
                    .isEqualTo(DUPLICATE);
            assertThat(log.linesContaining("came again with other content")).isEmpty();

            // another event under the same id: still one id, one notification, but no longer in silence
            assertThat(service.postEvent(removed).body()).isEqualTo(DUPLICATE);
            assertThat(log.linesContaining("came again with other content")).singleElement().asString()
                    .contains("Event id reused-1 came again with other content (node.removed): answered as a duplicate")
                    .contains("a sender must give each event an id of its own");
            assertExactlyDelivered(1);

            // CAST AI's notification ids are its own: one notification may come by webhook and by the poller
            String console = "{\"NotificationID\":\"reused-2\",\"Severity\":\"ERROR\",\"Name\":\"n\",\"Message\":\"m\"}";
            assertThat(service.postEvent(console).body()).isEqualTo(ACCEPTED);
            assertThat(service.postEvent(console.replace("\"m\"", "\"m, updated\"")).body()).isEqualTo(DUPLICATE);
            assertThat(log.linesContaining("came again with other content")).hasSize(1);
            // its one notification lands here, not in the next test after its stand-in's reset
            assertExactlyDelivered(2);
        }
    }

    @Test
    void duplicatesAreCounted() {
        String body = nodeAdded("ip-10-0-0-7", "t");
        service.postEvent(body);
        service.postEvent(body);

        assertThat(service.get("/observe/metrics").body()).containsPattern("castai_events_duplicate_total\\{origin=\"event\"} [1-9]");
        // its one notification lands here, not in the next test after its stand-in's reset
        assertExactlyDelivered(1);
    }

    @Test
    void aRestartDoesNotStretchAnIdsWindow(@TempDir Path data) {
        String event = "{\"id\":\"window-1\",\"eventType\":\"node.removed\",\"data\":{\"nodeName\":\"n\"}}";
        Instant accepted;
        try (RunningService first = withWindow(data)) {
            assertThat(first.postEvent(event).body()).isEqualTo(ACCEPTED);
            accepted = Instant.now();
        }
        // restarted half-way through the window: a window started anew would outlast the check below
        await().atMost(Duration.ofSeconds(6)).until(() -> Instant.now().isAfter(accepted.plusSeconds(4)));
        try (RunningService restarted = withWindow(data)) {
            assertThat(Duration.between(accepted, Instant.now())).as("restarted within the window").isLessThan(WINDOW);
            assertThat(restarted.postEvent(event).body()).as("within the window").isEqualTo(DUPLICATE);
            awaitPast(accepted.plus(WINDOW));
            assertThat(restarted.postEvent(event).body()).as("after the window: a new event").isEqualTo(ACCEPTED);
        }
    }

    @Test
    void anIdTheStoreKnewIsRememberedForItsOwnWindowOnly(@TempDir Path data) throws Exception {
        String event = "{\"id\":\"window-2\",\"eventType\":\"node.removed\",\"data\":{\"nodeName\":\"n\"}}";
        try (RunningService service = withWindow(data)) {
            // accepted half a window ago by another replica (or before the cache let it go)
            Instant accepted = Instant.now().minus(WINDOW.dividedBy(2));
            try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("castai-events.db"));
                 PreparedStatement insert = db.prepareStatement(
                         "INSERT INTO events (id, body, accepted_at, dispatched) VALUES ('window-2', '{}', ?, 1)")) {
                insert.setLong(1, accepted.toEpochMilli());
                insert.executeUpdate();
            }

            assertThat(service.postEvent(event).body()).as("the store decides").isEqualTo(DUPLICATE);
            assertThat(service.postEvent(event).body()).as("now the cache knows it").isEqualTo(DUPLICATE);
            awaitPast(accepted.plus(WINDOW));
            assertThat(service.postEvent(event).body()).as("after the earlier event's window").isEqualTo(ACCEPTED);
        }
    }

    private static RunningService withWindow(Path data) {
        return RunningService.builder().property("data.dir", data).property("dedup.window", WINDOW.toSeconds() + "s").start();
    }

    private static void awaitPast(Instant moment) {
        await().atMost(Duration.ofSeconds(15)).until(() -> Instant.now().isAfter(moment.plusMillis(500)));
    }

    private void assertExactlyDelivered(int count) {
        slack.awaitRequests(count);
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2))
                .until(() -> slack.requests().size() == count);
    }

    private static String nodeAdded(String node, String timestamp) {
        return "{\"eventType\":\"node.added\",\"clusterId\":\"4d2f1b3e-7c1a-4e59-9a3b-2f6c8d0e1a77\","
                + "\"clusterName\":\"staging-us-east\",\"timestamp\":\"" + timestamp + "\","
                + "\"data\":{\"nodeName\":\"" + node + "\",\"instanceType\":\"c6a.xlarge\",\"lifecycle\":\"spot\"}}";
    }
}
