package io.castai.events.outbox;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import io.castai.events.intake.NotificationEvent;
import io.castai.events.intake.Severity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The outbox's bookkeeping on a real SQLite file, with a clock the test moves. */
class OutboxTest {
    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));
    private Outbox outbox;

    @BeforeEach
    void open() {
        outbox = new Outbox(dir, clock, Duration.ofMinutes(2));
        outbox.start();
    }

    @AfterEach
    void close() {
        outbox.stop();
    }

    @Test
    void aDeliveryIsRecordedOnceAndLeasedToOneWorker() {
        outbox.store(event("e1"));
        assertThat(outbox.enqueue("e1", "slack", "hello")).isTrue();
        assertThat(outbox.enqueue("e1", "slack", "hello")).as("the same delivery again").isFalse();

        assertThat(outbox.claimDue(10)).as("leased to whoever enqueued it").isEmpty();
        outbox.release("e1", "slack");
        assertThat(outbox.claimDue(10)).extracting(Delivery::channel).containsExactly("slack");
        assertThat(outbox.claimDue(10)).as("claimed once").isEmpty();
    }

    @Test
    void aRetryIsDueAfterItsWaitAndADeliveredOneNever() {
        outbox.store(event("e2"));
        outbox.enqueue("e2", "slack", "m");
        outbox.retryLater("e2", "slack", Duration.ofSeconds(30), "http_5xx", "HTTP 503");

        assertThat(outbox.claimDue(10)).isEmpty();
        clock.advance(Duration.ofSeconds(31));
        Delivery due = outbox.claimDue(10).get(0);
        assertThat(due.attempts()).isEqualTo(1);
        assertThat(due.message()).isEqualTo("m");
        assertThat(due.event().getType()).isEqualTo("node.added");

        outbox.delivered("e2", "slack");
        clock.advance(Duration.ofHours(1));
        assertThat(outbox.claimDue(10)).isEmpty();
        assertThat(outbox.stats().pending()).isZero();
    }

    @Test
    void deadLettersAreKeptListedAndReplayed() {
        outbox.store(event("e3"));
        outbox.enqueue("e3", "pagerduty", "p");
        outbox.dead("e3", "pagerduty", "http_4xx permanently", "HTTP 400: invalid");

        DeadLetter dead = outbox.deadLetters(10).get(0);
        assertThat(dead.reason()).isEqualTo("http_4xx permanently");
        assertThat(dead.lastResponse()).isEqualTo("HTTP 400: invalid");
        assertThat(outbox.stats().dead()).isEqualTo(1);

        assertThat(outbox.replay(null, "slack")).isZero();
        assertThat(outbox.replay("e3", null)).isEqualTo(1);
        assertThat(outbox.claimDue(10)).extracting(d -> d.event().getId()).containsExactly("e3");
        assertThat(outbox.stats().dead()).isZero();
    }

    @Test
    void unroutedEventsAreFoundAtStartUpAndThenAfterAGracePeriod() {
        DispatchRecovery recovery = new DispatchRecovery(outbox, Duration.ofSeconds(30), clock);
        outbox.store(event("routed"));
        outbox.markDispatched("routed");
        clock.advance(Duration.ofMillis(1));
        outbox.store(event("stranded"));
        clock.advance(Duration.ofMillis(1));

        assertThat(recovery.pending()).extracting(NotificationEvent::getId).containsExactly("stranded");
        assertThat(recovery.pending()).as("too recent: the routing queue may still hold it").isEmpty();
        clock.advance(Duration.ofSeconds(31));
        assertThat(recovery.pending()).extracting(NotificationEvent::getId).containsExactly("stranded");
    }

    @Test
    void eventsAreRememberedForTheWindowAndSurviveAReopen() {
        outbox.store(event("e5"));
        outbox.stop();
        outbox = new Outbox(dir, clock, Duration.ofMinutes(2));
        outbox.start();

        assertThat(outbox.seenSince("e5", clock.instant().minus(Duration.ofHours(24)))).isTrue();
        assertThat(outbox.seenSince("e5", clock.instant().plusSeconds(1))).isFalse();
        assertThat(outbox.seenSince("other", Instant.EPOCH)).isFalse();
    }

    @Test
    void housekeepingForgetsOnlyWhatIsDone() {
        outbox.store(event("done"));
        outbox.enqueue("done", "slack", "m");
        outbox.delivered("done", "slack");
        outbox.markDispatched("done");
        outbox.store(event("dead"));
        outbox.enqueue("dead", "slack", "m");
        outbox.dead("dead", "slack", "x", "y");
        outbox.markDispatched("dead");
        clock.advance(Duration.ofDays(2));

        assertThat(outbox.forgetBefore(clock.instant().minus(Duration.ofDays(1)))).isEqualTo(1);
        assertThat(outbox.seenSince("done", Instant.EPOCH)).isFalse();
        assertThat(outbox.deadLetters(10)).hasSize(1);
    }

    private static NotificationEvent event(String id) {
        return new NotificationEvent(id, "node.added", Severity.INFO, "c-1", "prod", "2026-11-27T12:00:00Z",
                "node.added", "summary", Map.of("nodeName", "n-1"), NotificationEvent.ORIGIN_EVENT);
    }

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
