package io.castai.events.outbox;

/** Backlog figures for metrics and readiness. */
public record OutboxStats(long pending, long oldestPendingAgeSeconds, long dead, long undispatched) {
}
