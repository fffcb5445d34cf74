package io.castai.events.dedup;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The store behind the idempotent-consumer EIP: a Caffeine cache bounded in entries and in time.
 * camel-caffeine's own repository never evicts, so a busy service would grow without limit. Each
 * id keeps a fingerprint of its event's content ({@link #UNKNOWN} when not known: an id read back
 * from the store at start), so a repeat with other content can be told from a retry.
 */
public class BoundedIdempotentRepository extends ServiceSupport implements IdempotentRepository {
    /** The fingerprint of an id whose content is not known. */
    public static final long UNKNOWN = 0;

    private final Cache<String, Long> seen;

    public BoundedIdempotentRepository(long maxEntries, Duration window) {
        this.seen = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                // a key expires a window after it was added (or sooner, see add(key, remaining))
                .expireAfter(Expiry.creating((String key, Long value) -> window))
                .build();
    }

    @Override
    public boolean add(String key) {
        return seen.asMap().putIfAbsent(key, UNKNOWN) == null;
    }

    /** Adds the key with its content's fingerprint: null when added, else the fingerprint it was added with. */
    public Long addOrGet(String key, long fingerprint) {
        return seen.asMap().putIfAbsent(key, fingerprint);
    }

    /** Keeps a key held already for {@code remaining} from now only. */
    public void expireAfter(String key, Duration remaining) {
        seen.policy().expireVariably().orElseThrow().setExpiresAfter(key, remaining);
    }

    /** Adds a key seen some time ago, for what is left of its window. */
    public void add(String key, Duration remaining) {
        if (!remaining.isNegative() && !remaining.isZero()) {
            seen.policy().expireVariably().orElseThrow().putIfAbsent(key, UNKNOWN, remaining);
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
