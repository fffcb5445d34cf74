package io.castai.events.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A 429 is about the channel, not one message: Slack allows about one message a second per
 * webhook, PagerDuty about 120 events a minute per key. After a 429 the whole channel waits out
 * the Retry-After, instead of every queued delivery meeting the same 429 in turn.
 */
public class ChannelPause {
    private final Map<String, Instant> pausedUntil = new ConcurrentHashMap<>();
    private final Clock clock;

    public ChannelPause(Clock clock) {
        this.clock = clock;
    }

    public void pause(String channel, Duration wait) {
        Instant until = clock.instant().plus(wait);
        pausedUntil.merge(channel, until, (a, b) -> a.isAfter(b) ? a : b);
    }

    /** How long the channel still waits; zero when it may send. */
    public Duration remaining(String channel) {
        Instant until = pausedUntil.get(channel);
        if (until == null) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(clock.instant(), until);
        return left.isNegative() ? Duration.ZERO : left;
    }
}
