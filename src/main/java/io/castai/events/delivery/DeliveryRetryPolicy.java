package io.castai.events.delivery;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import io.castai.events.ops.ServiceMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code retryWhile} predicate of the delivery error handler. It asks {@link DeliveryFailure}
 * whether a failure is worth another try and, if so, sets the delay Camel's redelivery waits:
 * Retry-After when the channel sent one (capped), else exponential backoff with jitter.
 */
public class DeliveryRetryPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryRetryPolicy.class);

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration retryAfterCap;
    private final ServiceMetrics metrics;

    public DeliveryRetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration retryAfterCap,
                               ServiceMetrics metrics) {
        this.maxAttempts = maxAttempts;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.retryAfterCap = retryAfterCap;
        this.metrics = metrics;
    }

    public boolean shouldRetry(Exchange exchange) {
        DeliveryFailure failure = DeliveryFailure.classify(caught(exchange));
        int attempts = exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER, 1, Integer.class);
        exchange.setProperty(DeliveryReport.ATTEMPTS, attempts);
        if (!failure.retryable() || attempts >= maxAttempts) {
            return false;
        }
        long delayMs = delayBeforeNextAttempt(attempts, failure.retryAfter()).toMillis();
        exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, delayMs);
        String channel = DeliveryReport.channel(exchange);
        metrics.deliveryRetried(channel, failure.reason());
        LOG.warn("{} delivery of event {} failed on attempt {} of {} ({}); retrying in {} ms",
                channel, DeliveryReport.eventId(exchange), attempts, maxAttempts, failure.description(), delayMs);
        return true;
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

    static Throwable caught(Exchange exchange) {
        Throwable failure = exchange.getException();
        return failure != null ? failure : exchange.getProperty(ExchangePropertyKey.EXCEPTION_CAUGHT, Throwable.class);
    }
}
