package io.castai.events.channels;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One delivery at a time per PagerDuty incident, in this process and, on a shared store, among
 * the replicas ({@link SharedIncidentTurns}). A trigger and the resolve of
 * its incident due together (both replayed from the dead letters, say) were sent at once by the
 * channel's consumers, and the resolve could reach PagerDuty first: the incident stayed open.
 * Taken in turn, the second sees what the first did (a trigger after its resolve is superseded).
 * A turn is held until the delivery's exchange ends: sent, failed or not sent; a delivery that
 * finds its incident's turn taken is put back for a moment, not waited for.
 *
 * <p>Camel's throttle EIP (ConcurrentRequests mode, correlated by incident) would say this, but
 * in Camel 4.17 it forgets a key 10 s after a release even while another exchange holds the key's
 * permit, and then lets a second one in.
 */
final class IncidentTurns {
    private static final Logger LOG = LoggerFactory.getLogger(IncidentTurns.class);

    /** The incidents a delivery of this process is being sent for just now. */
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    /** And the turns among the replicas, taken after this process's own. */
    private final SharedIncidentTurns shared;

    IncidentTurns(SharedIncidentTurns shared) {
        this.shared = shared;
    }

    /**
     * Takes the incident's turn if no other delivery holds it (of this process, or of another
     * replica), until the exchange completes; false (nothing taken) when one does, or when the
     * store cannot say. Never waits: a channel's few workers waiting on one busy incident would
     * hold up every other incident's deliveries behind it.
     */
    boolean tryTake(String incident, Exchange exchange) {
        if (!busy.add(incident)) {
            return false;
        }
        boolean taken = false;
        try {
            taken = shared.take(incident);
        } catch (RuntimeException storeAway) {
            LOG.warn("Could not take the turn of PagerDuty incident {} among the replicas ({}): its delivery waits",
                    incident.replace('\n', ' '), storeAway.toString());
        }
        if (!taken) {
            busy.remove(incident);
            return false;
        }
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                // The release is queued for the store's writer before this process's turn is free, so this
                // process's next take of the incident is written after it, not undone by it; not waited for.
                CompletionStage<?> released;
                try {
                    released = shared.letGo(incident);
                } catch (RuntimeException storeAway) {
                    released = CompletableFuture.failedFuture(storeAway);
                } finally {
                    busy.remove(incident);
                }
                released.whenComplete((rows, storeAway) -> {
                    if (storeAway != null) {
                        LOG.warn("Could not let go of the turn of PagerDuty incident {} among the replicas ({}): its "
                                + "deliveries on other replicas wait until the turn's lease runs out",
                                incident.replace('\n', ' '), storeAway.toString());
                    }
                });
            }
        });
        return true;
    }

    /** How many incidents have a delivery holding their turn. */
    int inUse() {
        return busy.size();
    }
}
