package io.castai.events.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class EventTimeTest {
    @Test
    void goDefaultFormIsReadByItsOffset() {
        assertThat(EventTime.parse("2026-10-02 16:15:02 +0000 UTC")).isEqualTo(Instant.parse("2026-10-02T16:15:02Z"));
        assertThat(EventTime.parse("2026-10-02 18:15:02.123456789 +0200 CEST"))
                .isEqualTo(Instant.parse("2026-10-02T16:15:02.123456789Z"));
        assertThat(EventTime.parse("2026-10-02 21:45:02 +0530 +0530")).as("a zone without a name")
                .isEqualTo(Instant.parse("2026-10-02T16:15:02Z"));
        assertThat(EventTime.parse("2026-10-02 16:15:02.5 +0000 UTC m=+0.012345678")).as("the monotonic reading")
                .isEqualTo(Instant.parse("2026-10-02T16:15:02.500Z"));
        assertThat(EventTime.parse("2026-10-02 16:15:02 +0000")).as("no zone name")
                .isEqualTo(Instant.parse("2026-10-02T16:15:02Z"));
    }

    @Test
    void goZeroTimeInItsDefaultFormIsNoTime() {
        assertThat(EventTime.parse("0001-01-01 00:00:00 +0000 UTC")).isNull();
        assertThat(EventTime.isBeforeEpoch("0001-01-01 00:00:00 +0000 UTC")).isTrue();
    }

    @Test
    void textLikeItButNotATimeIsNone() {
        assertThat(EventTime.parse("2026-02-30 16:15:02 +0000 UTC")).as("30 February").isNull();
        assertThat(EventTime.parse("2026-10-02 16:15:02 UTC")).as("no offset").isNull();
        assertThat(EventTime.parse("2026-10-02 16:15:02 +0000 UTC extra words")).isNull();
        assertThat(EventTime.isBeforeEpoch("yesterday")).isFalse();
    }

    @Test
    void isoFormsStillRead() {
        assertThat(EventTime.parse("2026-10-02T16:15:02Z")).isEqualTo(Instant.parse("2026-10-02T16:15:02Z"));
        assertThat(EventTime.parse("2026-10-02T17:15:02+0100")).isEqualTo(Instant.parse("2026-10-02T16:15:02Z"));
    }
}
