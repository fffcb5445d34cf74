package io.castai.events.castai;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.intake.EventParser;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Polled items as events: the keys they are deduplicated by. */
class PolledEventsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final PolledEvents events = new PolledEvents(new EventParser());

    @Test
    void anAuditEntryWithABlankClusterLabelIsOfTheClusterPolled() throws Exception {
        assertThat(events.fromAuditEntry(JSON.readTree("{\"id\":\"e-2\",\"eventType\":\"a\",\"labels\":{\"clusterId\":\" \"}}"),
                "c-1").getClusterId()).isEqualTo("c-1");
        assertThat(events.fromAuditEntry(JSON.readTree("{\"id\":\"e-3\",\"eventType\":\"a\",\"labels\":{\"clusterId\":\"c-2\"}}"),
                "c-1").getClusterId()).isEqualTo("c-2");
    }

    @Test
    void auditEntriesWithoutAnIdAreKeyedByTheirContentNotAllAsOne() throws Exception {
        String missing = events.fromAuditEntry(JSON.readTree("{\"eventType\":\"a\",\"time\":\"2026-11-27T10:00:00Z\"}"), "c-1").getId();
        String nullId = events.fromAuditEntry(JSON.readTree("{\"id\":null,\"eventType\":\"b\",\"time\":\"2026-11-27T10:00:00Z\"}"), "c-1").getId();
        String blank = events.fromAuditEntry(JSON.readTree("{\"id\":\" \",\"eventType\":\"c\",\"time\":\"2026-11-27T10:00:00Z\"}"), "c-1").getId();
        String again = events.fromAuditEntry(JSON.readTree("{\"time\":\"2026-11-27T10:00:00Z\", \"eventType\":\"a\"}"), "c-1").getId();

        assertThat(missing).startsWith("audit:sha256:");
        assertThat(java.util.Set.of(missing, nullId, blank)).as("three different entries, three keys").hasSize(3);
        assertThat(again).as("the same entry read again is a duplicate").isEqualTo(missing);
        assertThat(events.fromAuditEntry(JSON.readTree("{\"id\":\" e-1 \",\"eventType\":\"a\"}"), "c-1").getId()).isEqualTo("audit:e-1");
    }

    @Test
    void anAuditEntrysTypeHoldsOnlyWhatAPostedTypeMay() throws Exception {
        // Slack would honour <!channel> in the type, which its message shows as it is
        assertThat(events.fromAuditEntry(JSON.readTree("{\"id\":\"e-4\",\"eventType\":\"x<!channel>*y* z\"}"), "c-1")
                .getType()).isEqualTo("audit.x__channel__y__z");
        assertThat(events.fromAuditEntry(JSON.readTree("{\"id\":\"e-5\",\"eventType\":\"" + "a".repeat(300) + "\"}"), "c-1")
                .getType()).hasSize(128);
        assertThat(events.fromAuditEntry(JSON.readTree("{\"id\":\"e-6\",\"eventType\":\"nodeAdded\"}"), "c-1")
                .getType()).isEqualTo("audit.nodeAdded");
    }
}
