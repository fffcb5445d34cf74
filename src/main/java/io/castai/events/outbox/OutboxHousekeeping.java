package io.castai.events.outbox;

import java.time.Clock;
import java.time.Duration;

import io.castai.events.channels.IncidentHistory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the outbox small: what was delivered and is older than the dedup window is forgotten, and
 * so are PagerDuty incidents last delivered to longer ago than {@link IncidentHistory#KEPT} and leases
 * that ran out a day ago (an incident's turn a dying replica held).
 */
public class OutboxHousekeeping {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxHousekeeping.class);

    private final Outbox outbox;
    private final Duration window;
    private final Clock clock;

    public OutboxHousekeeping(Outbox outbox, Duration window, Clock clock) {
        this.outbox = outbox;
        this.window = window;
        this.clock = clock;
    }

    public void run() {
        int forgotten = outbox.forgetBefore(clock.instant().minus(window));
        if (forgotten > 0) {
            LOG.info("Outbox housekeeping: forgot {} event(s) older than {}, all their deliveries made", forgotten, window);
        }
        outbox.forgetIncidentsBefore(clock.instant().minus(IncidentHistory.KEPT));
        outbox.forgetLeasesExpiredBefore(clock.instant().minus(Duration.ofDays(1)));
    }
}
