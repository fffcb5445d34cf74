package io.castai.events.dedup;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The store behind the idempotent-consumer EIP: a Caffeine cache bounded in entries and in time.
 * camel-caffeine's own repository never evicts, so a busy service would grow without limit.
 */
public class BoundedIdempotentRepository extends ServiceSupport implements IdempotentRepository {
    private final Cache<String, Boolean> seen;

    public BoundedIdempotentRepository(long maxEntries, Duration window) {
        this.seen = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                // a key expires a window after it was added (or sooner, see add(key, remaining))
                .expireAfter(Expiry.creating((String key, Boolean value) -> window))
                .build();
    }

    @Override
    public boolean add(String key) {
        return seen.asMap().putIfAbsent(key, Boolean.TRUE) == null;
    }

    /** Keeps a key held already for {@code remaining} from now only. */
    public void expireAfter(String key, Duration remaining) {
        seen.policy().expireVariably().orElseThrow().setExpiresAfter(key, remaining);
    }

    /** Adds a key seen some time ago, for what is left of its window. */
    public void add(String key, Duration remaining) {
        if (!remaining.isNegative() && !remaining.isZero()) {
            seen.policy().expireVariably().orElseThrow().putIfAbsent(key, Boolean.TRUE, remaining);
        }
    }

    @Override
    public boolean contains(String key) {
        return seen.getIfPresent(key) != null;
    }

    @Override
    public boolean remove(String key) {
        return seen.asMap().remove(key) != null;
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public void clear() {
        seen.invalidateAll();
    }

    /** Approximate number of keys held (its bound is tested). */
    public long size() {
        seen.cleanUp();
        return seen.estimatedSize();
    }
}
