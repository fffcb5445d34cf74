package io.castai.events;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import io.castai.events.outbound.OutboundCallLimits;
import io.castai.events.support.BadAnswer;
import io.castai.events.support.HttpStandIn;
import io.castai.events.support.RunningService;
import io.castai.events.support.ServiceFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A channel that trickles its answer is cut off at the whole call's timeout and tried again; one
 * whose answer never ends is read up to the size limit and the delivery stands; a compressed
 * answer is not inflated past that limit. The client's own
 * response timeout (10 s between bytes) would let either hold a sender for as long as it likes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutboundCallLimitsTest {
    private ServiceFixture app;

    @BeforeAll
    void start() throws Exception {
        app = ServiceFixture.start(settings -> settings.property("http.call-timeout-ms", 1000));
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
    void anAnswerWhoseStatusDoesNotComeInTimeIsCutOffAndTheDeliveryRetried() {
        long before = delivered();
        CountDownLatch release = new CountDownLatch(1);
        app.slack.holdAnswersUntil(release);

        app.service.postEvent(nodeAdded("unanswered"));

        // each wait is under the client's 10 s response timeout; only the whole call's 1 s ends it
        await().atMost(Duration.ofSeconds(5)).until(() -> !app.log.linesContaining(
                "slack delivery of event unanswered failed on attempt 1 (I/O error: the whole call took longer than "
                        + "HTTP_CALL_TIMEOUT_MS (CallTimeoutException))").isEmpty());
        app.slack.holdAnswersUntil(null);
        release.countDown();
        List<HttpStandIn.Request> attempts = app.slack.awaitRequests(2);
        assertThat(attempts.get(1).body()).isEqualTo(attempts.get(0).body());
        awaitDelivered(before + 1);
    }

    /** Waiting for a pooled connection counts against the call too, and ends as a timeout: retried, not dead. */
    @Test
    void aCallThatTimesOutWaitingForAConnectionIsRetried() throws Exception {
        try (HttpStandIn slack = HttpStandIn.slack();
             RunningService service = RunningService.builder()
                     .property("slack.webhook.url", slack.url("/hook"))
                     .property("http.call-timeout-ms", 1000)
                     .property("delivery.concurrency", 2)
                     .property("camel.component.http.connections-per-route", 1)
                     .property("camel.component.http.max-total-connections", 1)
                     .start()) {
            CountDownLatch release = new CountDownLatch(1);
            slack.holdAnswersUntil(release);
            service.postEvent(nodeAdded("pooled-1"));
            service.postEvent(nodeAdded("pooled-2"));

            // one worker holds the only connection, unanswered; the other waits for it past its deadline
            await().atMost(Duration.ofSeconds(5)).until(() -> app.log.linesContaining("event pooled-1 failed on attempt 1 "
                    + "(I/O error: the whole call took longer than HTTP_CALL_TIMEOUT_MS").size() == 1
                    && app.log.linesContaining("event pooled-2 failed on attempt 1 (I/O error: the whole call took longer "
                    + "than HTTP_CALL_TIMEOUT_MS").size() == 1);
            assertThat(app.log.linesContaining("failed permanently")).isEmpty();
            slack.holdAnswersUntil(null);
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> service.get("/observe/metrics").body()
                    .contains("castai_events_delivered_total{channel=\"slack\"} 2"));
            assertThat(app.log.linesContaining("failed permanently")).isEmpty();
        }
    }

    @Test
    void aSuccessWhoseBodyTricklesInIsCutAtTheCallTimeoutAndNotSentAgain() {
        long before = delivered();
        app.slack.thenAnswerBadly(BadAnswer.TRICKLE);

        app.service.postEvent(nodeAdded("trickled"));

        // the trickle would go on for 20 s; the 200 came at once, so the delivery stands
        awaitDelivered(before + 1);
        assertThat(app.log.linesContaining("The answer from 127.0.0.1 did not end within 1000 ms (HTTP_CALL_TIMEOUT_MS)"))
                .hasSize(1);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> app.slack.requests().size() == 1);
    }

    @Test
    void anEndlessAnswerIsReadUpToTheLimitAndTheDeliveryStands() {
        long before = delivered();
        app.slack.thenAnswerBadly(BadAnswer.ENDLESS);

        app.service.postEvent(nodeAdded("endless"));

        awaitDelivered(before + 1);
        assertThat(app.log.linesContaining("The answer from 127.0.0.1 is longer than "
                + OutboundCallLimits.CHANNEL_ANSWER_BYTES + " bytes (a channel's answer): the rest is not read")).hasSize(1);
        // accepted with its 200: not sent again
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3)).until(() -> app.slack.requests().size() == 1);

        // the cut connection is not reused: the next delivery goes out as usual
        app.service.postEvent(nodeAdded("after-endless"));
        app.slack.awaitRequests(2);
        awaitDelivered(before + 2);
    }

    @Test
    void aCompressedAnswerIsReadAsItCameNotInflated() {
        long before = delivered();
        app.slack.thenAnswerBadly(BadAnswer.GZIP_BOMB);

        app.service.postEvent(nodeAdded("gzipped"));

        app.slack.awaitRequests(2);
        List<String> failures = app.log.linesContaining("slack delivery of event gzipped failed on attempt 1 (HTTP 500");
        assertThat(failures).hasSize(1);
        // inflated, the answer would be 16 MiB of "A", and its excerpt "AAAA..."
        assertThat(failures.get(0)).doesNotContain("AAAAAAAAAA");
        awaitDelivered(before + 1);
    }

    private void awaitDelivered(long atLeast) {
        await().atMost(Duration.ofSeconds(5)).until(() -> delivered() >= atLeast);
    }

    private long delivered() {
        return app.service.get("/observe/metrics").body().lines()
                .filter(line -> line.startsWith("castai_events_delivered_total{channel=\"slack\"}"))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static String nodeAdded(String id) {
        return "{\"id\":\"" + id + "\",\"eventType\":\"node.added\",\"clusterName\":\"staging-us-east\","
                + "\"data\":{\"nodeName\":\"n-1\",\"instanceType\":\"c6a.xlarge\",\"lifecycle\":\"spot\"}}";
    }
}
