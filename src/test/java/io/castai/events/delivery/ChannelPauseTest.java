package io.castai.events.delivery;

import java.time.Duration;
import java.time.Instant;

import io.castai.events.support.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** After a 429 the deliveries that waited go one slot apart, not all at once into the next 429. */
class ChannelPauseTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T10:00:00Z"));
    private final ChannelPause pause = new ChannelPause(clock);

    @Test
    void aChannelNeverRateLimitedSendsAtOnce() {
        assertThat(pause.waitFor("slack", "e-1")).isZero();
        assertThat(pause.waitFor("slack", "e-2")).isZero();
    }

    @Test
    void afterThePauseWhatWaitedGoesOneSlotApartEachAtItsOwn() {
        pause.pause("slack", Duration.ofSeconds(2));
        assertThat(pause.waitFor("slack", "e-1")).isEqualTo(Duration.ofSeconds(2));
        assertThat(pause.waitFor("slack", "e-2")).as("one second apart at most").isEqualTo(Duration.ofSeconds(3));
        assertThat(pause.waitFor("slack", "e-3")).isEqualTo(Duration.ofSeconds(4));
        assertThat(pause.waitFor("pagerduty", "e-1")).as("another channel's pace is its own").isZero();

        clock.advance(Duration.ofSeconds(2));
        assertThat(pause.waitFor("slack", "e-1")).as("back at its slot: it goes").isZero();
        assertThat(pause.waitFor("slack", "e-4")).as("a new one queues behind those booked").isEqualTo(Duration.ofSeconds(3));
        clock.advance(Duration.ofSeconds(1));
        assertThat(pause.waitFor("slack", "e-2")).isZero();
        clock.advance(Duration.ofSeconds(2));
        assertThat(pause.waitFor("slack", "e-3")).isZero();
        assertThat(pause.waitFor("slack", "e-4")).isZero();

        assertThat(pause.waitFor("slack", "e-5")).as("a slot after the last one that went").isEqualTo(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(2));
        assertThat(pause.waitFor("slack", "e-5")).isZero();

        // nothing booked ahead: full speed again
        assertThat(pause.waitFor("slack", "e-6")).isZero();
        assertThat(pause.waitFor("slack", "e-7")).isZero();
    }

    @Test
    void aShortRetryAfterSpacesTheSlotsByItself() {
        pause.pause("slack", Duration.ofMillis(300));
        assertThat(pause.waitFor("slack", "e-1")).isEqualTo(Duration.ofMillis(300));
        assertThat(pause.waitFor("slack", "e-2")).isEqualTo(Duration.ofMillis(600));
    }

    @Test
    void aBookedDeliveryThatNeverComesBackDoesNotKeepTheChannelSlow() {
        pause.pause("slack", Duration.ofSeconds(1));
        pause.waitFor("slack", "taken-elsewhere");
        clock.advance(ChannelPause.GONE_AFTER.plusSeconds(5));

        assertThat(pause.waitFor("slack", "e-1")).isZero();
        assertThat(pause.waitFor("slack", "e-2")).as("no pace left").isZero();
    }

    @Test
    void whileBookedOnesAreDueANewOneGoesAndTheNextTakesASlot() {
        pause.pause("slack", Duration.ofSeconds(1));
        pause.waitFor("slack", "e-1");
        clock.advance(Duration.ofSeconds(5)); // e-1 is due, not yet back

        assertThat(pause.waitFor("slack", "e-2")).isZero();
        assertThat(pause.waitFor("slack", "e-3")).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aBacklogBeyondWhatIsBookedWaitsForTheLastSlotUnbooked() {
        pause.pause("slack", Duration.ofSeconds(1));
        for (int i = 0; i < ChannelPause.MAX_BOOKED; i++) {
            pause.waitFor("slack", "e-" + i);
        }
        Duration last = Duration.ofSeconds(ChannelPause.MAX_BOOKED);
        assertThat(pause.waitFor("slack", "beyond-1")).isEqualTo(last.plusSeconds(1));
        assertThat(pause.waitFor("slack", "beyond-2")).as("no slot taken").isEqualTo(last.plusSeconds(1));
    }

    @Test
    void aBacklogBeyondWhatIsBookedWaitsForANewPausesEndNeverLess() {
        pause.pause("slack", Duration.ofMillis(1));
        for (int i = 0; i < ChannelPause.MAX_BOOKED; i++) {
            pause.waitFor("slack", "e-" + i); // slots 1 ms apart: the last is 10 s ahead
        }
        clock.advance(Duration.ofSeconds(20)); // none back yet, none gone for long
        pause.pause("slack", Duration.ofSeconds(60));
        assertThat(pause.waitFor("slack", "beyond")).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void aShorterLaterPauseDoesNotEndALongerOne() {
        // a 429 for 1 s, then Slack asked for 30 s; a request still in flight then met a 429 asking for 1 s
        pause.pause("slack", Duration.ofSeconds(1));
        pause.pause("slack", Duration.ofSeconds(30));
        pause.pause("slack", Duration.ofSeconds(1));

        assertThat(pause.waitFor("slack", "e-1")).isEqualTo(Duration.ofSeconds(30));
    }
}
