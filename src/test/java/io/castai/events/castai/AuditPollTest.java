package io.castai.events.castai;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import io.castai.events.intake.EventParser;
import io.castai.events.intake.NotificationEvent;
import io.castai.events.outbox.Outbox;
import io.castai.events.outbox.Store;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** How the audit-log windows follow each other, from the checkpoint in the store. */
class AuditPollTest {
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00.700Z");

    @TempDir
    Path dataDir;
    private Outbox store;

    @BeforeEach
    void openStore() {
        store = new Outbox(Store.sqlite(dataDir), Clock.systemUTC(), Duration.ofMinutes(2), Duration.ofHours(24));
        store.start();
    }

    @AfterEach
    void closeStore() {
        store.stop();
    }

    @Test
    void windowsStartAnOverlapBeforeTheLastEndedAndStopALagBeforeNow() throws Exception {
        AuditPoll first = poll(Clock.fixed(NOW, ZoneOffset.UTC));
        Exchange run = begin(first);
        assertThat(window(run)).isEqualTo(new AuditCheckpoint(
                Instant.parse("2026-11-27T10:59:30Z"), Instant.parse("2026-11-27T11:59:30Z"), ""));
        run.setProperty("auditNextCursor", "");
        first.commitPage(run);

        AuditPoll later = poll(Clock.fixed(NOW.plus(Duration.ofMinutes(1)), ZoneOffset.UTC));
        assertThat(window(begin(later))).as("the next window, from the saved checkpoint, 5 minutes back for late entries")
                .isEqualTo(new AuditCheckpoint(Instant.parse("2026-11-27T11:54:30Z"), Instant.parse("2026-11-27T12:00:30Z"), ""));
    }

    @Test
    void afterAGapLongerThanTheDedupWindowTheNextWindowStartsWhereTheLastEnded() throws Exception {
        readAPage("");

        // stopped for a day: what the overlap would read again was forwarded too long ago to be remembered
        AuditPoll dayLater = poll(Clock.fixed(NOW.plus(Duration.ofHours(24)), ZoneOffset.UTC));
        assertThat(window(begin(dayLater)).from()).isEqualTo(Instant.parse("2026-11-27T11:59:30Z"));
    }

    @Test
    void theOverlapReachesNoFurtherBackThanDeduplicationRemembers() throws Exception {
        readAPage("");

        // stopped for 23 h 58 min (DEDUP_WINDOW 24 h): the full overlap would read entries accepted 24 h 2 min ago
        AuditPoll almostADayLater = poll(Clock.fixed(NOW.plus(Duration.ofHours(23)).plus(Duration.ofMinutes(58)), ZoneOffset.UTC));
        assertThat(window(begin(almostADayLater)).from()).as("24 h before this window's end (11:57:30 tomorrow), and a minute spare")
                .isEqualTo(Instant.parse("2026-11-27T11:58:30Z"));
    }

    @Test
    void aDedupWindowShorterThanTheOverlapShortensIt() throws Exception {
        readAPage("");

        // DEDUP_WINDOW 3 min, a run a minute later: the overlap's first 4 minutes were accepted over 3 minutes ago
        AuditPoll minuteLater = poll(Clock.fixed(NOW.plus(Duration.ofMinutes(1)), ZoneOffset.UTC), Duration.ofMinutes(3));
        assertThat(window(begin(minuteLater)).from()).isEqualTo(Instant.parse("2026-11-27T11:58:30Z"));
    }

    @Test
    void anUnfinishedWindowIsResumedAtItsCursor() throws Exception {
        readAPage("page-2");

        AuditCheckpoint resumed = window(begin(poll(Clock.fixed(NOW.plus(Duration.ofHours(1)), ZoneOffset.UTC))));
        assertThat(resumed.cursor()).isEqualTo("page-2");
        assertThat(resumed.to()).isEqualTo(Instant.parse("2026-11-27T11:59:30Z"));
    }

    @Test
    void cursorsThatCycleEndTheWindowInsteadOfLoopingForEver() {
        AuditPoll poll = poll(Clock.fixed(NOW, ZoneOffset.UTC));
        Exchange run = begin(poll);
        for (String next : new String[] {"A", "B"}) {
            run.setProperty("auditNextCursor", next);
            poll.commitPage(run);
            assertThat(run.getProperty(AuditPoll.MORE_PAGES, Boolean.class)).as(next).isTrue();
        }
        run.setProperty("auditNextCursor", "A");
        poll.commitPage(run);

        assertThat(run.getProperty(AuditPoll.MORE_PAGES, Boolean.class)).as("A again: the API cycles").isFalse();
        assertThat(window(run).windowDone()).isTrue();
    }

