package io.castai.events.outbox;

import java.time.Instant;

import io.castai.events.intake.NotificationEvent;

/** One (event, channel) delivery as the outbox keeps it. */
public record Delivery(NotificationEvent event, String channel, String message, int attempts, Instant createdAt) {
}
