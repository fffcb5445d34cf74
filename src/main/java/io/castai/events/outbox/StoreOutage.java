package io.castai.events.outbox;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a background route does when the store cannot be reached (PostgreSQL away, a disk
 * error): one WARN line per route every half minute rather than a stack trace per tick. Nothing
 * is lost: the timers try again on their next tick, and an event whose routing and storing (one
 * commit) failed was not stored: its sender, poller or resync tries again.
 */
public class StoreOutage {
    private static final Logger LOG = LoggerFactory.getLogger(StoreOutage.class);
    private static final Duration QUIET = Duration.ofSeconds(30);

    private final Clock clock;
    private final Map<String, Long> lastReported = new ConcurrentHashMap<>();

    public StoreOutage(Clock clock) {
        this.clock = clock;
    }

    public void report(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String route = exchange.getFromRouteId();
        long now = clock.millis();
        Long last = lastReported.get(route);
        if (last == null || now - last >= QUIET.toMillis()) {
            lastReported.put(route, now);
            LOG.warn("The store cannot be used by {}: {}; it tries again by itself (said at most every {} s)",
                    route, OutboxException.describe(failure), QUIET.toSeconds());
        }
    }
}
