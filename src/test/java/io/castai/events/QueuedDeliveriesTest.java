package io.castai.events;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import com.sun.net.httpserver.HttpServer;
import io.castai.events.support.HttpStandIn;
import io.castai.events.support.Postgres;
import io.castai.events.support.RunningService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A channel slower than the events coming in: deliveries wait in its in-memory queue. However
 * long they wait, and whenever the service stops, each event reaches the channel once.
 */
class QueuedDeliveriesTest {
    private static final Pattern NODE = Pattern.compile("queued-node-(\\d+)");

    /** A Slack stand-in that takes {@link #delayMillis} per request and counts requests per event. */
    private HttpServer slowSlack;
    private final Map<Integer, AtomicInteger> received = new ConcurrentHashMap<>();
    private volatile long delayMillis;
    private RunningService service;

    @BeforeEach
    void startSlowSlack() throws IOException {
        slowSlack = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        slowSlack.setExecutor(Executors.newFixedThreadPool(4));
        slowSlack.createContext("/", exchange -> {
            Matcher node = NODE.matcher(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            if (node.find()) {
                received.computeIfAbsent(Integer.parseInt(node.group(1)), n -> new AtomicInteger()).incrementAndGet();
            }
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, 2);
            exchange.getResponseBody().write("ok".getBytes(StandardCharsets.UTF_8));
            exchange.close();
        });
        slowSlack.start();
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
        slowSlack.stop(0);
    }

