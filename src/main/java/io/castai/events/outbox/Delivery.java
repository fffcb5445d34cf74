package io.castai.events.outbox;

import java.time.Instant;

import io.castai.events.intake.NotificationEvent;

/**
 * One (event, channel) delivery as the outbox keeps it; {@code leasedUntil} (epoch ms) is the
 * lease the caller holds on it when it was claimed, 0 otherwise.
 */
public record Delivery(NotificationEvent event, String channel, String message, int attempts, Instant createdAt,
                       long leasedUntil) {
}
