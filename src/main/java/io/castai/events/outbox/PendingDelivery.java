package io.castai.events.outbox;

import java.time.Instant;

import io.castai.events.intake.NotificationEvent;

/**
 * A delivery not made yet: how often it was tried, the last failure and answer (null before the
 * first), when it is tried next, and whether a replica holds its lease ({@code claimed}: in a
 * channel's queue or being sent; or held by a replica that died, until the lease runs out). Holds no secret;
 * the event is named as a {@link DeadLetter} names it. {@code createdAt} is when it was queued
 * (a replay queues it again).
 */
public record PendingDelivery(String eventId, String channel, String eventType, String cluster, String summary,
                              int attempts, String reason, String lastResponse, String acceptedAt, String createdAt,
                              String nextAttemptAt, boolean claimed) {
    static PendingDelivery of(String eventId, String channel, NotificationEvent event, int attempts, String reason,
                              String lastResponse, Instant acceptedAt, Instant createdAt, Instant nextAttemptAt,
                              boolean claimed) {
        return new PendingDelivery(eventId, channel, event.getType(), DeadLetter.clusterOf(event), DeadLetter.summaryOf(event),
                attempts, reason, lastResponse, acceptedAt.toString(), createdAt.toString(), nextAttemptAt.toString(), claimed);
    }
}
