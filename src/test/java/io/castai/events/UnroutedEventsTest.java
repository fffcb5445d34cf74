package io.castai.events;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.castai.events.intake.NotificationEvent;
import io.castai.events.intake.Severity;
import io.castai.events.outbox.EventCodec;
import io.castai.events.support.HttpStandIn;
import io.castai.events.support.RunningService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An event an earlier version stored before routing it (then stopped) is routed and delivered
 * once at the next start (routes/delivery-retries.camel.yaml, dispatch-recovery): not lost, and
 * not taken for a duplicate of itself.
 */
class UnroutedEventsTest {
    @Test
    void anEventStoredUnroutedIsDeliveredOnceAtTheNextStart(@TempDir Path data) throws Exception {
        try (HttpStandIn slack = HttpStandIn.slack()) {
            // the first start creates the store; the event is then left in it as an earlier version would
            RunningService.builder().property("data.dir", data).property("slack.webhook.url", slack.url("/hook")).start().close();
            NotificationEvent event = new NotificationEvent("unrouted-1", "node.added", Severity.INFO, "c-1", "prod",
                    "2026-11-27T12:00:00Z", "node.added", "Node added", Map.of("nodeName", "ip-10-0-9-9"),
                    NotificationEvent.ORIGIN_EVENT);
            try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("castai-events.db"));
                 PreparedStatement insert = db.prepareStatement(
                         "INSERT INTO events (id, body, accepted_at, dispatched) VALUES (?, ?, ?, 0)")) {
                insert.setString(1, event.getId());
                insert.setString(2, EventCodec.toJson(event));
                insert.setLong(3, Instant.now().toEpochMilli());
                insert.executeUpdate();
            }

            try (RunningService restarted = RunningService.builder().property("data.dir", data)
                    .property("slack.webhook.url", slack.url("/hook")).start()) {
                slack.awaitRequests(1);
                await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> slack.requests().size() == 1);
                assertThat(slack.requests().get(0).body()).contains("ip-10-0-9-9");
                assertThat(restarted.postEvent("{\"id\":\"unrouted-1\",\"eventType\":\"node.added\"}").body())
                        .as("its sender's retry").isEqualTo("{\"received\":true,\"duplicate\":true}");
                await().atMost(Duration.ofSeconds(5)).until(() ->
                        restarted.get("/observe/metrics").body().contains("castai_outbox_pending 0.0"));
            }
        }
    }
}
