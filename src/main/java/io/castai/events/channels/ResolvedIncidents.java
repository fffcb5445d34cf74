package io.castai.events.channels;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PagerDuty incidents (channel and dedup key) a resolve was delivered for, with when the
 * resolve's event was accepted: a trigger accepted before that and sent after it would open an
 * incident for a node that is gone, which nothing would resolve. Kept in this process's memory,
 * where its own resolves are seen at once, and in the store, where a restart's and the other
 * replicas' are seen too; for {@link #KEPT} (housekeeping forgets them then).
 */
public final class ResolvedIncidents {
    /** How long a resolve is remembered: a trigger replayed from the dead letters later than this is sent. */
    public static final Duration KEPT = Duration.ofDays(30);
    private static final Logger LOG = LoggerFactory.getLogger(ResolvedIncidents.class);

    /** Where resolves outlive the process: the outbox's store. */
    public interface Store {
        CompletableFuture<Integer> incidentResolved(String incident, Instant acceptedAt);

        Optional<Instant> incidentResolvedBy(String incident);
    }

    private final Store store;
    /** This process's own resolves, the latest of each incident (bounded: the store has the rest). */
    private final Cache<String, Instant> recent = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(KEPT).build();

    public ResolvedIncidents(Store store) {
        this.store = store;
    }

    /**
     * A resolve of {@code incident} was delivered, for an event accepted at {@code acceptedAt}.
     * Kept in memory at once; in the store without waiting (a failure there is logged: only a
     * restart or another replica would then miss it).
     */
    public void resolved(String incident, Instant acceptedAt) {
        recent.asMap().merge(incident, acceptedAt, (a, b) -> a.isAfter(b) ? a : b);
        CompletableFuture<Integer> kept;
        try {
            kept = store.incidentResolved(incident, acceptedAt);
        } catch (RuntimeException failed) {
            kept = CompletableFuture.failedFuture(failed);
        }
        kept.whenComplete((rows, failure) -> {
            if (failure != null) {
                LOG.warn("Could not keep the resolve of PagerDuty incident {} in the store ({}): after a restart, or on "
                        + "another replica, a trigger of it accepted earlier and retried later would still be sent",
                        incident.replace('\n', ' '), failure.toString());
            }
        });
    }

    /**
     * True when a resolve of {@code incident} was delivered for an event accepted after {@code
     * accepted}. When the store cannot be read, this process's memory answers (with a WARN): a
     * trigger is better sent than held back, or failed for good, on a store that does not answer.
     */
    public boolean resolvedAfter(String incident, Instant accepted) {
        Instant here = recent.getIfPresent(incident);
        if (here != null && here.isAfter(accepted)) {
            return true;
        }
        try {
            return store.incidentResolvedBy(incident).map(stored -> stored.isAfter(accepted)).orElse(false);
        } catch (RuntimeException unread) {
            LOG.warn("Could not read the resolves of PagerDuty incident {} from the store ({}): its trigger is sent, as "
                    + "no resolve this process delivered holds it back", incident.replace('\n', ' '), unread.toString());
            return false;
        }
    }
}
