package io.castai.events.outbox;

/** A delivery given up on: why, and what the channel last answered. Holds no secret. */
public record DeadLetter(String eventId, String channel, String eventType, String cluster, String summary,
                         int attempts, String reason, String lastResponse, String createdAt, String failedAt) {
}
