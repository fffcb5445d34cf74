package io.castai.events.channels;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest event delivered to each PagerDuty incident (channel and dedup key) of a channel that
 * resolves incidents, in {@link EventOrder}. A delivery of an earlier event, retried or replayed
 * after it, would undo it: a trigger sent after its incident's resolve opens an incident for a
 * node that is gone, which nothing resolves; a resolve sent after a newer trigger closes an
 * incident nobody has seen. Kept in this process's memory, where its own deliveries are seen at
 * once, and in the store, where a restart's and the other replicas' are seen too; for {@link #KEPT}
 * (housekeeping forgets them then).
 */
public final class IncidentHistory {
    /** How long a delivery is remembered: an older event replayed from the dead letters later than this is sent. */
    public static final Duration KEPT = Duration.ofDays(30);
    private static final Logger LOG = LoggerFactory.getLogger(IncidentHistory.class);

    /** Where the incidents' latest events outlive the process: the outbox's store. */
    public interface Store {
        /** Keeps {@code order} as the incident's latest event, unless a later one is kept already. */
        CompletableFuture<Integer> incidentEventDelivered(String incident, EventOrder order);

        Optional<EventOrder> latestIncidentEvent(String incident);
    }

    private final Store store;
    /** This process's own deliveries, the latest of each incident (bounded: the store has the rest). */
    private final Cache<String, EventOrder> recent = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(KEPT).build();

    public IncidentHistory(Store store) {
        this.store = store;
    }

    /**
     * An event of {@code incident} was delivered. Kept in memory at once; in the store without
     * waiting (a failure there is logged: only a restart or another replica would then miss it).
     */
    public void delivered(String incident, EventOrder order) {
        recent.asMap().merge(incident, order, (a, b) -> a.isAfter(b) ? a : b);
        CompletableFuture<Integer> kept;
        try {
            kept = store.incidentEventDelivered(incident, order);
        } catch (RuntimeException failed) {
            kept = CompletableFuture.failedFuture(failed);
        }
        kept.whenComplete((rows, failure) -> {
            if (failure != null) {
                LOG.warn("Could not keep the delivery to PagerDuty incident {} in the store ({}): after a restart, or on "
                        + "another replica, an earlier event of it retried later would still be sent",
                        incident.replace('\n', ' '), failure.toString());
            }
        });
    }

    /**
     * True when an event of {@code incident} later than {@code order} was delivered. When the
     * store cannot be read, this process's memory answers (with a WARN): a delivery is better sent
     * than held back, or failed for good, on a store that does not answer.
     */
    public boolean laterDelivered(String incident, EventOrder order) {
        EventOrder here = recent.getIfPresent(incident);
        if (here != null && here.isAfter(order)) {
            return true;
        }
        try {
            return store.latestIncidentEvent(incident).map(stored -> stored.isAfter(order)).orElse(false);
        } catch (RuntimeException unread) {
            LOG.warn("Could not read the deliveries to PagerDuty incident {} from the store ({}): this one is sent, as "
                    + "no later one this process delivered holds it back", incident.replace('\n', ' '), unread.toString());
            return false;
        }
    }
}