    @Test
    void aCursorThatNeverEndsStopsTheRunAtThePageLimitAndTheNextRunGoesOn() {
        AuditPoll poll = poll(Clock.fixed(NOW, ZoneOffset.UTC));
        Exchange run = begin(poll);
        int pages = 0;
        while (run.getProperty(AuditPoll.MORE_PAGES, Boolean.class) && pages < 10 * PageRun.MAX_PAGES) {
            run.setProperty("auditNextCursor", "c" + ++pages);
            poll.commitPage(run);
        }

        assertThat(pages).as("one run reads at most the page limit").isEqualTo(PageRun.MAX_PAGES);
        AuditCheckpoint resumed = window(begin(poll(Clock.fixed(NOW.plusSeconds(60), ZoneOffset.UTC))));
        assertThat(resumed.cursor()).as("the next run resumes where this one stopped").isEqualTo("c" + pages);
    }

    @Test
    void aCheckpointFileFromAnEarlierVersionIsResumed() throws Exception {
        Files.createDirectories(dataDir.resolve("castai-audit"));
        Files.writeString(dataDir.resolve("castai-audit/c-1.json"),
                "{\"from\":\"2026-11-27T10:00:00Z\",\"to\":\"2026-11-27T11:00:00Z\",\"cursor\":\"legacy-2\"}");

        assertThat(window(begin(poll(Clock.fixed(NOW, ZoneOffset.UTC))))).isEqualTo(new AuditCheckpoint(
                Instant.parse("2026-11-27T10:00:00Z"), Instant.parse("2026-11-27T11:00:00Z"), "legacy-2"));
        // moved into the store, and set aside: with the store's row deleted (to start over from the
        // lookback, as an unreadable row's message says), the file must not bring back its old window
        assertThat(store.checkpoint("audit/c-1")).hasValueSatisfying(json -> assertThat(json).contains("legacy-2"));
        assertThat(dataDir.resolve("castai-audit/c-1.json")).doesNotExist();
        assertThat(dataDir.resolve("castai-audit/c-1.json.migrated")).exists();
    }

    @Test
    void aPagesEntriesAreForwardedInTheOrderOfTheInstantsTheyName() throws Exception {
        Exchange run = begin(poll(Clock.fixed(NOW, ZoneOffset.UTC)));
        run.getMessage().setBody("{\"items\":["
                + "{\"id\":\"a\",\"eventType\":\"nodeAdded\",\"time\":\"2026-11-27T11:00:30Z\"},"
                + "{\"id\":\"b\",\"eventType\":\"nodeAdded\",\"time\":\"2026-11-27T12:00:05+01:00\"},"
                + "{\"id\":\"c\",\"eventType\":\"nodeAdded\",\"time\":\"2026-11-27T11:00:10.5Z\"}],\"nextCursor\":\"\"}");

        assertThat(poll(Clock.fixed(NOW, ZoneOffset.UTC)).readPage(run)).extracting(NotificationEvent::getId)
                .as("11:00:05, 11:00:10.5, 11:00:30 (as text, the offset and the fraction would sort them otherwise)")
                .containsExactly("audit:b", "audit:c", "audit:a");
    }

    /** A run at NOW reads the first page of its window, whose answer names this next cursor. */
    private void readAPage(String nextCursor) throws Exception {
        AuditPoll poll = poll(Clock.fixed(NOW, ZoneOffset.UTC));
        Exchange run = begin(poll);
        run.setProperty("auditNextCursor", nextCursor);
        poll.commitPage(run);
    }

    private AuditPoll poll(Clock clock) {
        return poll(clock, Duration.ofHours(24));
    }

    private AuditPoll poll(Clock clock, Duration dedupWindow) {
        return new AuditPoll(new CastaiApi("k", "http://castai", "c-1"), new PolledEvents(new EventParser()), store,
                dataDir, Duration.ofHours(1), Duration.ofSeconds(30), Duration.ofMinutes(5), dedupWindow, 100, clock);
    }

    private static Exchange begin(AuditPoll poll) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody("c-1");
        poll.begin(exchange);
        return exchange;
    }

    private static AuditCheckpoint window(Exchange exchange) {
        return exchange.getProperty("auditWindow", AuditCheckpoint.class);
    }
}
