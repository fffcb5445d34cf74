package io.castai.events.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Whether a failed delivery is tried again, and when: permanent failures never; retryable ones
 * after an exponential backoff with jitter, or the channel's Retry-After (capped) when longer, until the
 * delivery has been tried {@code maxAttempts} times or is older than {@code maxAge}.
 */
public class DeliveryRetryPolicy {
    /** What to do with a failed delivery. */
    public record Decision(boolean retry, Duration delay, String verdict) {
    }

    private final int maxAttempts;
    private final Duration maxAge;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration retryAfterCap;
    private final Clock clock;

    public DeliveryRetryPolicy(int maxAttempts, Duration maxAge, Duration initialBackoff, Duration maxBackoff,
                               Duration retryAfterCap, Clock clock) {
        this.maxAttempts = maxAttempts;
        this.maxAge = maxAge;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.retryAfterCap = retryAfterCap;
        this.clock = clock;
    }

    /** @param attempts the attempts made, this failed one included */
    public Decision decide(DeliveryFailure failure, int attempts, Instant firstQueued) {
        if (!failure.retryable()) {
            return new Decision(false, Duration.ZERO, "permanently");
        }
        if (attempts >= maxAttempts) {
            return new Decision(false, Duration.ZERO, "(retries exhausted)");
        }
        Duration wait = delayBeforeNextAttempt(attempts, failure.retryAfter());
        if (clock.instant().plus(wait).isAfter(firstQueued.plus(maxAge))) {
            return new Decision(false, Duration.ZERO, "(retries exhausted: older than " + maxAge + ")");
        }
        return new Decision(true, wait, "retrying");
    }

    /**
     * How long a 429 pauses its whole channel: the Retry-After it asked for (capped), but at least
     * a first backoff's wait (also without one). {@code Retry-After: 0} would otherwise send the
     * delivery again at every tick, without end, as a 429 spends no attempt. Never this delivery's
     * own backoff: a delivery far into it must not hold every other delivery of the channel for minutes.
     */
    public Duration channelPause(DeliveryFailure failure) {
        return delayBeforeNextAttempt(1, failure.retryAfter());
    }

    /**
     * A 429's delivery waits for its slot after the channel's pause ({@link ChannelPause}), not for
     * a backoff grown by earlier 429s, and the 429 counts as no attempt: the channel's limit refused
     * it, not the message. Given up only when the wait would take it past {@code maxAge}.
     */
    public Decision decideRateLimited(Duration slotWait, Instant firstQueued) {
        if (clock.instant().plus(slotWait).isAfter(firstQueued.plus(maxAge))) {
            return new Decision(false, Duration.ZERO, "(retries exhausted: older than " + maxAge + ")");
        }
        return new Decision(true, slotWait, "retrying");
    }

    /**
     * initial * 2^(n-1), capped, with equal jitter; or the Retry-After (capped) when that is
     * longer. Retry-After is the least wait asked for, not a licence to skip the backoff: a
     * channel answering {@code Retry-After: 0} was tried every tick and used up its attempts in
     * minutes.
     */
    Duration delayBeforeNextAttempt(int attemptsSoFar, Duration retryAfter) {
        double exponential = initialBackoff.toMillis() * Math.pow(2, attemptsSoFar - 1);
        long capped = (long) Math.min(exponential, maxBackoff.toMillis());
        long half = capped / 2;
        Duration backoff = Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
        if (retryAfter == null) {
            return backoff;
        }
        Duration asked = retryAfter.compareTo(retryAfterCap) > 0 ? retryAfterCap : retryAfter;
        return asked.compareTo(backoff) > 0 ? asked : backoff;
    }
}
