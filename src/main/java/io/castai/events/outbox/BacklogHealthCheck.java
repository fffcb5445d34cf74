package io.castai.events.outbox;

import java.util.Map;

import io.castai.events.ops.MonitoringHealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * DOWN while more deliveries wait than the threshold: shown by /observe/health, for monitoring.
 * Neither liveness nor readiness: the instance keeps accepting and delivering (it has the disk for
 * it), and an unready pod would leave its Service (one replica: webhooks find no endpoint; several
 * on one store: all unready at once).
 */
public class BacklogHealthCheck extends MonitoringHealthCheck {
    private final Outbox outbox;
    private final long threshold;

    public BacklogHealthCheck(Outbox outbox, long threshold) {
        super("delivery-backlog");
        this.outbox = outbox;
        this.threshold = threshold;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        OutboxStats stats;
        try {
            stats = outbox.stats();
        } catch (OutboxException unreadable) {
            // the store away: the backlog is not known (check "store" says why); the health
            // endpoint answers, rather than a 500 for the whole of it
            builder.message("the backlog cannot be read just now: " + OutboxException.describe(unreadable));
            builder.unknown();
            return;
        }
        builder.detail("pending", stats.pending());
        builder.detail("oldest.pending.age.seconds", stats.oldestPendingAgeSeconds());
        builder.detail("dead.letters", stats.dead());
        if (stats.pending() > threshold) {
            builder.message(stats.pending() + " deliveries pending, over the threshold of " + threshold);
            builder.down();
        } else {
            builder.up();
        }
    }
}
