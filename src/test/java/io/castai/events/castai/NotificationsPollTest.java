package io.castai.events.castai;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

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

/** How a notifications run goes through the API's pages. */
class NotificationsPollTest {
    @TempDir
    Path dataDir;
    private Outbox store;
    private NotificationsPoll poll;

    @BeforeEach
    void open() {
        store = new Outbox(Store.sqlite(dataDir), Clock.systemUTC(), Duration.ofMinutes(2), Duration.ofHours(24));
        store.start();
        poll = new NotificationsPoll(new CastaiApi("k", "http://castai", ""), new PolledEvents(new EventParser()), store, 100);
    }

    @AfterEach
    void close() {
        store.stop();
    }

    @Test
    void aStoredNotificationIsAcknowledgedByTheIdCastAiSentEvenPadded() throws Exception {
        Exchange run = begin();
        run.getMessage().setBody("{\"items\":[{\"id\":\" n-1 \",\"severity\":\"WARNING\",\"name\":\"Padded\"},"
                + "{\"severity\":\"WARNING\",\"name\":\"No id\"}],\"nextCursor\":\"\"}");
        List<NotificationEvent> page = poll.readPage(run);
        page.forEach(event -> store.accept(event, List.of()));

        assertThat(page.get(0).getId()).isEqualTo("n-1");
        assertThat(poll.hasAcks(run)).isTrue();
        assertThat(run.getProperty("notificationIds", List.class)).as("as CAST AI knows it; the one without an id cannot be")
                .containsExactly(" n-1 ");
    }

    @Test
    void aListThatStillHoldsThisRunsAcksEndsTheRunInsteadOfReadingItAgainAndAgain() throws Exception {
        Exchange run = begin();
        String firstPage = "{\"items\":[{\"id\":\"n-1\",\"severity\":\"WARNING\",\"name\":\"One\"}],\"nextCursor\":\"c2\"}";
        run.getMessage().setBody(firstPage);
        poll.readPage(run).forEach(event -> store.accept(event, List.of()));
        assertThat(poll.hasAcks(run)).isTrue();
        poll.ack(run);
        assertThat(run.getMessage().getBody(String.class)).isEqualTo("{\"ids\":[\"n-1\"]}");

        // the acknowledgement has not reached the unacknowledged list yet: page one comes back the same
        run.getMessage().setBody(firstPage);
        poll.readPage(run);
        assertThat(poll.hasAcks(run)).as("acknowledged once in a run").isFalse();
        assertThat(run.getProperty(AuditPoll.MORE_PAGES, Boolean.class)).as("not read from the start again").isFalse();
    }

    @Test
    void cursorsThatCycleEndTheRun() throws Exception {
        Exchange run = begin();
        assertThat(readPage(run, "A")).isTrue();
        assertThat(readPage(run, "B")).isTrue();
        assertThat(readPage(run, "A")).as("A again: the API cycles").isFalse();
    }

    @Test
    void aCursorThatNeverEndsStopsTheRunAtThePageLimit() throws Exception {
        Exchange run = begin();
        int pages = 0;
        while (readPage(run, "c" + ++pages) && pages < 10 * PageRun.MAX_PAGES) {
            // a new cursor on every page
        }
        assertThat(pages).isEqualTo(PageRun.MAX_PAGES);
    }

    private Exchange begin() {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody("");
        poll.begin(exchange);
        return exchange;
    }

    /** Reads an empty page whose answer names this next cursor; true when the run reads on. */
    private boolean readPage(Exchange run, String nextCursor) throws Exception {
        run.getMessage().setBody("{\"items\":[],\"nextCursor\":\"" + nextCursor + "\"}");
        poll.readPage(run);
        return run.getProperty(AuditPoll.MORE_PAGES, Boolean.class);
    }
}