    @Test
    void aDeliveryThatWaitedPastItsLeaseIsSentOnce() {
        // eight sends one after the other outlast the lease; each fits in a call timeout under half
        // the lease with room to spare (a 1 s send left 400 ms: a slow machine timed it out, and sent it twice)
        delayMillis = 700;
        service = start(tempDir(), "3s", 1400);
        post(0, 8);

        await().atMost(Duration.ofSeconds(40)).until(() -> received.size() == 8);
        // longer than a lease more: a second copy claimed by the retry timer would have arrived
        await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6)).until(() -> true);
        assertThat(received).allSatisfy((node, requests) -> assertThat(requests).as("requests for event %d", node).hasValue(1));
    }

    @Test
    void stoppingWithAQueueSendsNothingTwice() {
        delayMillis = 300;
        Path data = tempDir();
        service = start(data, "2m", 30_000);
        post(0, 60);
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 2);

        service.close();
        service = null;
        assertThat(received.size()).as("the queue was left for the next start").isLessThan(60);
        delayMillis = 0;
        service = start(data, "2m", 30_000);

        await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == 60);
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
        assertThat(received).allSatisfy((node, requests) -> assertThat(requests).as("requests for event %d", node).hasValue(1));
    }

    @Test
    void aSenderDuringShutdownIsToldToRetry() throws Exception {
        delayMillis = 300;
        service = start(tempDir(), "2m", 30_000);
        post(0, 20);
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 2);

        // a sender keeps posting while the service stops: the intake is gone before the server is
        Set<Integer> answers = ConcurrentHashMap.newKeySet();
        Set<String> unavailable = ConcurrentHashMap.newKeySet();
        RunningService stopping = service;
        Thread sender = new Thread(() -> {
            for (int n = 1000; !Thread.currentThread().isInterrupted(); n++) {
                try {
                    HttpResponse<String> answer = stopping.postEvent("{\"id\":\"late-%d\",\"eventType\":\"node.added\"}".formatted(n));
                    answers.add(answer.statusCode());
                    if (answer.statusCode() == 503) {
                        unavailable.add(answer.body());
                    }
                } catch (RuntimeException closed) {
                    return;
                }
            }
        });
        sender.start();
        service.close();
        service = null;
        sender.interrupt();
        sender.join(10_000);

        assertThat(answers).as("no sender is told the endpoint does not exist").doesNotContain(404).contains(503);
        assertThat(unavailable).as("every 503 says why, in JSON").containsOnly("{\"error\":\"the service is starting or stopping: retry\"}");
    }

    @Test
    void stoppingLetsGoOfTheQueuedDeliveriesForTheOtherReplicas() throws Exception {
        delayMillis = 300;
        try (Postgres store = Postgres.freshDatabase()) {
            service = RunningService.builder()
                    .property("slack.webhook.url", "http://127.0.0.1:" + slowSlack.getAddress().getPort() + "/services/T/B/x")
                    .property("castai.store.url", store.url())
                    .property("castai.store.username", Postgres.USER)
                    .property("delivery.concurrency", 1)
                    .start();
            post(0, 20);
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 2);
            service.close();
            service = null;

            try (Connection db = DriverManager.getConnection(store.url(), Postgres.USER, "");
                 ResultSet held = db.createStatement().executeQuery(
                         "SELECT COUNT(*), COUNT(*) FILTER (WHERE leased_until > 0) FROM deliveries WHERE status = 'pending'")) {
                held.next();
                assertThat(held.getInt(1)).as("left pending for the next replica").isGreaterThan(0);
                assertThat(held.getInt(2)).as("of those, still leased").isZero();
            }
        }
    }

    @Test
    void aBackedUpChannelDoesNotHoldUpAnotherChannelsRetry() throws IOException {
        delayMillis = 200;
        try (HttpStandIn pagerDuty = HttpStandIn.pagerDuty()) {
            pagerDuty.thenRespond(503, "{\"status\":\"unavailable\"}");
            service = RunningService.builder()
                    .property("slack.webhook.url", "http://127.0.0.1:" + slowSlack.getAddress().getPort() + "/services/T/B/x")
                    .property("pagerduty.routing.key", "0123456789abcdef0123456789abcdef")
                    .property("pagerduty.events.url", pagerDuty.url("/v2/enqueue"))
                    .property("delivery.queue-size", 5)
                    .property("delivery.concurrency", 1)
                    .start();
            // Slack's queue is full and ~300 of its deliveries are due in the outbox
            post(0, 300);
            service.postEvent("{\"id\":\"page-1\",\"eventType\":\"node.spot_interrupted\",\"clusterName\":\"c\","
                    + "\"data\":{\"nodeName\":\"n\",\"instanceType\":\"m5.large\",\"lifecycle\":\"spot\"}}");

            // waits longer than the bound below, so a retry stuck behind the backlog fails on the bound, not on a timeout
            await().atMost(Duration.ofSeconds(30)).until(() -> pagerDuty.requests().size() >= 2);
            List<HttpStandIn.Request> pages = pagerDuty.requests();
            assertThat(Duration.between(pages.get(0).at(), pages.get(1).at()))
                    .as("the retry after a 503 (backoff up to 200 ms here) is not queued behind Slack's backlog (~60 s)")
                    .isLessThan(Duration.ofSeconds(20));
        }
    }

    @Test
    void aFullQueueDoesNotHoldUpTheSender() {
        delayMillis = 1000;
        service = RunningService.builder()
                .property("slack.webhook.url", "http://127.0.0.1:" + slowSlack.getAddress().getPort() + "/services/T/B/x")
                .property("delivery.queue-size", 2)
                .property("delivery.concurrency", 1)
                // a request that waited for room in the queue would wait for the next send (1 s)
                .property("delivery.offer-timeout-ms", 2000)
                .start();

        long started = System.nanoTime();
        post(0, 20);
        // far from both: a busy machine's slow requests, and the 17 s or more of waiting for room
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("20 events, the queue full after 3 (waiting: 17 s or more)")
                .isLessThan(Duration.ofSeconds(8));
        await().atMost(Duration.ofSeconds(45)).until(() -> received.size() == 20);
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> true);
        assertThat(received).allSatisfy((node, requests) -> assertThat(requests).as("requests for event %d", node).hasValue(1));
    }

    /** One worker per channel; a short shutdown timeout, which draining the queue would outlast. */
    private RunningService start(Path data, String lease, int callTimeoutMillis) {
        return RunningService.builder()
                .property("slack.webhook.url", "http://127.0.0.1:" + slowSlack.getAddress().getPort() + "/services/T/B/x")
                .property("data.dir", data.toString())
                .property("delivery.concurrency", 1)
                .property("delivery.lease", lease)
                .property("http.call-timeout-ms", callTimeoutMillis)
                .property("camel.main.shutdown-timeout", 5)
                .start();
    }

    private void post(int from, int to) {
        IntStream.range(from, to).forEach(n -> assertThat(service.postEvent(("{\"id\":\"queued-%d\",\"eventType\":\"node.added\","
                + "\"clusterName\":\"c\",\"data\":{\"nodeName\":\"queued-node-%d\",\"instanceType\":\"m5.large\","
                + "\"lifecycle\":\"spot\"}}").formatted(n, n)).statusCode()).isEqualTo(200));
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("queued-deliveries");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
