package io.castai.events.channels;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Comparator;

import io.castai.events.intake.NotificationEvent;

/**
 * Where an event stands among its PagerDuty incident's events: by when it happened (its own
 * timestamp), then by when it was accepted (events of the same instant, and events without a
 * timestamp, which count as happening when accepted). A sender's retry accepted late still comes
 * before what happened after it. A timestamp later than the acceptance counts as the acceptance:
 * a sender's clock running ahead must not hold back the events that follow.
 */
public record EventOrder(Instant happened, Instant accepted) implements Comparable<EventOrder> {
    private static final Comparator<EventOrder> ORDER =
            Comparator.comparing(EventOrder::happened).thenComparing(EventOrder::accepted);

    public static EventOrder of(NotificationEvent event, Instant accepted) {
        Instant happened = accepted;
        if (event.getTimestamp() != null) {
            try {
                Instant stamped = OffsetDateTime.parse(event.getTimestamp()).toInstant();
                happened = stamped.isBefore(accepted) ? stamped : accepted;
            } catch (DateTimeParseException notIso) {
                // no time of its own that can be compared: when it was accepted
            }
        }
        return new EventOrder(happened, accepted);
    }

    public boolean isAfter(EventOrder other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(EventOrder other) {
        return ORDER.compare(this, other);
    }
}
