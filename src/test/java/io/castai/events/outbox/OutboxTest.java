package io.castai.events.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.Map;

import io.castai.events.channels.EventOrder;
import io.castai.events.channels.IncidentHistory;
import io.castai.events.intake.NotificationEvent;
import io.castai.events.support.MutableClock;
import io.castai.events.intake.Severity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What the outbox promises, whichever store holds it: {@link SqliteOutboxTest} (the default) and
 * {@link PostgresOutboxTest} (shared by replicas) run these same tests.
 */
abstract class OutboxTest {
    protected final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));
    protected Outbox outbox;

    /** A new handle on this test's store (the same data each time). */
    protected abstract Store store();

    /** A connection to the store beside the outbox's own, to look at or set up rows directly. */
    protected abstract Connection rawConnection() throws SQLException;

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
    void theStoreSaysWhichIdsItHoldsInOneQuery() {
        accept("held-1", "slack");
        accept("held-2", "slack");

        assertThat(outbox.stored(List.of("held-1", "absent", "held-2"))).containsExactlyInAnyOrder("held-1", "held-2");
        assertThat(outbox.stored(List.of())).isEmpty();
    }

    @Test
    void anEventIsStoredWithItsDeliveriesInOneCommit() {
        List<ChannelMessage> recorded = outbox.accept(event("e0"), List.of(message("log", true),
                message("slack", false), message("pagerduty", false)));

        assertThat(recorded).as("log messages are not deliveries").extracting(ChannelMessage::channel)
                .containsExactly("slack", "pagerduty");
        assertThat(outbox.stats().pending()).isEqualTo(2);
        assertThat(outbox.undispatched(clock.instant().plusSeconds(1), 10)).as("routed as it was stored").isEmpty();
    }

    @Test
    void anEventWhoseDeliveriesCannotBeRecordedIsNotStoredEither() {
        // a delivery without a channel breaks the deliveries table's NOT NULL: the whole unit fails
        assertThatThrownBy(() -> outbox.accept(event("broken"), List.of(message("slack", false), message(null, false))))
                .isInstanceOf(OutboxException.class);

        assertThat(outbox.acceptedAt("broken")).isEmpty();
        assertThat(outbox.stats().pending()).isZero();
        assertThat(outbox.accept(event("after"), List.of(message("slack", false))))
                .as("the writer carries on").hasSize(1);
    }

    @Test
    void aUnitThatThrowsDoesNotStopTheWriter() {
        // Set.of refuses to look up null: the unit throws a NullPointerException, not an SQLException
        assertThatThrownBy(() -> outbox.accept(event("npe"), List.of(message(null, false)), Set.of("slack")))
                .isInstanceOf(OutboxException.class).hasCauseInstanceOf(NullPointerException.class);

        assertThat(outbox.acceptedAt("npe")).isEmpty();
        assertThat(outbox.accept(event("after-npe"), List.of(message("slack", false))))
                .as("the writer carries on").hasSize(1);
    }

    @Test
    void aDeliveryIsRecordedOnceAndLeasedToOneWorker() {
        List<ChannelMessage> accepted = accept("e1", "slack");
        assertThat(accepted).extracting(ChannelMessage::channel).containsExactly("slack");
        assertThat(outbox.route("e1", List.of(message("slack", false)))).as("the same delivery again").isEmpty();

        assertThat(outbox.claimDue(10)).as("leased to whoever enqueued it").isEmpty();
        outbox.release("e1", "slack", accepted.get(0).leasedUntil());
        assertThat(outbox.claimDue(10)).extracting(Delivery::channel).containsExactly("slack");
        assertThat(outbox.claimDue(10)).as("claimed once").isEmpty();
    }

    @Test
    void deliveriesOfChannelsServedNowhereHereAreClaimedOnlyOnceLongOverdue() {
        accept("e-new", "hook2");
        clock.advance(Duration.ofMinutes(3)); // the lease has run out: due since it was accepted

        assertThat(outbox.claimOverdueExcept(List.of("slack"), Duration.ofMinutes(10), 10, Long.MAX_VALUE))
                .as("due for 3 minutes: another replica may serve hook2").isEmpty();
        clock.advance(Duration.ofMinutes(8));
        assertThat(outbox.claimOverdueExcept(List.of("slack"), Duration.ofMinutes(10), 10, Long.MAX_VALUE))
                .extracting(Delivery::channel).containsExactly("hook2");
    }

    @Test
    void deliveriesOfAChannelAnotherReplicaServesAreNeverSweptHoweverLongOverdue() throws Exception {
        accept("e-paced", "hook2");
        // the replica serving hook2 waits out a long Retry-After, or works through a backlog at its
        // pace, for 11 minutes, saying every 30 s that it serves hook2
        for (int sweep = 0; sweep < 22; sweep++) {
            outbox.serveChannels("replica-with-hook2", List.of("hook2"), Duration.ofSeconds(90));
            clock.advance(Duration.ofSeconds(30));
        }

        assertThat(outbox.claimOverdueExcept(List.of("slack"), Duration.ofMinutes(10), 10, Long.MAX_VALUE))
                .as("served by a replica that still says so").isEmpty();
        clock.advance(Duration.ofMinutes(2)); // that replica gone: its word has run out
        assertThat(outbox.claimOverdueExcept(List.of("slack"), Duration.ofMinutes(10), 10, Long.MAX_VALUE))
                .extracting(Delivery::channel).containsExactly("hook2");
        // and is deleted by the next replica to say what it serves (every start adds rows of its own)
        outbox.serveChannels("replica-with-slack", List.of("slack"), Duration.ofSeconds(90));
        assertThat(query("SELECT name FROM leases ORDER BY name")).containsExactly("serves/slack/replica-with-slack");
    }

    @Test
    void aDeliveryWhoseStoredEventCannotBeReadIsADeadLetterAndHoldsUpNoOther() throws Exception {
        outbox.release("damaged-1", "slack", accept("damaged-1", "slack").get(0).leasedUntil());
        clock.advance(Duration.ofMillis(1));
        outbox.release("fine-1", "slack", accept("fine-1", "slack").get(0).leasedUntil());
        sql("UPDATE events SET body = 'not json' WHERE id = 'damaged-1'");

        // it was the channel's oldest due delivery, and failed every claim of the channel
        assertThat(outbox.claimDue("slack", 10, Long.MAX_VALUE, true)).extracting(d -> d.event().getId()).containsExactly("fine-1");
        assertThat(query("SELECT status || ' ' || last_error FROM deliveries WHERE event_id = 'damaged-1'"))
                .containsExactly("dead unreadable");
    }

    @Test
    void aClaimTakesNoMoreTextThanItIsGivenButAlwaysOneDelivery() {
        for (String id : List.of("big-1", "big-2", "big-3", "big-4")) {
            outbox.accept(event(id), List.of(new ChannelMessage("hook", "x".repeat(10_000), "webhook")));
            clock.advance(Duration.ofSeconds(1));
        }
        clock.advance(Duration.ofMinutes(3));

        assertThat(outbox.claimDue("hook", 10, 100, false)).as("none longer than the room into a queue holding some").isEmpty();
        outbox.accept(event("small"), List.of(new ChannelMessage("hook", "s", "webhook")));
        clock.advance(Duration.ofMinutes(3));
        assertThat(outbox.claimDue("hook", 10, 1_000, false)).as("one that fits, behind those that do not")
                .extracting(d -> d.event().getId()).containsExactly("small");
        assertThat(outbox.claimDue("hook", 10, 100, true)).as("one, however long, into an empty one").extracting(d -> d.event().getId())
                .containsExactly("big-1");
        assertThat(outbox.claimDue("hook", 10, 25_000, true)).as("as many as fit, oldest first").extracting(d -> d.event().getId())
                .containsExactly("big-2", "big-3");
        assertThat(outbox.claimDue("hook", 10, Long.MAX_VALUE, true)).extracting(d -> d.event().getId()).containsExactly("big-4");
    }

    @Test
    void aDeliverysProgressIsItsAttemptsAndWhenItWasFirstQueued() {
        Instant queued = clock.instant();
        accept("tried", "slack");
        clock.advance(Duration.ofMinutes(3));
        Delivery claimed = outbox.claimDue(10).get(0);
        outbox.retryLater("tried", "slack", claimed.leasedUntil(), Duration.ofMinutes(5), "http_5xx", "HTTP 503");

        Delivery whole = outbox.find("tried", "slack");
        assertThat(outbox.progress("tried", "slack")).isEqualTo(new Outbox.Progress(whole.attempts(), whole.createdAt()));
        assertThat(whole.attempts()).isEqualTo(1);
        assertThat(whole.createdAt()).isEqualTo(queued.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertThat(outbox.progress("tried", "pagerduty")).as("no such delivery").isNull();
        assertThat(outbox.progress("unknown", "slack")).isNull();
    }

    @Test
    void aDeliveryPutBackForLaterSinceItWasReadIsNotLeased() {
        accept("stale", "slack");
        clock.advance(Duration.ofMinutes(3));
        Delivery readWhileDue = outbox.find("stale", "slack");
        // another replica claimed it meanwhile, tried it, and was told to wait (a backoff, a 429)
        Delivery claimed = outbox.claimDue(10).get(0);
        outbox.retryLater("stale", "slack", claimed.leasedUntil(), Duration.ofMinutes(5), "http_429", "HTTP 429");

        long now = clock.instant().toEpochMilli();
        assertThat(outbox.lease(List.of(readWhileDue), now + 60_000, now, now)).as("not before its time").isEmpty();
        clock.advance(Duration.ofMinutes(5));
        long later = clock.instant().toEpochMilli();
        assertThat(outbox.lease(List.of(readWhileDue), later + 60_000, later, later)).hasSize(1);
    }

    @Test
    void dueDeliveriesAreClaimedPerChannel() {
        accept("e-a", "slack", "pagerduty");
        accept("e-b", "slack", "gone");
        clock.advance(Duration.ofMinutes(3));

        assertThat(outbox.claimDue("pagerduty", 10)).extracting(d -> d.event().getId()).containsExactly("e-a");
        assertThat(outbox.claimDue("slack", 1)).hasSize(1);
        assertThat(outbox.claimDueExcept(List.of("slack", "pagerduty"), 10)).extracting(Delivery::channel)
                .containsExactly("gone");
        assertThat(outbox.claimDue(10)).as("the other slack delivery").extracting(Delivery::channel).containsExactly("slack");
    }

    @Test
    void aLeaseThatRanOutIsKeptOnlyWhileNobodyClaimedTheDelivery() {
        long lease = accept("e-lease", "slack").get(0).leasedUntil();

        assertThat(outbox.keepLease("e-lease", "slack", lease)).as("plenty left: kept as it is").isEqualTo(lease);
        clock.advance(Duration.ofSeconds(90));
        long renewed = outbox.keepLease("e-lease", "slack", lease);
        assertThat(renewed).as("little left: renewed").isEqualTo(clock.millis() + Duration.ofMinutes(2).toMillis());
        assertThat(outbox.claimDue(10)).as("the renewed lease holds").isEmpty();

        clock.advance(Duration.ofMinutes(3));
        Delivery claimed = outbox.claimDue(10).get(0);
        assertThat(outbox.keepLease("e-lease", "slack", renewed)).as("claimed by another since: let go").isZero();
        assertThat(outbox.keepLease("e-lease", "slack", claimed.leasedUntil())).isEqualTo(claimed.leasedUntil());

        outbox.release("e-lease", "slack", renewed);
        assertThat(outbox.claimDue(10)).as("an old holder letting go does not free another's lease").isEmpty();
        outbox.release("e-lease", "slack", claimed.leasedUntil());
        assertThat(outbox.claimDue(10)).as("its holder letting go does").hasSize(1);
    }

    /** One attempt's failure arriving after another attempt's success leaves the delivery delivered. */
    @Test
    void aLateFailureDoesNotUndoADelivery() {
        accept("late", "slack");
        outbox.delivered("late", "slack");

        assertThat(outbox.dead("late", "slack", lease("late", "slack"), "http_4xx permanently", "HTTP 400")).isFalse();
        assertThat(outbox.retryLater("late", "slack", lease("late", "slack"), Duration.ofSeconds(1), "http_5xx", "HTTP 503")).isFalse();
        assertThat(outbox.deadLetters(10)).isEmpty();
        clock.advance(Duration.ofHours(1));
        assertThat(outbox.claimDue(10)).isEmpty();
        assertThat(outbox.stats().pending()).isZero();
    }

    /**
     * An attempt's failure recorded after another claim took the delivery (its write held up past
     * its lease: a replica cut off from the database) leaves that claim alone: clearing its lease
     * mid-send would let a third claim send the delivery again.
     */
    @Test
    void aFailureRecordedAfterAnotherClaimLeavesThatClaimAlone() {
        long first = accept("taken", "slack").get(0).leasedUntil();
        clock.advance(Duration.ofMinutes(3));
        Delivery claimed = outbox.claimDue(10).get(0);
        assertThat(claimed.leasedUntil()).isNotEqualTo(first);

        assertThat(outbox.retryLater("taken", "slack", first, Duration.ofSeconds(1), "http_5xx", "HTTP 503")).isFalse();
        assertThat(outbox.dead("taken", "slack", first, "http_4xx permanently", "HTTP 400")).isFalse();
        outbox.postpone("taken", "slack", first, Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(5));
        assertThat(outbox.claimDue(10)).as("still the second claim's").isEmpty();
        assertThat(outbox.deadLetters(10)).isEmpty();
        assertThat(outbox.retryLater("taken", "slack", claimed.leasedUntil(), Duration.ofSeconds(1), "http_5xx", "HTTP 503"))
                .as("the second claim's own record").isTrue();
    }

    @Test
    void aRetryIsDueAfterItsWaitAndADeliveredOneNever() {
        accept("e2", "slack");
        outbox.retryLater("e2", "slack", lease("e2", "slack"), Duration.ofSeconds(30), "http_5xx", "HTTP 503");

        assertThat(outbox.claimDue(10)).isEmpty();
        clock.advance(Duration.ofSeconds(31));
        Delivery due = outbox.claimDue(10).get(0);
        assertThat(due.attempts()).isEqualTo(1);
        assertThat(due.message()).isEqualTo("m");
        assertThat(due.event().getType()).isEqualTo("node.added");

        outbox.delivered("e2", "slack");
        // recorded without being waited for (a send's success does not hold its worker); on
        // PostgreSQL a claim's read may hold the row for its statement, and the record waits on it
        await().atMost(Duration.ofSeconds(5)).until(() -> outbox.stats().pending() == 0);
        clock.advance(Duration.ofHours(1));
        assertThat(outbox.claimDue(10)).isEmpty();
    }

    @Test
    void deadLettersAreKeptListedAndReplayed() {
        accept("e3", "pagerduty");
        outbox.dead("e3", "pagerduty", lease("e3", "pagerduty"), "http_4xx permanently", "HTTP 400: invalid");

        DeadLetter dead = outbox.deadLetters(10).get(0);
        assertThat(dead.reason()).isEqualTo("http_4xx permanently");
        assertThat(dead.lastResponse()).isEqualTo("HTTP 400: invalid");
        assertThat(outbox.stats().dead()).isEqualTo(1);

        assertThat(outbox.replay(null, "slack", null, null).replayed()).isZero();
        assertThat(outbox.replay("e3", null, null, null).replayed()).isEqualTo(1);
        // pending again, with no attempt yet: the old failure is no longer its last (it read as failed again)
        assertThat(outbox.pending("pagerduty", 10)).singleElement()
                .satisfies(pending -> assertThat(pending.reason()).isNull())
                .satisfies(pending -> assertThat(pending.lastResponse()).isNull())
                .satisfies(pending -> assertThat(pending.attempts()).isZero());
        assertThat(outbox.claimDue(10)).extracting(d -> d.event().getId()).containsExactly("e3");
        assertThat(outbox.stats().dead()).isZero();
    }

    @Test
    void deadLettersAreListedByChannelOldestOrNewestFirst() {
        accept("d1", "slack");
        accept("d2", "slack", "pagerduty");
        outbox.dead("d1", "slack", lease("d1", "slack"), "http_4xx permanently", "HTTP 400");
        clock.advance(Duration.ofMinutes(1));
        outbox.dead("d2", "slack", lease("d2", "slack"), "http_4xx permanently", "HTTP 400");
        clock.advance(Duration.ofMinutes(1));
        outbox.dead("d2", "pagerduty", lease("d2", "pagerduty"), "http_4xx permanently", "HTTP 400");

        assertThat(outbox.deadLetters("slack", false, 10)).extracting(DeadLetter::eventId).containsExactly("d1", "d2");
        assertThat(outbox.deadLetters("slack", true, 10)).extracting(DeadLetter::eventId).containsExactly("d2", "d1");
        assertThat(outbox.deadLetters(null, true, 1)).extracting(DeadLetter::channel).containsExactly("pagerduty");
    }

    @Test
    void aListOfDeadLettersNamesLongEventsCutShortAndKeepsWhenTheEventCameIn() {
        String nodeName = "n".repeat(900_000);
        NotificationEvent big = new NotificationEvent("big", "node.added", Severity.INFO, "c-1", "c".repeat(5_000),
                "2026-11-27T12:00:00Z", "node.added", "node.added: node " + nodeName, Map.of("nodeName", nodeName),
                NotificationEvent.ORIGIN_EVENT);
        outbox.accept(big, List.of(message("slack", false)));
        accept("small", "slack");
        clock.advance(Duration.ofMinutes(5));
        outbox.dead("big", "slack", lease("big", "slack"), "http_4xx permanently", "HTTP 400");
        outbox.dead("small", "slack", lease("small", "slack"), "http_4xx permanently", "HTTP 400");
        clock.advance(Duration.ofMinutes(5));
        outbox.replay("small", "slack", null, null).replayed();
        outbox.dead("small", "slack", lease("small", "slack"), "http_4xx permanently", "HTTP 400");

        List<DeadLetter> listed = outbox.deadLetters(10);

        assertThat(listed).extracting(DeadLetter::eventId).containsExactly("big", "small");
        DeadLetter cut = listed.get(0);
        assertThat(cut.summary()).hasSize(DeadLetter.MAX_SUMMARY).startsWith("node.added: node nnn").endsWith("…");
        assertThat(cut.cluster()).hasSize(DeadLetter.MAX_CLUSTER).endsWith("…");
        DeadLetter replayed = listed.get(1);
        assertThat(replayed.summary()).isEqualTo("summary");
        assertThat(replayed.acceptedAt()).as("when the event came in, kept across a replay").isEqualTo("2026-11-27T12:00:00Z");
        assertThat(replayed.createdAt()).as("when it was queued again").isEqualTo("2026-11-27T12:10:00Z");
    }

    @Test
    void aDeliveryKeepsTheChannelTypeItsMessageWasRenderedForUnknownWhenAnOlderVersionRecordedIt() throws SQLException {
        outbox.accept(event("typed"), List.of(new ChannelMessage("alerts", "m", "pagerduty")));
        accept("untyped", "alerts");
        sql("UPDATE deliveries SET rendered_for = NULL WHERE event_id = 'untyped'");
        outbox.dead("typed", "alerts", lease("typed", "alerts"), "http_4xx permanently", "HTTP 400");
        outbox.dead("untyped", "alerts", lease("untyped", "alerts"), "http_4xx permanently", "HTTP 400");

        assertThat(outbox.deadLetterTypes("typed", "alerts")).containsExactly("pagerduty");
        assertThat(outbox.deadLetterTypes(null, "alerts")).containsExactlyInAnyOrder("pagerduty", null);
        outbox.replay(null, "alerts", null, null).replayed();
        clock.advance(Duration.ofMinutes(3));
        assertThat(outbox.claimDue(10)).extracting(d -> d.event().getId() + ":" + d.renderedFor())
                .containsExactlyInAnyOrder("typed:pagerduty", "untyped:null");
    }

    @Test
    void givingUpCountsNoAttemptAndKeepsTheChannelsLastAnswer() {
        accept("answered", "slack");
        accept("unanswered", "slack");
        outbox.retryLater("answered", "slack", lease("answered", "slack"), Duration.ofSeconds(1), "http_5xx", "HTTP 503: down");

        assertThat(outbox.giveUp("answered", "slack", "channel_off", "no route")).isTrue();
        assertThat(outbox.giveUp("unanswered", "slack", "channel_off", "no route")).isTrue();
        assertThat(outbox.giveUp("answered", "slack", "channel_off", "no route")).as("no longer pending").isFalse();

        assertThat(outbox.deadLetters(10)).extracting(d -> d.eventId() + " " + d.attempts() + " " + d.lastResponse())
                .containsExactlyInAnyOrder("answered 1 no route; before: HTTP 503: down", "unanswered 0 no route");

        // replayed and given up again and again: what is kept stays short
        for (int i = 0; i < 10; i++) {
            outbox.replay("answered", "slack", null, null).replayed();
            outbox.giveUp("answered", "slack", "channel_off", "no route channel-slack serves this channel any more");
        }
        assertThat(outbox.deadLetters(10)).filteredOn(d -> d.eventId().equals("answered")).singleElement()
                .satisfies(d -> assertThat(d.lastResponse().length()).isLessThan(400));
    }

    @Test
    void aRenamedChannelsDeadLettersGoToItsNewNameUnlessTheEventIsAlreadyThere() {
        accept("r1", "old");
        accept("r2", "old", "new");
        outbox.dead("r1", "old", lease("r1", "old"), "channel_off", "no route");
        outbox.dead("r2", "old", lease("r2", "old"), "channel_off", "no route");
        outbox.delivered("r2", "new");

        assertThat(outbox.replayTo(null, "old", "new", "webhook", "webhook"))
                .as("r2 has reached new already").isEqualTo(new Outbox.Replayed(1, 0, 1));
        clock.advance(Duration.ofMinutes(3));
        assertThat(outbox.claimDue(10)).extracting(d -> d.event().getId() + "@" + d.channel()).containsExactly("r1@new");
        assertThat(outbox.deadLetters(10)).extracting(DeadLetter::eventId).containsExactly("r2");
    }

    @Test
    void aReplayForOneTypeLeavesTheDeadLettersRenderedForAnotherAndCountsThemInTheSameUnit() throws SQLException {
        // a channel whose type changed holds both kinds; an older version's letter is of the type assumed
        outbox.accept(event("as-hook"), List.of(new ChannelMessage("alerts", "m", "webhook")));
        outbox.accept(event("as-chat"), List.of(new ChannelMessage("alerts", "m", "slack")));
        outbox.accept(event("unknown"), List.of(new ChannelMessage("alerts", "m", "slack")));
        sql("UPDATE deliveries SET rendered_for = NULL WHERE event_id = 'unknown'");
        for (String id : List.of("as-hook", "as-chat", "unknown")) {
            outbox.dead(id, "alerts", lease(id, "alerts"), "http_4xx permanently", "HTTP 400");
        }

        assertThat(outbox.replay(null, "alerts", "slack", "slack")).isEqualTo(new Outbox.Replayed(2, 1, 0));
        clock.advance(Duration.ofMinutes(3));
        assertThat(outbox.claimDue(10)).extracting(d -> d.event().getId()).containsExactlyInAnyOrder("as-chat", "unknown");
        assertThat(outbox.deadLetters(10)).extracting(DeadLetter::eventId).containsExactly("as-hook");

        // to another channel: what fits its type goes, unless the event is there already
        accept("hook-there", "alerts", "hook");
        sql("UPDATE deliveries SET status = 'dead', finished_at = 1 WHERE event_id = 'hook-there' AND channel = 'alerts'");
        assertThat(outbox.replayTo(null, "alerts", "hook", "webhook", "slack")).isEqualTo(new Outbox.Replayed(1, 0, 1));
        assertThat(outbox.deadLetters(10)).extracting(DeadLetter::eventId).containsExactly("hook-there");
        assertThat(outbox.replayTo(null, "alerts", "chat", "slack", "slack")).as("a webhook's message is not Slack's")
                .isEqualTo(new Outbox.Replayed(0, 1, 0));
        assertThat(outbox.replay(null, "alerts", null, null)).as("no type: every one").isEqualTo(new Outbox.Replayed(1, 0, 0));
    }

    @Test
    void anIncidentKeepsItsLatestEventUntilHousekeepingForgetsIt() {
        Instant t0 = Instant.parse("2026-11-27T12:00:00Z");
        EventOrder latest = new EventOrder(t0, t0.plusSeconds(5));
        assertThat(outbox.latestIncidentEvent("pd\nnode-a")).isEmpty();
        outbox.incidentEventDelivered("pd\nnode-a", latest).join();
        outbox.incidentEventDelivered("pd\nnode-a", new EventOrder(t0.minusSeconds(60), t0.plusSeconds(60))).join();
        assertThat(outbox.latestIncidentEvent("pd\nnode-a")).as("happened earlier, accepted later").contains(latest);
        outbox.incidentEventDelivered("pd\nnode-a", new EventOrder(t0, t0.plusSeconds(4))).join();
        assertThat(outbox.latestIncidentEvent("pd\nnode-a")).as("as early, accepted earlier").contains(latest);
        EventOrder sameInstantAcceptedLater = new EventOrder(t0, t0.plusSeconds(6));
        outbox.incidentEventDelivered("pd\nnode-a", sameInstantAcceptedLater).join();
        assertThat(outbox.latestIncidentEvent("pd\nnode-a")).contains(sameInstantAcceptedLater);
        outbox.incidentEventDelivered("pd\nnode-b", new EventOrder(t0.plus(Duration.ofDays(2)), t0.plus(Duration.ofDays(2)))).join();

        assertThat(outbox.forgetIncidentsBefore(t0.plus(Duration.ofDays(1)))).isEqualTo(1);
        assertThat(outbox.latestIncidentEvent("pd\nnode-a")).isEmpty();
        assertThat(outbox.latestIncidentEvent("pd\nnode-b")).isPresent();
    }

    @Test
    void aRowAnOlderBuildWroteOrMovedOnIsOrderedByWhenItWasAccepted() throws SQLException {
        Instant t0 = Instant.parse("2026-11-27T12:00:00Z");
        sql("INSERT INTO resolved_incidents (incident, resolved_by) VALUES ('pd\nnode-a', " + t0.toEpochMilli() + ")");
        assertThat(outbox.latestIncidentEvent("pd\nnode-a")).contains(new EventOrder(null, t0));

        // a trigger this build delivered (its own time t0), then a resolve an older build delivered and moved
        // resolved_by on for: its happened_at is the trigger's, left behind
        outbox.incidentEventDelivered("pd\nnode-b", new EventOrder(t0, t0.plusSeconds(5))).join();
        Instant resolvedByOlderBuild = t0.plus(Duration.ofMinutes(30));
        sql("INSERT INTO resolved_incidents (incident, resolved_by) VALUES ('pd\nnode-b', " + resolvedByOlderBuild.toEpochMilli()
                + ") ON CONFLICT (incident) DO UPDATE SET resolved_by = excluded.resolved_by "
                + "WHERE excluded.resolved_by > resolved_incidents.resolved_by");
        assertThat(outbox.latestIncidentEvent("pd\nnode-b")).as("not dated back to the trigger")
                .contains(new EventOrder(null, resolvedByOlderBuild));
        // a sender's retry of a trigger from between them, accepted after the resolve: ordered by acceptance
        outbox.incidentEventDelivered("pd\nnode-b", new EventOrder(t0.plus(Duration.ofMinutes(10)), t0.plus(Duration.ofMinutes(35)))).join();
        assertThat(outbox.latestIncidentEvent("pd\nnode-b").orElseThrow().accepted()).isEqualTo(t0.plus(Duration.ofMinutes(35)));
    }

    @Test
    void anEventWithoutATimeOfItsOwnIsKeptByWhenItWasAccepted() {
        Instant t0 = Instant.parse("2026-11-27T12:00:00Z");
        outbox.incidentEventDelivered("pd\nnode-a", new EventOrder(null, t0)).join();
        outbox.incidentEventDelivered("pd\nnode-a", new EventOrder(t0.minusSeconds(30), t0.minusSeconds(1))).join();
        assertThat(outbox.latestIncidentEvent("pd\nnode-a")).as("accepted before").contains(new EventOrder(null, t0));
        EventOrder stamped = new EventOrder(t0.minusSeconds(30), t0.plusSeconds(1));
        outbox.incidentEventDelivered("pd\nnode-a", stamped).join();
        assertThat(outbox.latestIncidentEvent("pd\nnode-a")).as("accepted after").contains(stamped);
    }

    @Test
    void housekeepingForgetsIncidentsLastDeliveredToLongerAgoThanTheyAreKept() {
        outbox.incidentEventDelivered("pd\nold", new EventOrder(clock.instant(), clock.instant())).join();
        Instant recent = clock.instant().plus(Duration.ofDays(20));
        outbox.incidentEventDelivered("pd\nrecent", new EventOrder(recent, recent)).join();
        clock.advance(IncidentHistory.KEPT.plusDays(1));

        new OutboxHousekeeping(outbox, Duration.ofHours(24), clock).run();
        assertThat(outbox.latestIncidentEvent("pd\nold")).isEmpty();
        assertThat(outbox.latestIncidentEvent("pd\nrecent")).isPresent();
    }

    @Test
    void housekeepingForgetsLeasesADeadProcessLeftAndKeepsThoseHeld() throws SQLException {
        assertThat(outbox.holdLease("incident-turn/pd\nnode-a", "dead-replica", Duration.ofMinutes(2))).isTrue();
        clock.advance(Duration.ofDays(2));
        assertThat(outbox.holdLease("pollers", "live-replica", Duration.ofSeconds(30))).isTrue();

        new OutboxHousekeeping(outbox, Duration.ofHours(24), clock).run();
        assertThat(query("SELECT name FROM leases")).containsExactly("pollers");
        assertThat(outbox.holdLease("pollers", "other-replica", Duration.ofSeconds(30))).as("still held").isFalse();
    }

    @Test
    void pendingDeliveriesAreListedLongestQueuedFirstWithWhatTheyWaitFor() {
        accept("p1", "slack");
        clock.advance(Duration.ofSeconds(1));
        accept("p2", "slack", "pagerduty"); // leased to whoever accepted it: claimed
        outbox.dead("p2", "pagerduty", lease("p2", "pagerduty"), "http_4xx permanently", "HTTP 400");
        outbox.retryLater("p1", "slack", lease("p1", "slack"), Duration.ofSeconds(30), "http_5xx", "HTTP 503: down");

        assertThat(outbox.pending(null, 10)).extracting(p -> p.eventId() + "@" + p.channel() + " " + p.attempts() + " "
                        + p.reason() + " " + p.lastResponse() + " " + p.claimed())
                .containsExactly("p1@slack 1 http_5xx HTTP 503: down false", "p2@slack 0 null null true");
        PendingDelivery retried = outbox.pending("slack", 1).get(0);
        assertThat(retried.nextAttemptAt()).isEqualTo(clock.instant().plusSeconds(30).toString());
        assertThat(retried.acceptedAt()).isEqualTo(clock.instant().minusSeconds(1).toString());
        assertThat(outbox.pending("pagerduty", 10)).as("a dead letter is not pending").isEmpty();
    }

    @Test
    void discardingTakesOnlyDeadLettersAndTheyAreGoneForGood() {
        accept("e4", "slack", "pagerduty");
        outbox.dead("e4", "pagerduty", lease("e4", "pagerduty"), "http_4xx permanently", "HTTP 400: invalid");

        assertThat(outbox.discard(null, "slack")).as("a pending delivery is not a dead letter").isZero();
        assertThat(outbox.discard("e4", "pagerduty")).isEqualTo(1);
        assertThat(outbox.deadLetters(10)).isEmpty();
        assertThat(outbox.replay("e4", null, null, null).replayed()).isZero();
        assertThat(outbox.stats().dead()).isZero();
        assertThat(outbox.stats().pending()).isEqualTo(1);
    }

    @Test
    void aStoreANewerVersionMadeUnusableForThisOneIsRefusedAtStart() throws SQLException {
        // a later migration older builds cannot live with raises the oldest schema that may run on the store
        outbox.stop();
        sql("UPDATE schema_readers SET oldest = 99");

        assertThatThrownBy(this::open).isInstanceOf(io.castai.events.channels.ConfigurationException.class)
                .hasMessageStartingWith("the outbox was migrated by a newer castai-events")
                .hasMessageContaining("cannot run on: start that version or a newer one");
        sql("UPDATE schema_readers SET oldest = 1");
        outbox = open();
    }

    @Test
    void eventsAnEarlierVersionStoredUnroutedAreFoundAndRoutedOnce() throws SQLException {
        DispatchRecovery recovery = new DispatchRecovery(outbox, Duration.ofSeconds(30), clock);
        accept("routed", "slack");
        clock.advance(Duration.ofMillis(1));
        storeUnrouted(event("stranded"));
        clock.advance(Duration.ofMillis(1));

        assertThat(recovery.pending()).extracting(NotificationEvent::getId).containsExactly("stranded");
        assertThat(recovery.pending()).as("too recent: an earlier version's replica may be routing it").isEmpty();
        clock.advance(Duration.ofSeconds(31));
        assertThat(recovery.pending()).extracting(NotificationEvent::getId).containsExactly("stranded");

        assertThat(outbox.route("stranded", List.of(message("slack", false)))).hasSize(1);
        assertThat(recovery.pending()).isEmpty();
        assertThat(outbox.undispatched(clock.instant().plusSeconds(1), 10)).isEmpty();
    }

    @Test
    void eventsAreRememberedForTheWindowAndSurviveAReopen() {
        accept("e5");
        outbox.stop();
        outbox = open();

        assertThat(outbox.acceptedAt("e5")).hasValue(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertThat(outbox.acceptedAt("other")).isEmpty();
    }

    @Test
    void housekeepingForgetsOnlyWhatIsDone() {
        accept("done", "slack");
        outbox.delivered("done", "slack");
        accept("dead", "slack");
        outbox.dead("dead", "slack", lease("dead", "slack"), "x", "y");
        clock.advance(Duration.ofDays(2));

        assertThat(outbox.forgetBefore(clock.instant().minus(Duration.ofDays(1)))).isEqualTo(1);
        assertThat(outbox.acceptedAt("done")).isEmpty();
        assertThat(outbox.deadLetters(10)).hasSize(1);
    }

    /**
     * Forgotten a batch of acceptance times to a writer unit (the intake's writes go on between
     * them), to the last row; a dead letter among them, and a batch's worth in one millisecond, stay
     * and go as they should.
     */
    @Test
    void housekeepingForgetsMoreThanOneBatchAndNothingElse() {
        accept("dead", "slack");
        outbox.dead("dead", "slack", lease("dead", "slack"), "x", "y");
        int many = 2 * Outbox.FORGET_BATCH + 1;
        for (int i = 0; i < many; i++) {
            accept("done-" + i, "slack");
            outbox.delivered("done-" + i, "slack");
            if (i < Outbox.FORGET_BATCH / 2 || i > Outbox.FORGET_BATCH * 3 / 2) {
                clock.advance(Duration.ofMillis(1)); // the middle batch's worth, all in one millisecond
            }
        }
        accept("waiting", "slack");
        clock.advance(Duration.ofDays(2));

        assertThat(outbox.forgetBefore(clock.instant().minus(Duration.ofDays(1)))).isEqualTo(many);
        assertThat(outbox.acceptedAt("done-0")).isEmpty();
        assertThat(outbox.acceptedAt("done-" + Outbox.FORGET_BATCH)).isEmpty();
        assertThat(outbox.acceptedAt("done-" + (many - 1))).isEmpty();
        assertThat(outbox.acceptedAt("waiting")).isPresent();
        assertThat(outbox.stats().pending()).isEqualTo(1);
        assertThat(outbox.deadLetters(10)).hasSize(1);
    }

    @Test
    void anIdStoredWithinTheWindowIsADuplicateAndAfterItNew() {
        assertThat(accept("again", "slack")).isNotNull();
        assertThat(accept("again", "slack")).as("a duplicate: nothing written").isNull();
        clock.advance(Duration.ofHours(25));
        assertThat(accept("again")).as("past the dedup window: a new event").isNotNull();
    }

    @Test
    void anEventAcceptedAgainAfterTheWindowIsDeliveredAgain() {
        accept("daily", "slack");
        outbox.delivered("daily", "slack");
        clock.advance(Duration.ofHours(25));

        assertThat(accept("daily", "slack")).as("its old delivery row does not stand in the way")
                .extracting(ChannelMessage::channel).containsExactly("slack");
        assertThat(outbox.stats().pending()).isEqualTo(1);
    }

    @Test
    void theSameIdAcceptedAgainAfterADeadLetterIsDeliveredAgain() {
        accept("stuck", "slack");
        outbox.dead("stuck", "slack", lease("stuck", "slack"), "http_4xx permanently", "HTTP 400");
        clock.advance(Duration.ofHours(25));

        assertThat(accept("stuck", "slack")).as("the new event gets its delivery")
                .extracting(ChannelMessage::channel).containsExactly("slack");
        assertThat(outbox.deadLetters(10)).as("the dead letter gave way to it").isEmpty();
        assertThat(outbox.stats().pending()).isEqualTo(1);
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

    /** Accepts event {@code id} routed to these channels; the deliveries recorded, or null for a duplicate. */
    /** The delivery's lease as the store holds it: what the attempt holding it records its outcome under. */
    protected long lease(String eventId, String channel) {
        try (Connection c = rawConnection(); java.sql.PreparedStatement s = c.prepareStatement(
                "SELECT leased_until FROM deliveries WHERE event_id = ? AND channel = ?")) {
            s.setString(1, eventId);
            s.setString(2, channel);
            try (java.sql.ResultSet row = s.executeQuery()) {
                return row.next() ? row.getLong(1) : 0;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    protected List<ChannelMessage> accept(String id, String... channels) {
        return outbox.accept(event(id), Arrays.stream(channels).map(channel -> message(channel, false)).toList());
    }

    protected static ChannelMessage message(String channel, boolean log) {
        return new ChannelMessage(channel, "m", log ? ChannelMessage.LOG : "webhook");
    }

    /** An event as an earlier version stored it before routing it. */
    protected void sql(String... statements) throws SQLException {
        try (Connection c = rawConnection(); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    protected List<String> query(String select) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = rawConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(select)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    private void storeUnrouted(NotificationEvent event) throws SQLException {
        try (Connection c = rawConnection();
             PreparedStatement ps = c.prepareStatement(
                     "INSERT INTO events (id, body, accepted_at, dispatched) VALUES (?, ?, ?, 0)")) {
            ps.setString(1, event.getId());
            ps.setString(2, EventCodec.toJson(event));
            ps.setLong(3, clock.millis());
            ps.executeUpdate();
        }
    }

    protected static NotificationEvent event(String id) {
        return new NotificationEvent(id, "node.added", Severity.INFO, "c-1", "prod", "2026-11-27T12:00:00Z",
                "node.added", "summary", Map.of("nodeName", "n-1"), NotificationEvent.ORIGIN_EVENT);
    }
}
