package io.castai.events.dedup;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.castai.events.outbox.Outbox;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idempotent-consumer repository: the bounded Caffeine cache decides, and at start it is
 * filled with the ids the outbox accepted within the window, so a repeat after a restart is
 * still a repeat without a disk read per request. Should the cache ever drop a key inside the
 * window (more than DEDUP_MAX_ENTRIES ids in it), the store still finds the event a duplicate:
 * it accepts an id once per window.
 */
public class DurableIdempotentRepository extends ServiceSupport implements IdempotentRepository {
    private static final Logger LOG = LoggerFactory.getLogger(DurableIdempotentRepository.class);

    private final BoundedIdempotentRepository recent;
    private final Outbox outbox;
    private final Duration window;
    private final long maxEntries;
    private final Clock clock;

    public DurableIdempotentRepository(BoundedIdempotentRepository recent, long maxEntries, Outbox outbox,
                                       Duration window, Clock clock) {
        this.recent = recent;
        this.maxEntries = maxEntries;
        this.outbox = outbox;
        this.window = window;
        this.clock = clock;
    }

    @Override
    protected void doStart() {
        outbox.start();
        Instant now = clock.instant();
        Map<String, Instant> ids = outbox.acceptedSince(now.minus(window), maxEntries);
        // each for the rest of its own window, not a new one: a restart does not stretch it
        ids.forEach((id, acceptedAt) -> recent.add(id, windowLeft(acceptedAt, now)));
        LOG.info("Deduplication remembers {} event id(s) from the last {}", ids.size(), window);
    }

    /**
     * After the store found an id the cache did not know to be a duplicate (accepted by another
     * replica, or before the cache let the id go): the cache, which added it as new, keeps it
     * for what is left of the earlier event's window only, not a window from now.
     */
    public void keepForItsWindow(String key) {
        Instant now = clock.instant();
        Duration remaining = outbox.acceptedAt(key).map(at -> windowLeft(at, now)).orElse(Duration.ZERO);
        if (remaining.isNegative() || remaining.isZero()) {
            recent.remove(key);
        } else {
            recent.expireAfter(key, remaining);
        }
    }

    private Duration windowLeft(Instant acceptedAt, Instant now) {
        return window.minus(Duration.between(acceptedAt, now));
    }

    @Override
    public boolean add(String key) {
        return recent.add(key);
    }

    @Override
    public boolean contains(String key) {
        return recent.contains(key);
    }

    @Override
    public boolean remove(String key) {
        return recent.remove(key);
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public void clear() {
        recent.clear();
    }
}
