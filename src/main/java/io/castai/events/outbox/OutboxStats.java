package io.castai.events.outbox;

import java.util.Collection;

/** Backlog figures for the metrics and the delivery-backlog health check. */
public record OutboxStats(long pending, long oldestPendingAgeSeconds, long dead) {
    /** The whole outbox's figures from its channels'. */
    public static OutboxStats total(Collection<OutboxStats> channels) {
        return new OutboxStats(channels.stream().mapToLong(OutboxStats::pending).sum(),
                channels.stream().mapToLong(OutboxStats::oldestPendingAgeSeconds).max().orElse(0),
                channels.stream().mapToLong(OutboxStats::dead).sum());
    }
}
