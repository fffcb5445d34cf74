package io.castai.events.dedup;

import java.time.Clock;
import java.time.Duration;

import io.castai.events.outbox.Outbox;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The idempotent-consumer repository: the bounded Caffeine cache answers first (and alone
 * decides between two copies arriving at once); a key it does not hold is looked up among the
 * events the outbox accepted within the window, so a repeat after a restart is still a repeat.
 */
public class DurableIdempotentRepository extends ServiceSupport implements IdempotentRepository {
    private final BoundedIdempotentRepository recent;
    private final Outbox outbox;
    private final Duration window;
    private final Clock clock;

    public DurableIdempotentRepository(BoundedIdempotentRepository recent, Outbox outbox, Duration window, Clock clock) {
        this.recent = recent;
        this.outbox = outbox;
        this.window = window;
        this.clock = clock;
    }

    @Override
    public boolean add(String key) {
        if (!recent.add(key)) {
            return false;
        }
        return !outbox.seenSince(key, clock.instant().minus(window));
    }

    @Override
    public boolean contains(String key) {
        return recent.contains(key) || outbox.seenSince(key, clock.instant().minus(window));
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
