package io.castai.events;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.castai.events.support.HttpStandIn;
import io.castai.events.support.ServiceFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

import static io.castai.events.support.RunningService.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** How channel failures are handled: 5xx and 429 retried (Retry-After honoured), other 4xx not. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeliveryRetryTest {
    private static final int MAX_ATTEMPTS = 3;

    private ServiceFixture app;

    @BeforeAll
    void start() throws Exception {
        app = ServiceFixture.start(settings -> settings.property("delivery.max-attempts", MAX_ATTEMPTS));
    }

    @AfterAll
    void stop() {
        app.close();
    }

    @BeforeEach
    void reset() {
        app.reset();
    }

    @Test
    void a500IsRetriedUntilItSucceeds() {
        app.slack.thenRespond(500, "rollup_error");

        app.service.postEvent(nodeAdded("retry-500"));

        List<HttpStandIn.Request> attempts = app.slack.awaitRequests(2);
        assertThat(attempts.get(1).body()).isEqualTo(attempts.get(0).body());
        assertNoMoreThan(app.slack, 2);
        assertThat(app.log.linesContaining("slack delivery of event retry-500 failed on attempt 1 (HTTP 500: rollup_error)"))
                .isNotEmpty();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(app.service.get("/observe/metrics").body())
                .containsPattern("castai_events_delivered_total\\{channel=\"slack\"} [1-9]"));
        assertThat(app.service.get("/observe/metrics").body())
                .containsPattern("castai_events_retried_total\\{channel=\"slack\",reason=\"http_5xx\"} [1-9]");
    }

    @Test
    void a429WaitsForRetryAfter() {
        app.slack.thenRespond(429, "rate_limited", Map.of("Retry-After", "1"));

        app.service.postEvent(nodeAdded("retry-429"));

        List<HttpStandIn.Request> attempts = app.slack.awaitRequests(2);
        // backoff in tests is 50-200 ms, so a gap of about a second can only come from Retry-After
        assertThat(Duration.between(attempts.get(0).at(), attempts.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(app.log.linesContaining("slack delivery of event retry-429 was refused by the channel's rate limit (HTTP 429: "
                + "rate_limited); it is due again in ")).singleElement().asString()
                .endsWith("ms, for the channel's next free slot (not counted as an attempt)");
        assertNoMoreThan(app.slack, 2);
    }

    @Test
    void a429PausesTheWholeChannel() {
        app.slack.thenRespond(429, "rate_limited", Map.of("Retry-After", "2"));

        app.service.postEvent(nodeAdded("paused-1"));
        app.slack.awaitRequests(1);
        // the 429 has been handled (the pause is set) before the next events arrive
        await().atMost(Duration.ofSeconds(5)).until(() ->
                !app.log.linesContaining("slack delivery of event paused-1 was refused by the channel's rate limit").isEmpty());
        app.service.postEvent(nodeAdded("paused-2"));
        app.service.postEvent(nodeAdded("paused-3"));

        List<HttpStandIn.Request> requests = app.slack.awaitRequests(4);
        Instant rateLimitedAt = requests.get(0).at();
        // nothing more reaches Slack until its Retry-After is over; then all three, once each
        assertThat(requests.subList(1, 4)).allSatisfy(r ->
                assertThat(Duration.between(rateLimitedAt, r.at())).isGreaterThanOrEqualTo(Duration.ofMillis(1900)));
        assertNoMoreThan(app.slack, 4);
    }

    @Test
    void underARateLimitWhatWaitedGoesOneByOneNotAllIntoTheNext429() {
        // two a second, as PagerDuty allows; the channel's workers send four at once
        app.slack.allowOneEvery(Duration.ofMillis(500));
        for (int i = 1; i <= 6; i++) {
            app.service.postEvent(nodeAdded("limited-" + i));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> app.slack.requests().size() - app.slack.rateLimited() >= 6);
        // the first burst meets the limit; after it, one a second: before, every pause ended in
        // three or four 429s at once, each growing its delivery's backoff
        assertThat(app.slack.rateLimited()).as("429s").isLessThanOrEqualTo(5);
        assertThat(app.log.linesContaining("failed on attempt")).as("no 429 counted as an attempt").isEmpty();
    }

    @Test
    void aRateLimitThatHasPassedHoldsTheChannelBackForSecondsNotForItsBacklog() {
        // one 429 while a backlog waited: each queued delivery was booked a slot a second apart and
        // stored so; the channel, answering at once again, got one a second for as long as the
        // backlog lasted (hours after a burst), and a restart did not end it
        CountDownLatch release = new CountDownLatch(1);
        app.slack.holdAnswersUntil(release);
        app.slack.thenRespond(429, "rate_limited", Map.of("Retry-After", "1"));
        int backlog = 40;
        for (int i = 1; i <= backlog; i++) {
            app.service.postEvent(nodeAdded("backlog-" + i));
        }
        Instant released = Instant.now();
        release.countDown();
        app.slack.holdAnswersUntil(null);

        // five at a second apart, five at half of it... then at full speed: about 10 s, not 40
        await().atMost(Duration.ofSeconds(30)).until(() -> app.slack.requests().size() >= backlog + 1);
        assertThat(Duration.between(released, Instant.now())).as("not one a second").isLessThan(Duration.ofSeconds(30));
        assertNoMoreThan(app.slack, backlog + 1);
    }

    @Test
    void a400IsNotRetriedAndIsLogged() {
        app.slack.thenRespond(400, "invalid_payload");

        app.service.postEvent(nodeAdded("permanent-400"));

        app.slack.awaitRequests(1);
        assertNoMoreThan(app.slack, 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> !app.log.linesContaining(
                "slack delivery of event permanent-400 failed permanently after 1 attempt(s): HTTP 400: invalid_payload").isEmpty());
        assertThat(app.service.get("/observe/metrics").body())
                .containsPattern("castai_events_failed_total\\{channel=\"slack\",reason=\"http_4xx\"} [1-9]");
    }

    @Test
    void camelsOwnLineForAFailedAttemptIsNeverWrittenWhateverItsLevel() {
        // Camel's error handler writes that line through a logger whose level it swaps for the call
        // and puts back, shared by a route's threads: two at once could write it at ERROR (seen once
        // in ~3,000 failed attempts). The service writes its own line for every failure.
        Logger handlerLog = (Logger) LoggerFactory.getLogger("org.apache.camel.processor.errorhandler");
        Level before = handlerLog.getLevel();
        handlerLog.setLevel(Level.DEBUG);
        try {
            app.slack.thenRespond(503, "down");
            app.service.postEvent(nodeAdded("attempt-line"));
            app.slack.awaitRequests(2);
            assertThat(app.service.postEvent("{not json").statusCode()).isEqualTo(400);
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    !app.log.linesContaining("slack delivery of event attempt-line failed on attempt 1 (HTTP 503").isEmpty());
            assertThat(app.log.linesContaining("Failed delivery for")).isEmpty();
        } finally {
            handlerLog.setLevel(before);
        }
    }

    @Test
    void retriesStopAtTheConfiguredMaximum() {
        app.slack.respondByDefault(503, "unavailable");

        app.service.postEvent(nodeAdded("exhausted-503"));

        app.slack.awaitRequests(MAX_ATTEMPTS);
        assertNoMoreThan(app.slack, MAX_ATTEMPTS);
        await().atMost(Duration.ofSeconds(5)).until(() -> !app.log.linesContaining(
                "slack delivery of event exhausted-503 failed (retries exhausted) after 3 attempt(s): HTTP 503").isEmpty());
    }

    @Test
    void aFailingChannelDoesNotHoldBackAnother() {
        app.pagerDuty.respondByDefault(500, "{\"status\":\"error\"}");

        app.service.postEvent(fixture("events/console-notification.json").replace("0f7c2b9e", "aaaaaaaa"));

        assertThat(app.slack.awaitRequests(1)).hasSize(1);
        app.pagerDuty.awaitRequests(MAX_ATTEMPTS);
    }

    @Test
    void aChannelThatHangsHoldsBackNeitherTheSenderNorAnotherChannel() {
        CountDownLatch release = new CountDownLatch(1);
        app.pagerDuty.holdAnswersUntil(release);
        try {
            app.service.postEvent(fixture("events/console-notification.json").replace("0f7c2b9e", "bbbbbbbb"));
            app.pagerDuty.awaitRequests(1);
            // PagerDuty now hangs on that page: the next event is still taken and reaches Slack
            assertThat(app.service.postFixture("events/node-added.json").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> app.slack.requests().stream()
                    .anyMatch(request -> request.body().contains("c6a.xlarge")));
        } finally {
            release.countDown();
        }
    }

    private void assertNoMoreThan(HttpStandIn channel, int count) {
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3))
                .until(() -> channel.requests().size() == count);
    }

    @Test
    void aChannelFailingUnderABurstWritesABoundedNumberOfLines() throws Exception {
        try (ServiceFixture burst = ServiceFixture.start(settings -> settings.property("delivery.max-attempts", 2))) {
            burst.slack.respondByDefault(503, "down");
            long started = System.nanoTime();
            for (int n = 0; n < 80; n++) {
                burst.service.postEvent(nodeAdded("burst-" + n));
            }
            // 80 events, two attempts each: 160 lines were there one for each
            await().atMost(Duration.ofSeconds(30)).until(() -> burst.service.get("/observe/metrics").body()
                    .contains("castai_events_failed_total{channel=\"slack\",reason=\"http_5xx\"} 80.0"));
            long windows = Duration.ofNanos(System.nanoTime() - started).toSeconds() / 10 + 1;
            // retries and dead letters, 50 lines each every 10 s (a run within one window: 100 of the 160;
            // a slow one may take two, and log them all)
            assertThat(burst.log.linesContaining("slack delivery of event burst-")).hasSizeLessThanOrEqualTo((int) (100 * windows));
            // the retries' lines took none of the dead letters': each event's death is said, up to the limit
            assertThat(burst.log.linesContaining("kept as a dead letter")).hasSizeGreaterThanOrEqualTo(50);
            // and what was left out is said once the window has passed, though no line comes after it
            await().atMost(Duration.ofSeconds(25)).until(() -> !burst.log.linesContaining("dead letters of channel slack were not logged").isEmpty()
                    || burst.log.linesContaining("kept as a dead letter").size() == 80);
        }
    }

    private static String nodeAdded(String id) {
        return "{\"id\":\"" + id + "\",\"eventType\":\"node.added\",\"clusterName\":\"staging-us-east\","
                + "\"data\":{\"nodeName\":\"n-1\",\"instanceType\":\"c6a.xlarge\",\"lifecycle\":\"spot\"}}";
    }
}
