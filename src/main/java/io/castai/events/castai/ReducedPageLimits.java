package io.castai.events.castai;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A poller's page size per cluster (or organization). Where a page came unreadable (cut at
 * HTTP_MAX_ANSWER_BYTES, most likely), the next tries ask for half as many items each time, down
 * to one: asked again for the same page, the real API answers the same page, and the poller would
 * stay stuck on it behind every later item. Once the poller has read to the last page, the pages
 * that were too long are behind it: the next run asks for the configured size again (a run that
 * halved for some other unreadable answer, a proxy's error page say, does not stay slow either).
 */
final class ReducedPageLimits {
    private final int configured;
    private final Map<String, Integer> reduced = new ConcurrentHashMap<>();

    ReducedPageLimits(int configured) {
        this.configured = configured;
    }

    /** The page size to ask for in this scope. */
    int of(String scope) {
        return reduced.getOrDefault(scope, configured);
    }

    /** After an unreadable page in this scope: the size the next tries ask for. */
    int halve(String scope) {
        return reduced.merge(scope, Math.max(1, configured / 2), (was, ignored) -> Math.max(1, was / 2));
    }

    /** After the last page in this scope was read: the configured size again. */
    void caughtUp(String scope) {
        reduced.remove(scope);
    }
}
