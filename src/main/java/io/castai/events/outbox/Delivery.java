package io.castai.events.outbox;

import java.time.Instant;

import io.castai.events.intake.NotificationEvent;

/**
 * One (event, channel) delivery as the outbox keeps it; {@code leasedUntil} (epoch ms) is the
 * lease the caller holds on it when it was claimed, 0 otherwise. {@code createdAt} is when it was
 * queued (a replay queues it again), {@code acceptedAt} when its event was accepted.
 * {@code renderedFor} is the channel type its message was rendered for (null: recorded by a
 * version that did not keep it).
 */
public record Delivery(NotificationEvent event, String channel, String message, String renderedFor, int attempts,
                       Instant createdAt, Instant acceptedAt, long leasedUntil) {
}
