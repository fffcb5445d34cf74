package io.castai.events;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import io.castai.events.support.HttpStandIn;
import io.castai.events.support.LogCapture;
import io.castai.events.support.Postgres;
import io.castai.events.support.RunningService;
import io.castai.events.support.TcpProxy;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The store away (PostgreSQL unreachable): every sender is told to retry, and the log is not flooded. */
class StoreOutageTest {
    @Test
    void everySenderIsToldToRetryWithinALimitOfLogLinesAndIsServedOnceTheStoreIsBack() {
        try (Postgres database = Postgres.freshDatabase(); TcpProxy relay = new TcpProxy(5432);
             LogCapture log = LogCapture.attach();
             RunningService service = RunningService.builder()
                     .property("castai.store.url", database.url().replace(":5432/", ":" + relay.port() + "/"))
                     .property("castai.store.username", Postgres.USER)
                     .property("castai.store.connect-timeout", "250ms")
                     .start()) {
            relay.cut();
            // senders at once, as through a real outage (each waits up to the connect timeout)
            ExecutorService senders = Executors.newFixedThreadPool(30);
            List<HttpResponse<String>> answers = IntStream.range(0, 60)
                    .mapToObj(n -> CompletableFuture.supplyAsync(() -> service.postEvent(
                            "{\"id\":\"outage-" + n + "\",\"eventType\":\"node.added\"}"), senders))
                    .toList().stream().map(CompletableFuture::join).toList();
            senders.shutdown();
            for (HttpResponse<String> refused : answers) {
                assertThat(refused.statusCode()).isEqualTo(503);
                assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
                assertThat(refused.body()).isEqualTo("{\"error\":\"events cannot be stored right now, retry later\"}");
            }
            assertThat(log.linesContaining("Could not store event")).as("at most 50 lines every 10 s").hasSizeBetween(1, 50);
            assertThat(service.get("/observe/metrics").body()).contains("castai_events_rejected_total{reason=\"storage\"} 60.0");
            // monitoring sees why; readiness does not (an unready pod would leave its Service)
            HttpResponse<String> health = service.get("/observe/health");
            assertThat(health.statusCode()).as(health.body()).isEqualTo(503);
            assertThat(health.body()).contains("{\"name\":\"store\",\"status\":\"DOWN\"");
            assertThat(service.get("/observe/health/ready").statusCode()).isEqualTo(200);

            relay.restore();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> service.postEvent("{\"id\":\"outage-0\",\"eventType\":\"node.added\"}").statusCode() == 200);
            assertThat(service.get("/observe/health").body()).contains("{\"name\":\"store\",\"status\":\"UP\"");
        }
    }

    @Test
    void theMetricsStillAnswerPromptlyWithTheBacklogUnknown() throws Exception {
        try (Postgres database = Postgres.freshDatabase(); TcpProxy relay = new TcpProxy(5432);
             HttpStandIn slack = HttpStandIn.slack(); HttpStandIn pagerDuty = HttpStandIn.pagerDuty();
             RunningService service = RunningService.builder().channels(slack, pagerDuty)
                     .property("castai.store.url", database.url().replace(":5432/", ":" + relay.port() + "/"))
                     .property("castai.store.username", Postgres.USER)
                     .property("castai.store.connect-timeout", "2s")
                     .start()) {
            relay.cut();
            // each outbox gauge read on its own waited for a connection: 12 gauges, 24 s, past
            // Prometheus' 10 s scrape timeout, and every metric lost while they were most needed
            long started = System.nanoTime();
            HttpResponse<String> scrape = service.get("/observe/metrics");
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(took).as("one wait for a connection, not one per gauge").isLessThan(Duration.ofSeconds(6));
            assertThat(scrape.body()).contains("castai_outbox_pending NaN")
                    .contains("castai_outbox_channel_pending{channel=\"slack\"} NaN")
                    .contains("jvm_memory_used_bytes");
        }
    }

    /** Recent ids are answered from memory: a sender's retry of a stored event is not told to retry for ever. */
    @Test
    void aRepeatOfAStoredEventIsADuplicateWhileTheStoreIsAway() {
        try (Postgres database = Postgres.freshDatabase(); TcpProxy relay = new TcpProxy(5432);
             RunningService service = RunningService.builder()
                     .property("castai.store.url", database.url().replace(":5432/", ":" + relay.port() + "/"))
                     .property("castai.store.username", Postgres.USER)
                     .property("castai.store.connect-timeout", "250ms")
                     .property("admin.token", "admin-token-5ecre7")
                     .start()) {
            String event = "{\"id\":\"seen-1\",\"eventType\":\"node.added\"}";
            assertThat(service.postEvent(event).body()).isEqualTo("{\"received\":true}");
            relay.cut();

            HttpResponse<String> repeat = service.postEvent(event);
            assertThat(repeat.statusCode()).isEqualTo(200);
            assertThat(repeat.body()).isEqualTo("{\"received\":true,\"duplicate\":true}");
            assertThat(service.get("/observe/metrics").body()).doesNotContain("reason=\"storage\"");
            // the routing dry-run says as much, and that it cannot know for an id it does not remember
            assertThat(service.send("POST", "/castai/routes/test", event).body()).contains("\"duplicate\":true");
            assertThat(service.send("POST", "/castai/routes/test", event.replace("seen-1", "unseen-1")).body())
                    .contains("\"duplicate\":null");
            // an admin list is no event refused: said as what it is, and not counted as one
            HttpResponse<String> pending = service.send("GET", "/admin/pending", null, "Authorization", "Bearer admin-token-5ecre7");
            assertThat(pending.statusCode()).isEqualTo(503);
            assertThat(pending.body()).isEqualTo("{\"error\":\"the store cannot be reached right now, retry later\"}");
            assertThat(service.get("/observe/metrics").body()).doesNotContain("reason=\"storage\"");
        }
    }

    @Test
    void aRepeatOfAnEventStillBeingStoredIsToldToRetryNotThatItIsADuplicate() throws Exception {
        // a sender that gave up on a slow answer and retried: "duplicate" would end its retries,
        // and the first copy may yet fail to be stored
        try (Postgres database = Postgres.freshDatabase(); TcpProxy relay = new TcpProxy(5432);
             RunningService service = RunningService.builder()
                     .property("castai.store.url", database.url().replace(":5432/", ":" + relay.port() + "/"))
                     .property("castai.store.username", Postgres.USER)
                     .start()) {
            String event = "{\"id\":\"slow-1\",\"eventType\":\"node.added\"}";
            relay.freeze();
            CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> service.postEvent(event));
            Thread.sleep(1000); // the first copy waits on the store (not a timing under test)
            HttpResponse<String> repeat = service.postEvent(event);
            assertThat(repeat.statusCode()).isEqualTo(503);
            assertThat(repeat.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(repeat.body()).isEqualTo("{\"error\":\"the same event is being accepted right now: retry\"}");

            relay.thaw();
            assertThat(first.get(30, java.util.concurrent.TimeUnit.SECONDS).body()).isEqualTo("{\"received\":true}");
            assertThat(service.postEvent(event).body()).isEqualTo("{\"received\":true,\"duplicate\":true}");
            assertThat(service.get("/observe/metrics").body()).contains("castai_events_rejected_total{reason=\"in_flight\"} 1.0");
        }
    }

    @Test
    void aRowLockedByATransactionThatNeverEndsDoesNotStopTheIntake() throws Exception {
        // a replica cut off from the database mid-write leaves its session, and its row locks, to
        // the server: the next claim of that delivery must not hold up every other write
        try (Postgres database = Postgres.freshDatabase(); HttpStandIn slack = HttpStandIn.slack();
             HttpStandIn pagerDuty = HttpStandIn.pagerDuty();
             RunningService service = RunningService.builder().channels(slack, pagerDuty)
                     .property("castai.store.url", database.url())
                     .property("castai.store.username", Postgres.USER)
                     .start();
             java.sql.Connection stranded = java.sql.DriverManager.getConnection(database.url(), Postgres.USER, "")) {
            slack.respondByDefault(500, "down"); // retried every ~200 ms: claimed again and again
            assertThat(service.postEvent("{\"id\":\"locked-1\",\"eventType\":\"node.added\"}").statusCode()).isEqualTo(200);
            slack.awaitRequests(1);
            stranded.setAutoCommit(false);
            try (java.sql.Statement lock = stranded.createStatement()) {
                lock.executeUpdate("UPDATE deliveries SET last_error = last_error WHERE event_id = 'locked-1'");
            }
            Thread.sleep(1000); // a claim of the locked row under way (not a timing under test)

            for (int i = 0; i < 3; i++) {
                long started = System.nanoTime();
                HttpResponse<String> answer = service.postEvent("{\"id\":\"after-lock-" + i + "\",\"eventType\":\"node.added\"}");
                assertThat(answer.statusCode()).isEqualTo(200);
                // without a lock timeout the writer waited out the socket timeout (30 s): a 503
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
            }
            stranded.rollback();
        }
    }
}
