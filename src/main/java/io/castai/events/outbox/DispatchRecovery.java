package io.castai.events.outbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.castai.events.intake.NotificationEvent;

/**
 * Finds stored events that were never routed: at start-up, all of them (the previous process
 * stopped between storing and routing); afterwards, those older than a grace period (the routing
 * queue was full when they came in). Routing one twice is harmless: deliveries are recorded once.
 */
public class DispatchRecovery {
    private static final int BATCH = 1000;

    private final Outbox outbox;
    private final Duration grace;
    private final Clock clock;
    private volatile boolean startedUp;

    public DispatchRecovery(Outbox outbox, Duration grace, Clock clock) {
        this.outbox = outbox;
        this.grace = grace;
        this.clock = clock;
    }

    public List<NotificationEvent> pending() {
        Instant before = startedUp ? clock.instant().minus(grace) : clock.instant();
        startedUp = true;
        return outbox.undispatched(before, BATCH);
    }
}
