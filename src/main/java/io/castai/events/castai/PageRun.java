package io.castai.events.castai;

import java.util.HashSet;
import java.util.Set;

import org.apache.camel.Exchange;

/**
 * One poller run over the API's pages, bounded. A cursor the run was given before means the API
 * cycles (A, B, A, ...): reading on would never end. After {@link #MAX_PAGES} pages the run stops
 * and the next scheduled run goes on: a cursor that never ends neither traps the run, hammering
 * the API, nor holds up the other clusters' polls.
 */
final class PageRun {
    static final int MAX_PAGES = 100;
    private static final String CURSORS = "castaiRunCursors";
    private static final String PAGES = "castaiRunPages";

    /** After a page: read the next one, or stop. */
    enum Next { PAGE, DONE, CYCLED, PAGE_LIMIT }

    private PageRun() {
    }

    /** At a run's start; {@code cursor}: where it resumes ("" for the first page). */
    static void start(Exchange exchange, String cursor) {
        Set<String> seen = new HashSet<>();
        if (!cursor.isEmpty()) {
            seen.add(cursor);
        }
        exchange.setProperty(CURSORS, seen);
        exchange.setProperty(PAGES, 0);
    }

    /**
     * The run reads from the first page again (the list changed under its cursors): the cursors
     * seen so far may come again, and are no cycle; the pages read still count.
     */
    static void restart(Exchange exchange) {
        exchange.setProperty(CURSORS, new HashSet<String>());
    }

    /** What the run does with the page's next cursor ("" when the API says it was the last page). */
    @SuppressWarnings("unchecked")
    static Next after(Exchange exchange, String nextCursor) {
        int pages = exchange.getProperty(PAGES, 0, Integer.class) + 1;
        exchange.setProperty(PAGES, pages);
        if (nextCursor.isEmpty()) {
            return Next.DONE;
        }
        Set<String> seen = exchange.getProperty(CURSORS, Set.class);
        if (!seen.add(nextCursor)) {
            return Next.CYCLED;
        }
        return pages >= MAX_PAGES ? Next.PAGE_LIMIT : Next.PAGE;
    }
}
