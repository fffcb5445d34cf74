package io.castai.events.outbox;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.UUID;

import io.castai.events.channels.SharedIncidentTurns;

/**
 * Incidents' turns held as leases in the store the replicas share (table leases, one row per
 * incident being sent), for as long as a delivery's lease: a replica that dies holding one holds
 * up that incident's deliveries until then, and no longer.
 */
public final class StoreIncidentTurns implements SharedIncidentTurns {
    private static final String PREFIX = "incident-turn/";

    private final Outbox outbox;
    private final Duration lease;
    /** This process among the replicas. */
    private final String owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID();

    public StoreIncidentTurns(Outbox outbox, Duration lease) {
        this.outbox = outbox;
        this.lease = lease;
    }

    @Override
    public boolean take(String incident) {
        return outbox.holdLease(PREFIX + incident, owner, lease);
    }

    @Override
    public void letGo(String incident) {
        outbox.releaseLease(PREFIX + incident, owner);
    }
}
