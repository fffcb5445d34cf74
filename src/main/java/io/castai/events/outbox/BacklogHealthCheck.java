package io.castai.events.outbox;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness DOWN while more deliveries wait than the threshold: a load balancer sends traffic
 * elsewhere, but this instance keeps accepting and delivering (it has the disk for it).
 */
public class BacklogHealthCheck extends AbstractHealthCheck {
    private final Outbox outbox;
    private final long threshold;

    public BacklogHealthCheck(Outbox outbox, long threshold) {
        super("castai", "delivery-backlog");
        this.outbox = outbox;
        this.threshold = threshold;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        OutboxStats stats = outbox.stats();
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
