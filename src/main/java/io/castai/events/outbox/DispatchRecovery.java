package io.castai.events.outbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.castai.events.intake.NotificationEvent;

/**
 * Finds stored events that were never routed. Events are stored together with their deliveries
 * in one commit, so only an earlier version leaves such events (it stored first and routed
 * after): at start-up, all of them; afterwards, those older than a grace period (during a rolling
 * upgrade a replica of the earlier version may still be routing them). Routing one twice is
 * harmless: deliveries are recorded once.
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
