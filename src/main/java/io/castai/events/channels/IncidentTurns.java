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
 * A turn is held until the delivery's exchange ends: sent, failed or not sent.
 *
 * <p>Camel's throttle EIP (ConcurrentRequests mode, correlated by incident) would say this, but
 * in Camel 4.17 it forgets a key 10 s after a release even while another exchange holds the key's
 * permit, and then lets a second one in.
 */
final class IncidentTurns {
    private final Map<String, Turn> turns = new ConcurrentHashMap<>();

    /** A key's permit, and how many deliveries hold or wait for it (the entry goes with the last). */
    private static final class Turn {
        private final Semaphore permit = new Semaphore(1, true); // fair: in the order they came
        private int users; // changed only inside the map's compute
    }

    /** Waits for the incident's turn; it is given up when the exchange completes. */
    void take(String incident, Exchange exchange) throws InterruptedException {
        Turn turn = turns.compute(incident, (key, existing) -> {
            Turn joined = existing != null ? existing : new Turn();
            joined.users++;
            return joined;
        });
        try {
            turn.permit.acquire();
        } catch (InterruptedException stopping) {
            leave(incident, turn);
            throw stopping;
        }
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                turn.permit.release();
                leave(incident, turn);
            }
        });
    }

    /** How many incidents have a delivery holding or waiting for their turn. */
    int inUse() {
        return turns.size();
    }

    private void leave(String incident, Turn turn) {
        turns.computeIfPresent(incident, (key, existing) -> existing == turn && --existing.users == 0 ? null : existing);
    }
}
