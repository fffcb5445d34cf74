package io.castai.events.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Whether a failed delivery is tried again, and when: permanent failures never; retryable ones
 * after the channel's Retry-After (capped) or an exponential backoff with jitter, until the
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

    /** Retry-After wins when present (capped); otherwise initial * 2^(n-1), capped, with equal jitter. */
    Duration delayBeforeNextAttempt(int attemptsSoFar, Duration retryAfter) {
        if (retryAfter != null) {
            return retryAfter.compareTo(retryAfterCap) > 0 ? retryAfterCap : retryAfter;
        }
        double exponential = initialBackoff.toMillis() * Math.pow(2, attemptsSoFar - 1);
        long capped = (long) Math.min(exponential, maxBackoff.toMillis());
        long half = capped / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
    }
}
