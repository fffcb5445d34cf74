package io.castai.events.outbox;

import java.lang.management.ManagementFactory;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

import io.castai.events.channels.SharedIncidentTurns;

/**
 * Incidents' turns held as leases in the store the replicas share (table leases, one row per
 * incident being sent), for as long as a delivery's lease: a replica that dies holding one holds
 * up that incident's deliveries until then, and no longer.
 */
public final class StoreIncidentTurns implements SharedIncidentTurns {
    private static final String PREFIX = "incident-turn/";

    private final Outbox outbox;
    /** This process among the replicas. */
    private final String owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID();

    public StoreIncidentTurns(Outbox outbox) {
        this.outbox = outbox;
    }

    @Override
    public boolean take(String incident) {
        // as long as a delivery's own lease: a send never outlasts that
        return outbox.holdLease(PREFIX + incident, owner, outbox.deliveryLease());
    }

    @Override
    public CompletionStage<?> letGo(String incident) {
        return outbox.releaseLeaseLater(PREFIX + incident, owner);
    }
}
