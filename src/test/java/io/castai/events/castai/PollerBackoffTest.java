package io.castai.events.castai;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.castai.events.ops.ServiceMetrics;
import io.castai.events.support.MutableClock;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How long the pollers wait after a failed call, and which of them wait. */
class PollerBackoffTest {
    private static final Instant START = Instant.parse("2026-11-29T12:00:00Z");
    private final CamelContext camel = new DefaultCamelContext();
    private final MutableClock clock = new MutableClock(START);
    private final PollerBackoff backoff = new PollerBackoff(new CastaiApi("k", "http://castai", "c-1,c-2"),
            new ServiceMetrics(camel), Duration.ofSeconds(30), Duration.ofMinutes(15), clock);

    @Test
    void aRateLimitHoldsEveryPollerOfEveryClusterForItsRetryAfter() {
        backoff.failed(failedCall("audit", "c-1", 429, Map.of("Retry-After", "45")));

        for (String poller : new String[] {"audit", "notifications", "savings"}) {
            for (String cluster : new String[] {"c-1", "c-2"}) {
                assertThat(backoff.isDue(poller, cluster)).as(poller + " of " + cluster).isFalse();
            }
        }
        clock.advance(Duration.ofSeconds(45));
        assertThat(backoff.isDue("notifications", "c-2")).isTrue();
        assertThat(backoff.isDue("audit", "c-1")).isTrue();
    }

    @Test
    void aServerErrorHoldsOnlyItsOwnPoller() {
        backoff.failed(failedCall("audit", "c-1", 503, Map.of("Retry-After", "20")));

        assertThat(backoff.isDue("audit", "c-1")).isFalse();
        assertThat(backoff.isDue("audit", "c-2")).isTrue();
        assertThat(backoff.isDue("notifications", "c-1")).isTrue();
    }

    @Test
    void aRetryAfterIsWaitedEvenPastTheLongestBackoffUpToAnHour() {
        backoff.failed(failedCall("notifications", "", 503, Map.of("Retry-After", "1800")));
        clock.advance(Duration.ofMinutes(29));
        assertThat(backoff.isDue("notifications", "")).as("past CASTAI_POLL_MAX_BACKOFF, as asked").isFalse();
        clock.advance(Duration.ofMinutes(1));
        assertThat(backoff.isDue("notifications", "")).isTrue();

        backoff.failed(failedCall("notifications", "", 503, Map.of("Retry-After", "86400")));
        clock.advance(PollerBackoff.RETRY_AFTER_LIMIT);
        assertThat(backoff.isDue("notifications", "")).as("a day asked: an hour waited").isTrue();
    }

    @Test
    void theBackoffDoublesUpToTheLongestAndAShorterRetryAfterDoesNotCutIt() {
        // 30 s, 60 s, 120 s... up to 15 min; a Retry-After: 0 had the poller due again at every run
        long[] seconds = {30, 60, 120, 240, 480, 900, 900};
        for (long wait : seconds) {
            backoff.failed(failedCall("savings", "c-1", 503, Map.of("Retry-After", "0")));
            clock.advance(Duration.ofSeconds(wait - 1));
            assertThat(backoff.isDue("savings", "c-1")).as("%d s after the failure", wait - 1).isFalse();
            clock.advance(Duration.ofSeconds(1));
            assertThat(backoff.isDue("savings", "c-1")).as("%d s after it", wait).isTrue();
        }
    }

    @Test
    void aLaterShorterRateLimitDoesNotShortenTheHoldOnEveryPoller() {
        backoff.failed(failedCall("audit", "c-1", 429, Map.of("Retry-After", "600")));
        backoff.failed(failedCall("notifications", "", 429, Map.of("Retry-After", "60")));
        clock.advance(Duration.ofSeconds(300));

        assertThat(backoff.isDue("savings", "c-2")).as("still within the first hold").isFalse();
    }

    private Exchange failedCall(String poller, String cluster, int status, Map<String, String> headers) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(PollerBackoff.POLLER, poller);
        exchange.setProperty(PollerBackoff.CLUSTER, cluster);
        exchange.setProperty(ExchangePropertyKey.EXCEPTION_CAUGHT,
                new HttpOperationFailedException("http://castai/v1/audit", status, "status", null, headers, ""));
        return exchange;
    }
}
