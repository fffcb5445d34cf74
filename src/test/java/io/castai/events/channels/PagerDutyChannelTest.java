package io.castai.events.channels;

import java.util.Map;

import io.castai.events.intake.NotificationEvent;
import io.castai.events.intake.Severity;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The incident key: stable per event, within PagerDuty's 255 characters, never shared by two events. */
class PagerDutyChannelTest {
    @Test
    void twoLongIdsThatShareABeginningOpenTwoIncidents() {
        String common = "x".repeat(240);
        String first = PagerDutyChannel.dedupKey(event(common + "-first-event"), "event");
        String second = PagerDutyChannel.dedupKey(event(common + "-other-event"), "event");

        assertThat(first).hasSizeLessThanOrEqualTo(255).startsWith("castai-events/xxx").isNotEqualTo(second);
        assertThat(second).hasSizeLessThanOrEqualTo(255);
        assertThat(PagerDutyChannel.dedupKey(event(common + "-first-event"), "event")).as("stable").isEqualTo(first);
        assertThat(first).isASCII();
    }

    @Test
    void aShortIdIsTheKeyAsItIs() {
        assertThat(PagerDutyChannel.dedupKey(event("e-1"), "event")).isEqualTo("castai-events/e-1");
    }

    private static NotificationEvent event(String id) {
        return new NotificationEvent(id, "node.added", Severity.ERROR, "c-1", "prod", null, "t", "s", Map.of(),
                NotificationEvent.ORIGIN_EVENT);
    }
}
