package io.castai.events.intake;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NotificationEventTest {
    @Test
    void everyKindOfLineBreakInAOneLineFieldBecomesASpace() {
        NotificationEvent event = new NotificationEvent("e-1", "notification", Severity.INFO, "c\u00851", "a\r\nb\u2028c",
                "t\u009b", "x\ty\u2029z", "summary\nstays multi-line", Map.of(), NotificationEvent.ORIGIN_EVENT);

        assertThat(event.getClusterId()).isEqualTo("c 1");
        assertThat(event.getClusterName()).isEqualTo("a  b c");
        assertThat(event.getTimestamp()).isEqualTo("t ");
        assertThat(event.getTitle()).isEqualTo("x y z");
        assertThat(event.getSummary()).isEqualTo("summary\nstays multi-line");
    }
}
