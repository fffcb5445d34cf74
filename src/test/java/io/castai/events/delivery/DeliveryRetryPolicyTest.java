package io.castai.events.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DeliveryRetryPolicyTest {
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private final DeliveryRetryPolicy policy = new DeliveryRetryPolicy(8, Duration.ofHours(24), Duration.ofSeconds(1),
            Duration.ofSeconds(60), Duration.ofSeconds(120), Clock.fixed(NOW, ZoneOffset.UTC));

    @RepeatedTest(20)
    void backoffDoublesWithJitterAndIsCapped() {
        assertThat(policy.delayBeforeNextAttempt(1, null)).isBetween(Duration.ofMillis(500), Duration.ofMillis(1000));
        assertThat(policy.delayBeforeNextAttempt(2, null)).isBetween(Duration.ofMillis(1000), Duration.ofMillis(2000));
        assertThat(policy.delayBeforeNextAttempt(4, null)).isBetween(Duration.ofMillis(4000), Duration.ofMillis(8000));
        assertThat(policy.delayBeforeNextAttempt(30, null)).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(60));
    }

    @Test
    void retryAfterWinsButIsCapped() {
        assertThat(policy.delayBeforeNextAttempt(1, Duration.ofSeconds(7))).isEqualTo(Duration.ofSeconds(7));
        assertThat(policy.delayBeforeNextAttempt(1, Duration.ofHours(2))).isEqualTo(Duration.ofSeconds(120));
    }

    /** A 429 pauses the channel for its Retry-After, or without one a first backoff: never one delivery's long backoff. */
    @RepeatedTest(5)
    void aChannelIsPausedForItsRetryAfterNotForOneDeliverysBackoff() {
        DeliveryFailure throttled = new DeliveryFailure(true, "http_429", "HTTP 429", Duration.ofSeconds(1), 429);
        assertThat(policy.channelPause(throttled)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.channelPause(new DeliveryFailure(true, "http_429", "HTTP 429", Duration.ofHours(1), 429)))
                .as("capped").isEqualTo(Duration.ofSeconds(120));

        DeliveryFailure noWaitGiven = new DeliveryFailure(true, "http_429", "HTTP 429", null, 429);
        assertThat(policy.channelPause(noWaitGiven)).isBetween(Duration.ofMillis(500), Duration.ofMillis(1000));
        // a 429 spends no attempt: without a least wait, Retry-After: 0 would have it sent at every tick for ever
        DeliveryFailure zero = new DeliveryFailure(true, "http_429", "HTTP 429", Duration.ZERO, 429);
        assertThat(policy.channelPause(zero)).isBetween(Duration.ofMillis(500), Duration.ofMillis(1000));
    }

    /** A 429's delivery waits for its slot, whatever came before it, until it would be older than the maximum age. */
    @Test
    void aRateLimitedDeliveryWaitsForItsSlotUntilItIsTooOld() {
        DeliveryRetryPolicy.Decision slot = policy.decideRateLimited(Duration.ofSeconds(3), NOW.minus(Duration.ofHours(1)));
        assertThat(slot.retry()).isTrue();
        assertThat(slot.delay()).isEqualTo(Duration.ofSeconds(3));

        DeliveryRetryPolicy.Decision tooOld = policy.decideRateLimited(Duration.ofSeconds(3), NOW.minus(Duration.ofHours(24)));
        assertThat(tooOld.retry()).isFalse();
        assertThat(tooOld.verdict()).isEqualTo("(retries exhausted: older than PT24H)");
    }

    /** Retry-After: 0 (or a date gone by) asks for no wait; the backoff still applies. */
    @RepeatedTest(20)
    void aShortRetryAfterDoesNotCutTheBackoff() {
        assertThat(policy.delayBeforeNextAttempt(1, Duration.ZERO)).isBetween(Duration.ofMillis(500), Duration.ofMillis(1000));
        assertThat(policy.delayBeforeNextAttempt(4, Duration.ofSeconds(1))).isBetween(Duration.ofMillis(4000), Duration.ofMillis(8000));
    }

    @Test
    void permanentFailuresAreNotRetried() {
        DeliveryRetryPolicy.Decision decision = policy.decide(failure(400), 1, NOW);

        assertThat(decision.retry()).isFalse();
        assertThat(decision.verdict()).isEqualTo("permanently");
    }

    @Test
    void retryableFailuresAreRetriedUntilTheAttemptsOrTheAgeRunOut() {
        assertThat(policy.decide(failure(503), 1, NOW).retry()).isTrue();
        assertThat(policy.decide(failure(503), 7, NOW).retry()).as("the last attempt but one").isTrue();
        assertThat(policy.decide(failure(503), 8, NOW).verdict()).isEqualTo("(retries exhausted)");
        DeliveryRetryPolicy.Decision tooOld = policy.decide(failure(503), 2, NOW.minus(Duration.ofHours(24)));
        assertThat(tooOld.retry()).isFalse();
        assertThat(tooOld.verdict()).startsWith("(retries exhausted: older than");
    }

    private static DeliveryFailure failure(int status) {
        return DeliveryFailure.classify(new HttpOperationFailedException("u", status, "s", null, Map.of(), ""));
    }
}
