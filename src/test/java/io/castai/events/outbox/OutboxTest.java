package io.castai.events.outbox;

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

import static org.assertj.core.api.Assertions.assertThat;

/** The outbox's bookkeeping on a real SQLite file, with a clock the test moves. */
/**
 * What the outbox promises, whichever store holds it: {@link SqliteOutboxTest} (the default) and
 * {@link PostgresOutboxTest} (shared by replicas) run these same tests.
 */
abstract class OutboxTest {
    protected final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));
    protected Outbox outbox;

    /** A new handle on this test's store (the same data each time). */
    protected abstract Store store();

    protected Outbox open() {
        Outbox opened = new Outbox(store(), clock, Duration.ofMinutes(2), Duration.ofHours(24));
        opened.start();
        return opened;
    }

    @BeforeEach
    void openOutbox() {
        outbox = open();
    }

    @AfterEach
    void close() {
        if (outbox != null) { // null when the store was not there (PostgreSQL absent: test skipped)
            outbox.stop();
        }
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
        outbox = open();

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

    @Test
    void anIdStoredWithinTheWindowIsADuplicateAndAfterItNew() {
        assertThat(outbox.store(event("again"))).isTrue();
        assertThat(outbox.isAlreadyStored(event("again"))).isTrue();
        clock.advance(Duration.ofHours(25));
        assertThat(outbox.store(event("again"))).as("past the dedup window: a new event").isTrue();
    }

    @Test
    void aLeaseHasOneHolderUntilItRunsOutOrIsGivenUp() {
        assertThat(outbox.holdLease("pollers", "a", Duration.ofSeconds(20))).isTrue();
        assertThat(outbox.holdLease("pollers", "b", Duration.ofSeconds(20))).isFalse();
        assertThat(outbox.holdLease("pollers", "a", Duration.ofSeconds(20))).as("renewed").isTrue();
        clock.advance(Duration.ofSeconds(21));
        assertThat(outbox.holdLease("pollers", "b", Duration.ofSeconds(20))).as("a's ran out").isTrue();
        assertThat(outbox.holdLease("pollers", "a", Duration.ofSeconds(20))).isFalse();
        outbox.releaseLease("pollers", "b");
        assertThat(outbox.holdLease("pollers", "a", Duration.ofSeconds(20))).as("b gave it up").isTrue();
    }

    @Test
    void checkpointsAreKept() {
        assertThat(outbox.checkpoint("audit/c-1")).isEmpty();
        outbox.saveCheckpoint("audit/c-1", "{\"cursor\":\"1\"}");
        outbox.saveCheckpoint("audit/c-1", "{\"cursor\":\"2\"}");
        assertThat(outbox.checkpoint("audit/c-1")).contains("{\"cursor\":\"2\"}");
    }

    protected static NotificationEvent event(String id) {
        return new NotificationEvent(id, "node.added", Severity.INFO, "c-1", "prod", "2026-11-27T12:00:00Z",
                "node.added", "summary", Map.of("nodeName", "n-1"), NotificationEvent.ORIGIN_EVENT);
    }

    /** A clock the test moves by hand. */
    public static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        public void advance(Duration by) {
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
