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

    @Test
    void aLongSummaryIsCutWithinPagerDutysLimitAndNeverInsideAnEmoji() {
        String summary = "x".repeat(1022) + "\uD83D\uDE80" + "y".repeat(50);
        NotificationEvent event = new NotificationEvent("e-1", "node.added", Severity.ERROR, "c-1", "prod", null, "t", summary,
                Map.of(), NotificationEvent.ORIGIN_EVENT);

        String sent = (String) PagerDutyChannel.alert(event, null).get("summary");

        assertThat(sent).hasSizeLessThanOrEqualTo(1024).endsWith("…").startsWith("xxx");
        assertThat(sent.codePoints().filter(cp -> Character.getType(cp) == Character.SURROGATE).count()).as("half an emoji").isZero();
    }

    private static NotificationEvent event(String id) {
        return new NotificationEvent(id, "node.added", Severity.ERROR, "c-1", "prod", null, "t", "s", Map.of(),
                NotificationEvent.ORIGIN_EVENT);
    }
}
