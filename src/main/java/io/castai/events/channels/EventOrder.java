package io.castai.events.channels;

import java.time.Duration;
import java.time.Instant;

import io.castai.events.intake.EventTime;

/**
 * Where an event stands among its PagerDuty incident's events. Two events that both carry a time
 * of their own are ordered by it, then by when they were accepted: a sender's retry accepted late
 * still comes before what happened after it. Otherwise they are ordered by when they were
 * accepted: a sender's time is not compared with the service's. A time later than the acceptance
 * counts as the acceptance (a sender's clock running ahead must not hold back what follows); one
 * more than {@link #OLDEST} before it counts as none (a zero time, a clock far off).
 *
 * @param happened the event's own time, or null when it has none that counts
 */
public record EventOrder(Instant happened, Instant accepted) {
    static final Duration OLDEST = Duration.ofDays(1);

    public static EventOrder of(String timestamp, Instant accepted) {
        Instant stamped = EventTime.parse(timestamp);
        if (stamped == null || stamped.isBefore(accepted.minus(OLDEST))) {
            return new EventOrder(null, accepted);
        }
        return new EventOrder(stamped.isBefore(accepted) ? stamped : accepted, accepted);
    }

    public boolean isAfter(EventOrder other) {
        if (happened == null || other.happened == null || happened.equals(other.happened)) {
            return accepted.isAfter(other.accepted);
        }
        return happened.isAfter(other.happened);
    }
}
