package io.castai.events.channels;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * One delivery at a time per PagerDuty incident, in this process. A trigger and the resolve of
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
    private final Map<String, Turn> turns = new ConcurrentHashMap<>();

    /** A key's permit, and how many deliveries hold or are trying for it (the entry goes with the last). */
    private static final class Turn {
        private final Semaphore permit = new Semaphore(1);
        private int users; // changed only inside the map's compute
    }

    /**
     * Takes the incident's turn if no other delivery holds it, until the exchange completes; false
     * (nothing taken) when one does. Never waits: a channel's few workers waiting on one busy
     * incident would hold up every other incident's deliveries behind it.
     */
    boolean tryTake(String incident, Exchange exchange) {
        Turn turn = turns.compute(incident, (key, existing) -> {
            Turn joined = existing != null ? existing : new Turn();
            joined.users++;
            return joined;
        });
        if (!turn.permit.tryAcquire()) {
            leave(incident, turn);
            return false;
        }
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                turn.permit.release();
                leave(incident, turn);
            }
        });
        return true;
    }

    /** How many incidents have a delivery holding their turn. */
    int inUse() {
        return turns.size();
    }

    private void leave(String incident, Turn turn) {
        turns.computeIfPresent(incident, (key, existing) -> existing == turn && --existing.users == 0 ? null : existing);
    }
}
