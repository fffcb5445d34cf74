package io.castai.events.castai;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A poller's page size per cluster (or organization). Where a page came unreadable (cut at
 * HTTP_MAX_ANSWER_BYTES, most likely), the next tries ask for half as many items each time, down
 * to one, for as long as the process runs: asked again for the same page, the real API answers
 * the same page, and the poller would stay stuck on it behind every later item.
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
}
