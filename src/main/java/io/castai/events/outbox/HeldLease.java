package io.castai.events.outbox;

/** A lease this process holds on a delivery: until {@code leasedUntil} (epoch ms). */
public record HeldLease(String eventId, String channel, long leasedUntil) {
}
