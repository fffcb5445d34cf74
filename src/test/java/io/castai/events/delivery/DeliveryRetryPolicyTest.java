package io.castai.events.delivery;

import java.time.Duration;

import io.castai.events.ops.ServiceMetrics;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DeliveryRetryPolicyTest {
    private final DeliveryRetryPolicy policy = new DeliveryRetryPolicy(8, Duration.ofSeconds(1), Duration.ofSeconds(60),
            Duration.ofSeconds(120), new ServiceMetrics(null));

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
}
