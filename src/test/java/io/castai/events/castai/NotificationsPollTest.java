package io.castai.events.castai;

import io.castai.events.intake.EventParser;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How a notifications run goes through the API's pages. */
class NotificationsPollTest {
    private final NotificationsPoll poll = new NotificationsPoll(new CastaiApi("k", "http://castai", ""),
            new PolledEvents(new EventParser()), null, 100);

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
