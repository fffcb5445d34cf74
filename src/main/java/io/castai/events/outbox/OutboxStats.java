package io.castai.events.outbox;

/** Backlog figures for the metrics and the delivery-backlog health check. */
public record OutboxStats(long pending, long oldestPendingAgeSeconds, long dead) {
}
