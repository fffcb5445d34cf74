package io.castai.events.outbox;

import java.time.Instant;

import io.castai.events.channels.Shortened;
import io.castai.events.intake.NotificationEvent;

/**
 * A delivery given up on: why, and what the channel last answered. Holds no secret. The event is
 * named by its type, cluster and summary, each cut short: a list of a thousand must stay small
 * when events carry a node name of a megabyte. {@code acceptedAt} is when the event came in;
 * {@code createdAt}, when its delivery was last put in the queue (a replay puts it back).
 */
public record DeadLetter(String eventId, String channel, String eventType, String cluster, String summary,
                         int attempts, String reason, String lastResponse, String acceptedAt, String createdAt,
                         String failedAt) {
    /** The longest cluster name a listed dead letter shows. */
    static final int MAX_CLUSTER = 256;
    /** The longest summary a listed dead letter shows. */
    static final int MAX_SUMMARY = 512;

    static DeadLetter of(String eventId, String channel, NotificationEvent event, int attempts, String reason,
                         String lastResponse, Instant acceptedAt, Instant createdAt, Instant failedAt) {
        return new DeadLetter(eventId, channel, event.getType(), clusterOf(event), summaryOf(event), attempts, reason,
                lastResponse, acceptedAt.toString(), createdAt.toString(), failedAt.toString());
    }

    /** The event's cluster (its name, else its id) as a listed delivery shows it: cut at {@link #MAX_CLUSTER}. */
    static String clusterOf(NotificationEvent event) {
        String cluster = event.getClusterName() != null ? event.getClusterName() : event.getClusterId();
        return cluster == null ? null : Shortened.to(cluster, MAX_CLUSTER, "…");
    }

    /** The event's summary as a listed delivery shows it: cut at {@link #MAX_SUMMARY}. */
    static String summaryOf(NotificationEvent event) {
        return event.getSummary() == null ? null : Shortened.to(event.getSummary(), MAX_SUMMARY, "…");
    }
}
