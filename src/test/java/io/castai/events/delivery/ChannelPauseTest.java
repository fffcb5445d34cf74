package io.castai.events.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.castai.events.support.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
        assertThat(pause.waitFor("slack", "e-4")).as("back late, with the one before: never two within a slot")
                .isEqualTo(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        assertThat(pause.waitFor("slack", "e-4")).isZero();

        assertThat(pause.waitFor("slack", "e-5")).as("a slot after the last one that went").isEqualTo(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        assertThat(pause.waitFor("slack", "e-5")).isZero();

        // nothing booked ahead, and a slot passed with none sent: full speed again
        clock.advance(Duration.ofSeconds(2));
        assertThat(pause.waitFor("slack", "e-6")).isZero();
        assertThat(pause.waitFor("slack", "e-7")).isZero();
        assertThat(pause.isPaced("slack")).isFalse();
    }

    @Test
    void aPauseLongerThanTheHorizonEndsInSlotsNotInABurst() {
        // nothing can be booked during it (its end is beyond the horizon): at its end the pace had
        // nothing booked, ended at the first delivery, and the rest went at once
        pause.pause("slack", Duration.ofSeconds(30));
        assertThat(pause.waitFor("slack", "e-1")).isEqualTo(Duration.ofSeconds(30));
        clock.advance(Duration.ofSeconds(30));

        assertThat(pause.waitFor("slack", "e-1")).isZero();
        assertThat(pause.waitFor("slack", "e-2")).isEqualTo(Duration.ofSeconds(1));
        assertThat(pause.waitFor("slack", "e-3")).isEqualTo(Duration.ofSeconds(2));
        assertThat(pause.allowance("slack")).as("the slots at 3 s and 4 s").isEqualTo(2);
    }

    @Test
    void slotsALongerSecondPauseLeftBehindGoOneASlotNotAllAtOnce() {
        pause.pause("slack", Duration.ofSeconds(1));
        for (int i = 1; i <= 5; i++) {
            pause.waitFor("slack", "b-" + i);
        }
        clock.advance(Duration.ofSeconds(1));
        assertThat(pause.waitFor("slack", "b-1")).isZero();
        // b-1 met a 429 asking for 30 s: b-2 to b-5's slots are behind them when it is over
        pause.pause("slack", Duration.ofSeconds(30));
        clock.advance(Duration.ofSeconds(30));

        long atOnce = java.util.stream.IntStream.rangeClosed(2, 5).filter(i -> pause.waitFor("slack", "b-" + i).isZero()).count();
        assertThat(atOnce).isEqualTo(1);
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
    void slotsAreBookedNoFurtherAheadThanTheHorizonTheRestWaitUnbooked() {
        pause.pause("slack", Duration.ofSeconds(1));
        for (int i = 1; i <= 5; i++) {
            assertThat(pause.waitFor("slack", "e-" + i)).isEqualTo(Duration.ofSeconds(i));
        }
        // a backlog of thousands was booked a second apart, hours ahead, and stored so: it outlived
        // the limit, and a restart
        assertThat(pause.waitFor("slack", "beyond-1")).isEqualTo(ChannelPause.HORIZON);
        assertThat(pause.waitFor("slack", "beyond-2")).as("no slot taken").isEqualTo(ChannelPause.HORIZON);
        clock.advance(Duration.ofSeconds(1));
        assertThat(pause.waitFor("slack", "e-1")).isZero();
        assertThat(pause.waitFor("slack", "beyond-1")).as("a slot within the horizon now").isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void beyondTheHorizonALongerPauseIsWaitedOutWhole() {
        pause.pause("slack", Duration.ofSeconds(60));
        assertThat(pause.waitFor("slack", "e-1")).isEqualTo(Duration.ofSeconds(60));
        assertThat(pause.allowance("slack")).as("nothing claimed while paused").isZero();
    }

    @Test
    void theRetryTimerClaimsNoMoreThanTheFreeSlots() {
        assertThat(pause.allowance("slack")).as("never rate limited").isEqualTo(Integer.MAX_VALUE);
        pause.pause("slack", Duration.ofSeconds(1));
        pause.waitFor("slack", "e-1");
        pause.waitFor("slack", "e-2");
        assertThat(pause.allowance("slack")).as("paused").isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(pause.allowance("slack")).as("two of the horizon's slots booked").isEqualTo(3);
        assertThat(pause.isPaced("slack")).isTrue();
        assertThat(pause.isPaced("pagerduty")).isFalse();
    }

    @Test
    void deliveriesThatGetThroughDrawTheSlotsCloserUntilTheChannelGoesAtFullSpeed() {
        pause.pause("hook", Duration.ofSeconds(2));
        delivered("hook", ChannelPause.THROUGH_TO_HALVE);
        assertThat(pause.waitFor("hook", "e-1")).as("deliveries during the pause change nothing").isEqualTo(Duration.ofSeconds(2));
        clock.advance(Duration.ofSeconds(2));
        assertThat(pause.waitFor("hook", "e-1")).isZero();
        delivered("hook", ChannelPause.THROUGH_TO_HALVE - 1);
        assertThat(pause.waitFor("hook", "e-2")).as("the next slot, booked before").isEqualTo(Duration.ofSeconds(1));
        assertThat(pause.waitFor("hook", "e-3")).as("not yet closer").isEqualTo(Duration.ofSeconds(2));
        delivered("hook", 1);
        assertThat(pause.waitFor("hook", "e-4")).as("the slot after those booked").isEqualTo(Duration.ofSeconds(3));
        assertThat(pause.waitFor("hook", "e-5")).as("five in a row: half a second after it").isEqualTo(Duration.ofMillis(3500));

        delivered("hook", 6 * ChannelPause.THROUGH_TO_HALVE);
        assertThat(pause.isPaced("hook")).as("1 s halved seven times: under 10 ms").isFalse();
        assertThat(pause.waitFor("hook", "e-6")).isZero();
        assertThat(pause.allowance("hook")).isEqualTo(Integer.MAX_VALUE);

        pause.pause("hook", Duration.ofSeconds(1));
        assertThat(pause.waitFor("hook", "e-7")).as("a new 429 paces it again").isEqualTo(Duration.ofSeconds(1));
        assertThat(pause.waitFor("hook", "e-8")).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aLimitThatHoldsIsMetAtItsOwnRateNotAtEverySecondSend() {
        // Slack's webhook: one a second. Halved at every delivery, the spacing met a 429 at every
        // second send, and the channel got half the rate with a 429 for each message
        pause.pause("slack", Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        assertThat(pause.waitFor("slack", "s-0")).isZero();
        for (int i = 1; i < ChannelPause.THROUGH_TO_HALVE; i++) {
            pause.delivered("slack");
            assertThat(pause.waitFor("slack", "s-" + i)).as("still a second apart after %d through", i).isEqualTo(Duration.ofSeconds(1));
            clock.advance(Duration.ofSeconds(1));
            assertThat(pause.waitFor("slack", "s-" + i)).isZero();
        }
    }

    private void delivered(String channel, int times) {
        for (int i = 0; i < times; i++) {
            pause.delivered(channel);
        }
    }

    /**
     * The retry timer's part, modelled: every 500 ms it claims the oldest due deliveries, no more
     * than the allowance; one that may go is delivered, the others are put back until their wait
     * is over. Deliveries already due when the 429 came (older than any booked) took every claim,
     * were booked in turn, and none was ever sent: the channel stopped for good.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 70, 3000})
    void aBacklogOlderThanTheBookedSlotsDrainsAtThePaceAndThePaceEnds(int older) {
        Map<String, Instant> outbox = new HashMap<>();
        Instant start = clock.instant();
        for (int i = 0; i < older; i++) {
            outbox.put("older-" + i, start.minusSeconds(older - i));
        }
        pause.pause("slack", Duration.ofSeconds(1));
        for (int i = 0; i < 100; i++) {
            outbox.put("queued-" + i, start.plus(pause.waitFor("slack", "queued-" + i)));
        }

        int sent = 0;
        for (int tick = 0; tick < 7200 && !outbox.isEmpty(); tick++) {
            clock.advance(Duration.ofMillis(500));
            Instant now = clock.instant();
            List<String> claimed = outbox.entrySet().stream().filter(due -> !due.getValue().isAfter(now))
                    .sorted(Map.Entry.comparingByValue()).limit(Math.min(2000, pause.allowance("slack")))
                    .map(Map.Entry::getKey).toList();
            for (String id : claimed) {
                Duration wait = pause.waitFor("slack", id);
                if (wait.isZero()) {
                    outbox.remove(id);
                    pause.delivered("slack");
                    sent++;
                } else {
                    outbox.put(id, now.plus(wait));
                }
            }
        }
        assertThat(sent).as("all sent within the simulated hour").isEqualTo(older + 100);
        assertThat(pause.isPaced("slack")).as("the pace over").isFalse();
    }

    @Test
    void aZeroRetryAfterPacesAtTheClosestSpacingAndNeverDividesByZero() {
        pause.pause("slack", Duration.ZERO);
        pause.waitFor("slack", "e-1");
        pause.pause("slack", Duration.ZERO);

        assertThat(pause.allowance("slack")).isPositive();
        delivered("slack", ChannelPause.THROUGH_TO_HALVE);
        assertThat(pause.isPaced("slack")).isFalse();
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
