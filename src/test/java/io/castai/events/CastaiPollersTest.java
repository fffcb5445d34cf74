package io.castai.events;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.castai.AuditCheckpoint;
import io.castai.events.outbox.Outbox;
import io.castai.events.outbox.Store;
import io.castai.events.support.BadAnswer;
import io.castai.events.support.CastaiApiStandIn;
import io.castai.events.support.Postgres;
import io.castai.events.support.TcpProxy;
import io.castai.events.support.HttpStandIn;
import io.castai.events.support.LogCapture;
import io.castai.events.support.RunningService;
import org.apache.camel.spi.IdempotentRepository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The CAST AI pollers against a local stand-in of the API, on schedules that fire every second. */
class CastaiPollersTest {
    private static final String API_KEY = "castai-api-key-5ecre7-0123456789";
    private static final String CLUSTER = "4d2f1b3e-7c1a-4e59-9a3b-2f6c8d0e1a77";
    private static final String EVERY_SECOND = "*/1 * * * * ?";
    private static final List<String> FIXTURE_AUDIT_IDS = List.of("7a1e0c52-9f3d-4b21-8e6a-0c4d2b1f3e90",
            "c2d9b7e4-1a6f-4c0e-9b3d-8f5a2e7c1d04", "e5f0a3c8-6b2d-4e17-a9c1-3d8b0f6e2a55");

    @TempDir
    Path dataDir;

    private LogCapture log;
    private CastaiApiStandIn castai;
    private HttpStandIn slack;

    @BeforeEach
    void start() throws Exception {
        log = LogCapture.attach();
        castai = new CastaiApiStandIn(API_KEY);
        slack = HttpStandIn.slack();
    }

    @AfterEach
    void stop() {
        assertThat(log.text()).as("the API key is never logged").doesNotContain(API_KEY);
        log.close();
        castai.close();
        slack.close();
    }

    private RunningService.Builder service(String apiKey) {
        return RunningService.builder()
                .property("castai.api.key", apiKey)
                .property("castai.api.url", castai.url())
                .property("castai.cluster.id", CLUSTER)
                .property("castai.audit.enabled", false)
                .property("castai.savings.enabled", false)
                .property("castai.poll.backoff", "1s")
                .property("slack.webhook.url", slack.url("/hook"))
                .property("data.dir", dataDir);
    }

    private static final String FIXTURE_SAVINGS_SUMMARY = "Daily CAST AI savings: 1200.12 USD/month for cluster "
            + "staging-us-east (current cost 3000.30 USD/month; best option: spotInstances)";

    private RunningService.Builder savingsService() {
        return service(API_KEY).property("castai.savings.enabled", true).property("castai.savings.schedule", EVERY_SECOND);
    }

    private String firstSlackText() throws Exception {
        return new ObjectMapper().readTree(slack.awaitRequests(1).get(0).body()).get("text").asText();
    }

    private RunningService.Builder auditService() {
        return service(API_KEY)
                .property("castai.audit.enabled", true)
                .property("castai.audit.schedule", EVERY_SECOND)
                .property("castai.audit.page-limit", 2)
                .property("castai.audit.lag", "0s");
    }

    @Test
    void auditEntriesAreForwardedOnceAcrossPollsAndARestart() {
        castai.withFixtureAuditEntriesUnchecked();
        try (RunningService ignored = auditService().start()) {
            FIXTURE_AUDIT_IDS.forEach(id -> awaitLog("Audit entry " + id));
            assertThat(log.linesContaining("Audit entry 7a1e0c52-9f3d-4b21-8e6a-0c4d2b1f3e90 at ").get(0))
                    .contains(": nodeAdded by CAST AI autoscaler");
            awaitMorePolls(2);

            List<CastaiApiStandIn.Call> calls = castai.calls("/v1/audit");
            assertThat(calls).allSatisfy(call -> {
                assertThat(call.query()).containsEntry("clusterId", CLUSTER).containsEntry("page.limit", "2")
                        .containsKeys("fromDate", "toDate");
                assertThat(call.headers().get("X-api-key")).containsExactly(API_KEY);
            });
            assertThat(calls).as("three entries at two a page: the cursor is followed")
                    .anySatisfy(call -> assertThat(call.query()).containsKey("page.cursor"));
        }

        castai.addAuditEntry("f00d0000-0000-4000-8000-000000000001", "clusterPaused", Instant.now());
        try (RunningService ignored = auditService().start()) {
            awaitLog("Audit entry f00d0000-0000-4000-8000-000000000001");
            awaitMorePolls(2);
        }
        for (String id : FIXTURE_AUDIT_IDS) {
            assertThat(log.linesContaining("Audit entry " + id)).as(id + " once, across polls and a restart").hasSize(1);
        }
        assertThat(log.linesContaining("Audit entry f00d0000")).hasSize(1);
    }

    @Test
    void anAuditEntryThatAppearsLateIsStillForwardedOnce() {
        try (RunningService ignored = auditService().start()) {
            awaitMorePolls(2);
            // written by CAST AI after the windows covering its time were read
            castai.addAuditEntry("1a7e0000-0000-4000-8000-000000000001", "nodeDeleted", Instant.now().minusSeconds(35));
            awaitLog("Audit entry 1a7e0000-0000-4000-8000-000000000001");
            awaitMorePolls(2);
        }
        assertThat(log.linesContaining("Audit entry 1a7e0000")).hasSize(1);
    }

    @Test
    void anAuditAnswerWithoutItemsIsAFailureNotAnEmptyWindow() {
        castai.withFixtureAuditEntriesUnchecked();
        castai.answerNextWith("/v1/audit", "{}");
        try (RunningService ignored = auditService().start()) {
            awaitLog("CAST AI audit poll for cluster " + CLUSTER + " failed (audit log answer has no 'items' list)");
            FIXTURE_AUDIT_IDS.forEach(id -> awaitLog("Audit entry " + id));
        }
    }

    /**
     * A page's place is kept only once its entries are accepted: an entry the store refuses (here a
     * trigger, as a failed write would) leaves the page to be read again, not skipped. Its entries
     * are older than the overlap the next window reads again, so nothing else would bring it back.
     */
    @Test
    void anAuditPageWhoseEntryCannotBeAcceptedIsReadAgainNotSkipped() throws Exception {
        Instant before = Instant.now().minus(Duration.ofMinutes(20));
        castai.addAuditEntry("old-1", "nodeAdded", before);
        castai.addAuditEntry("old-2", "nodeAdded", before.plusSeconds(1));
        castai.addAuditEntry("old-3", "nodeAdded", before.plusSeconds(2));
        try (java.sql.Connection db = storeRefusingEvents("NEW.id = 'audit:old-2'")) {
            try (RunningService ignored = auditService().start()) {
                awaitLog("Audit entry old-1");
                // the first page (old-1, old-2) failed at old-2; a run or two more fail the same way
                awaitMorePolls(2);
                assertThat(log.linesContaining("Audit entry old-")).as("nothing past the refused entry").hasSize(1);
                // the store's failure, said as such (at most every 30 s), not an ERROR with its trace at every run
                assertThat(log.linesContaining("The store cannot be used by poll-audit")).hasSize(1);
                assertThat(log.linesContaining("Error processing exchange")).isEmpty();

                db.createStatement().execute("DROP TRIGGER refuse");
                awaitLog("Audit entry old-2");
                awaitLog("Audit entry old-3");
                awaitMorePolls(2);
                assertThat(log.linesContaining("Audit entry old-")).as("each once").hasSize(3);
            }
        }
    }

    @Test
    void aPageLongerThanTheAnswerLimitIsAskedForInSmallerPagesNotForEver() {
        // 60 entries of ~2 KB: a page of 100 is cut at 64 KiB; asked again, the API gives the same page
        for (int n = 0; n < 60; n++) {
            castai.addAuditEntry("big-" + n, "cluster.updated", Instant.now().minusSeconds(120 - n), "x".repeat(2000));
        }
        try (RunningService service = auditService().property("castai.audit.page-limit", 100)
                .property("http.max-answer-bytes", 65536).start()) {
            awaitLog("audit log page is not whole JSON (cut short?): the next tries ask for 50 a page");
            assertThat(service.get("/observe/metrics").body()).contains("castai_poll_failures_total{cluster=\"" + CLUSTER + "\",poller=\"audit\",reason=\"unreadable\"}");
            await().atMost(Duration.ofSeconds(30)).until(() -> log.linesContaining("Audit entry big-").size() == 60);
            // the long page is behind the poller: later runs do not stay at the reduced size (the
            // run that read the last entries may still be asking for its last page at 50)
            int calls = castai.calls("/v1/audit").size();
            await().atMost(Duration.ofSeconds(15)).until(() -> castai.calls("/v1/audit").stream().skip(calls)
                    .anyMatch(call -> "100".equals(call.query().get("page.limit"))));
        }
    }

    @Test
    void aPageThatTricklesInEndsTheRunAtTheCallTimeoutAndTheNextRunReadsIt() {
        castai.withFixtureAuditEntriesUnchecked();
        castai.answerNextBadly("/v1/audit", BadAnswer.TRICKLE);
        // the trickle goes on for 20 s, a byte every 100 ms: only the whole call's limit ends it sooner
        try (RunningService ignored = auditService().property("http.call-timeout-ms", 1000).start()) {
            awaitLog("The answer from 127.0.0.1 did not end within 1000 ms (HTTP_CALL_TIMEOUT_MS)");
            // the page, cut short, is not JSON: asked again in smaller pages
            awaitLog("CAST AI audit poll for cluster " + CLUSTER + " failed (audit log page is not whole JSON (cut short?)");
            FIXTURE_AUDIT_IDS.forEach(id -> awaitLog("Audit entry " + id));
        }
    }

    @Test
    void aPageThatNeverEndsIsCutAtTheSizeLimitAndTheNextRunReadsIt() {
        castai.withFixtureAuditEntriesUnchecked();
        castai.answerNextBadly("/v1/audit", BadAnswer.ENDLESS);
        try (RunningService ignored = auditService().property("http.max-answer-bytes", 65_536).start()) {
            awaitLog("The answer from 127.0.0.1 is longer than 65536 bytes (HTTP_MAX_ANSWER_BYTES)");
            // the page, cut short, is not JSON: asked again in smaller pages
            awaitLog("CAST AI audit poll for cluster " + CLUSTER + " failed (audit log page is not whole JSON (cut short?)");
            FIXTURE_AUDIT_IDS.forEach(id -> awaitLog("Audit entry " + id));
        }
    }

    @Test
    void aSavedPageCursorTheApiNoLongerKnowsIsLetGoAndTheWindowReadAgain() {
        castai.withFixtureAuditEntriesUnchecked();
        // left by a run that stopped midway through a window, days before CAST AI forgot its cursors
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Outbox store = new Outbox(Store.sqlite(dataDir), Clock.systemUTC(), Duration.ofMinutes(2), Duration.ofHours(24));
        store.start();
        store.saveCheckpoint("audit/" + CLUSTER,
                new AuditCheckpoint(now.minus(Duration.ofMinutes(10)), now.minus(Duration.ofMinutes(2)), "stale-cursor").toJson());
        store.stop();

        try (RunningService ignored = auditService().start()) {
            awaitLog("CAST AI audit log refused the saved page cursor (HTTP 400) for cluster " + CLUSTER);
            FIXTURE_AUDIT_IDS.forEach(id -> awaitLog("Audit entry " + id));
            awaitMorePolls(2);
        }
        assertThat(castai.calls("/v1/audit")).filteredOn(call -> "stale-cursor".equals(call.query().get("page.cursor")))
                .as("asked for once, not at every run").hasSize(1);
        assertThat(log.linesContaining("CAST AI audit poll for cluster " + CLUSTER + " failed (HTTP 400")).hasSize(1);
        FIXTURE_AUDIT_IDS.forEach(id -> assertThat(log.linesContaining("Audit entry " + id)).as(id).hasSize(1));
        assertThat(castai.calls("/v1/audit").get(1).query().get("fromDate")).as("read again from the window's start, no earlier")
                .isEqualTo(now.minus(Duration.ofMinutes(10)).toString());
    }

    @Test
    void anApiThatRefusesEveryCursorIsBackedOffFromAndTheWindowDoesNotDrift() {
        castai.withFixtureAuditEntriesUnchecked();
        castai.refuseEveryCursor();
        try (RunningService ignored = auditService().start()) {
            FIXTURE_AUDIT_IDS.subList(0, 2).forEach(id -> awaitLog("Audit entry " + id));
            await().pollDelay(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(9)).until(() -> true);
        }
        List<CastaiApiStandIn.Call> calls = castai.calls("/v1/audit");
        // every second without a backoff: two calls a run, ~16 in 8 s; backing off 1, 2, 4 s: a handful
        assertThat(calls).as("backed off, not hammered").hasSizeLessThanOrEqualTo(8);
        assertThat(calls.stream().map(call -> call.query().get("fromDate")).distinct())
                .as("each run reads the same window again, never further back").hasSize(1);
        FIXTURE_AUDIT_IDS.subList(0, 2).forEach(id -> assertThat(log.linesContaining("Audit entry " + id)).as(id).hasSize(1));
    }

    @Test
    void aRefusedKeyStopsPollingAndHealthSaysSo() throws Exception {
        castai.withFixtureAuditEntriesUnchecked();
        try (RunningService service = auditService().property("castai.api.key", "wrong-key").start()) {
            awaitLog("CAST AI API refused the key (HTTP 401");
            HttpResponse<String> health = service.get("/observe/health");
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("castai-api").contains("DOWN");
            assertThat(service.get("/observe/health/ready").statusCode())
                    .as("the pod stays in its Service: console webhooks still arrive").isEqualTo(200);
            assertThat(service.get("/observe/health/live").statusCode())
                    .as("a wrong key is not cured by a restart: liveness stays UP").isEqualTo(200);

            await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4))
                    .until(() -> castai.calls("/v1/audit").size() == 1);
            assertThat(log.linesContaining("CAST AI API refused the key")).hasSize(1);
            assertThat(log.linesContaining("CAST AI API refused the key").get(0)).contains("invalid key <secret>");
            assertThat(log.text()).as("the answer quoted the key").doesNotContain("wrong-key");
            assertThat(log.linesContaining("Audit entry")).isEmpty();
        }
    }

    @Test
    void aKeyRefusedForOneEndpointStopsOnlyThatPoller() throws Exception {
        castai.withFixtureAuditEntriesUnchecked();
        castai.failNext("/v1/kubernetes/external-clusters/" + CLUSTER + "/estimated-savings", 403, null);
        try (RunningService service = auditService()
                .property("castai.savings.enabled", true)
                .property("castai.savings.schedule", EVERY_SECOND).start()) {
            awaitLog("CAST AI API refused the key (HTTP 403");
            assertThat(log.linesContaining("CAST AI API refused the key").get(0)).contains("for the savings poller of cluster " + CLUSTER);
            FIXTURE_AUDIT_IDS.forEach(id -> awaitLog("Audit entry " + id));
            // written after the refusal: the audit poller still runs
            castai.addAuditEntry("a0d17000-0000-4000-8000-000000000001", "clusterResumed", Instant.now());
            awaitLog("Audit entry a0d17000-0000-4000-8000-000000000001");
            assertThat(service.get("/observe/health").body()).contains("savings:" + CLUSTER).doesNotContain("audit:" + CLUSTER);
            assertThat(slack.requests()).as("no savings summary").isEmpty();
        }
    }

    @Test
    void aTooManyRequestsAnswerPausesThePollerForItsRetryAfter() {
        castai.withFixtureAuditEntriesUnchecked();
        castai.failNext("/v1/audit", 429, "3");
        try (RunningService ignored = auditService().start()) {
            FIXTURE_AUDIT_IDS.forEach(id -> awaitLog("Audit entry " + id));
            List<CastaiApiStandIn.Call> calls = castai.calls("/v1/audit");
            Duration pause = Duration.between(calls.get(0).at(), calls.get(1).at());
            // the schedule fires every second: only Retry-After explains a pause of about three
            assertThat(pause).isGreaterThanOrEqualTo(Duration.ofMillis(2500));
            assertThat(log.linesContaining("CAST AI audit poll for cluster " + CLUSTER + " failed (HTTP 429")).hasSize(1);
        }
    }

    @Test
    void notificationsAreDeliveredAndAcknowledgedOnce() throws Exception {
        castai.withFixtureNotificationsUnchecked();
        try (RunningService service = service(API_KEY)
                .property("castai.notifications.schedule", EVERY_SECOND).start()) {
            String text = new ObjectMapper().readTree(slack.awaitRequests(1).get(0).body()).get("text").asText();
            assertThat(text).contains("[CRITICAL] Cluster controller not responding");
            await().atMost(Duration.ofSeconds(10)).until(() -> !castai.acknowledged().isEmpty());
            assertThat(castai.acknowledged()).containsExactly("0f7c2b9e-5a41-4d1e-b0f3-6e2d9a8c7b15");
            CastaiApiStandIn.Call ack = castai.calls("/v1/notifications/ack").get(0);
            assertThat(ack.method()).isEqualTo("POST");
            assertThat(ack.body()).isEqualTo("{\"ids\":[\"0f7c2b9e-5a41-4d1e-b0f3-6e2d9a8c7b15\"]}");
            assertThat(castai.calls("/v1/notifications").get(0).query())
                    .containsEntry("filter.isAcked", "false").containsEntry("filter.clusterId", CLUSTER);

            int polls = castai.calls("/v1/notifications").size();
            await().atMost(Duration.ofSeconds(10)).until(() -> castai.calls("/v1/notifications").size() >= polls + 2);
            assertThat(slack.requests()).hasSize(1);
            assertThat(castai.calls("/v1/notifications/ack")).hasSize(1);
            // the stand-in lists regardless of the filters: every poll must ask for them
            assertThat(castai.calls("/v1/notifications")).filteredOn(call -> call.path().equals("/v1/notifications"))
                    .allSatisfy(call -> assertThat(call.query())
                            .containsEntry("filter.isAcked", "false").containsEntry("filter.clusterId", CLUSTER));

            // the same notification arriving by webhook too notifies nobody again
            assertThat(service.postFixture("events/console-notification.json").body()).contains("\"duplicate\":true");
        }
    }

    @Test
    void aStoreOutageIsNotTakenForAFailureOfTheApi() {
        castai.withFixtureNotificationsUnchecked();
        try (Postgres database = Postgres.freshDatabase(); TcpProxy relay = new TcpProxy(5432)) {
            // the notifications poll as often as the schedule fires, up to 30 s apart after an API failure
            try (RunningService ignored = service(API_KEY)
                    .property("castai.store.url", database.url().replace(":5432/", ":" + relay.port() + "/"))
                    .property("castai.store.username", Postgres.USER)
                    .property("castai.store.connect-timeout", "1s")
                    .property("castai.poll.backoff", "30s")
                    .property("castai.notifications.schedule", EVERY_SECOND).start()) {
                relay.cut();
                awaitLog("The store cannot be used by poll-notifications");
                relay.restore();
                slack.awaitRequests(1);
                assertThat(log.linesContaining("CAST AI notifications poll for cluster")).isEmpty();
            }
        }
    }

    @Test
    void aFailedAcknowledgementIsMadeAgainAtTheNextPollAndNotifiesNobodyTwice() throws Exception {
        castai.withFixtureNotificationsUnchecked();
        castai.failNext("/v1/notifications/ack", 503, null);
        try (RunningService service = service(API_KEY)
                .property("castai.notifications.schedule", EVERY_SECOND).start()) {
            slack.awaitRequests(1);
            // the first acknowledgement failed; the notification is listed again, and acknowledged then
            await().atMost(Duration.ofSeconds(15)).until(() -> !castai.acknowledged().isEmpty());
            assertThat(castai.calls("/v1/notifications/ack")).as("the failed one, then the one that went through").hasSize(2);
            assertThat(castai.acknowledged()).containsExactly("0f7c2b9e-5a41-4d1e-b0f3-6e2d9a8c7b15");
            int polls = castai.calls("/v1/notifications").size();
            await().atMost(Duration.ofSeconds(10)).until(() -> castai.calls("/v1/notifications").size() >= polls + 2);
            assertThat(slack.requests()).as("notified once").hasSize(1);
        }
    }

    @Test
    void aNotificationIsAcknowledgedOnlyOnceItIsStored() throws Exception {
        try (RunningService service = service(API_KEY)
                .property("castai.notifications.schedule", EVERY_SECOND).start()) {
            // the same notification in flight by webhook: known to dedup, not yet in the store
            IdempotentRepository dedup = service.camelContext().getRegistry()
                    .lookupByNameAndType("dedupRepository", IdempotentRepository.class);
            dedup.add("0f7c2b9e-5a41-4d1e-b0f3-6e2d9a8c7b15");
            castai.withFixtureNotificationsUnchecked();
            int polls = castai.calls("/v1/notifications").size();
            await().atMost(Duration.ofSeconds(10)).until(() -> castai.calls("/v1/notifications").size() >= polls + 2);
            assertThat(castai.acknowledged()).as("a duplicate the store does not hold").isEmpty();

            // the webhook's store write failed: its id is forgotten, and the poll delivers it
            dedup.remove("0f7c2b9e-5a41-4d1e-b0f3-6e2d9a8c7b15");
            await().atMost(Duration.ofSeconds(10)).until(() -> !castai.acknowledged().isEmpty());
            // acknowledged once stored; its delivery follows on the channel's own workers, once
            slack.awaitRequests(1);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> slack.requests().size() == 1);
        }
    }

    @Test
    void anOddNotificationIsSkippedAndTheRestOfItsPageNotified() throws Exception {
        castai.addNotification(new ObjectMapper().createObjectNode().put("id", "odd-1").put("severity", "WARNING")
                .put("name", " ").put("message", "a notification without a name"));
        castai.withFixtureNotificationsUnchecked();
        try (RunningService service = service(API_KEY)
                .property("castai.notifications.schedule", EVERY_SECOND).start()) {
            assertThat(new ObjectMapper().readTree(slack.awaitRequests(1).get(0).body()).get("text").asText())
                    .contains("[CRITICAL] Cluster controller not responding");
            await().atMost(Duration.ofSeconds(10)).until(() -> !castai.acknowledged().isEmpty());
            assertThat(castai.acknowledged()).as("the odd one stays in the console, unacknowledged")
                    .containsExactly("0f7c2b9e-5a41-4d1e-b0f3-6e2d9a8c7b15");
            awaitLog("CAST AI notification odd-1 skipped and left unacknowledged: console notification is missing 'Name'");
            int polls = castai.calls("/v1/notifications").size();
            await().atMost(Duration.ofSeconds(10)).until(() -> castai.calls("/v1/notifications").size() >= polls + 2);
            assertThat(log.linesContaining("CAST AI notification odd-1 skipped")).as("said once, not at every poll").hasSize(1);
        }
    }

    @Test
    void everyUnacknowledgedNotificationIsReadInOneRunAcrossPages() throws Exception {
        for (int n = 1; n <= 5; n++) {
            castai.addNotification(new ObjectMapper().createObjectNode().put("id", "n-" + n).put("severity", "INFO")
                    .put("name", "Note " + n).put("message", "m" + n).put("timestamp", "2026-10-02T16:15:02Z"));
        }
        try (RunningService service = service(API_KEY)
                .property("castai.notifications.page-limit", 2)
                .property("castai.notifications.schedule", "0/20 * * * * ?").start()) {
            await().atMost(Duration.ofSeconds(25)).until(() -> !castai.acknowledged().isEmpty());
            // the next run is 20 s away: following the cursor after an acknowledgement skipped a page
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(castai.acknowledged()).containsExactlyInAnyOrder("n-1", "n-2", "n-3", "n-4", "n-5"));
            assertThat(service.get("/observe/metrics").body()).as("polled, not posted by the console")
                    .contains("castai_events_received_total{origin=\"api\"} 5.0").doesNotContain("origin=\"console\"");
        }
    }

    @Test
    void aNotificationsPageLongerThanTheAnswerLimitIsAskedForInSmallerPagesNotForEver() throws Exception {
        // 40 notifications of ~3 KB: any page of 25 or more is cut at 64 KiB; asked again, the API gives the same page
        for (int n = 1; n <= 40; n++) {
            castai.addNotification(new ObjectMapper().createObjectNode().put("id", "big-" + n).put("severity", "INFO")
                    .put("name", "Note " + n).put("message", "x".repeat(3000)).put("timestamp", "2026-10-02T16:15:02Z"));
        }
        try (RunningService ignored = service(API_KEY).property("castai.notifications.page-limit", 100)
                .property("http.max-answer-bytes", 65536)
                .property("castai.notifications.schedule", EVERY_SECOND).start()) {
            awaitLog("notifications page is not whole JSON (cut short?): the next tries ask for 50 a page");
            await().atMost(Duration.ofSeconds(40)).until(() -> castai.acknowledged().size() == 40);
            List<CastaiApiStandIn.Call> pages = castai.calls("/v1/notifications").stream()
                    .filter(call -> call.path().equals("/v1/notifications")).toList();
            assertThat(pages).extracting(call -> call.query().get("page.limit")).as("halved until a page fits")
                    .contains("12").doesNotContain("6");
            // the long pages are behind the poller: later runs do not stay at the reduced size
            await().atMost(Duration.ofSeconds(15)).until(() -> castai.calls("/v1/notifications").stream()
                    .skip(pages.size()).anyMatch(call -> "100".equals(call.query().get("page.limit"))));
        }
    }

    @Test
    void theDailySavingsSummaryIsPostedOncePerDayByTheFirstRunThatSucceeds() throws Exception {
        castai.failNext("/v1/kubernetes/external-clusters/" + CLUSTER + "/estimated-savings", 503, null);
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        try (RunningService service = savingsService().start()) {
            assertThat(firstSlackText()).isEqualTo(FIXTURE_SAVINGS_SUMMARY);
            // runs every second meanwhile
            await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);
            assertThat(slack.requests()).as("one summary per cluster and day").hasSize(1);
            assertThat(castai.calls("/v1/kubernetes/external-clusters/" + CLUSTER + "/estimated-savings"))
                    .as("the failed run and the one that posted: the day's later runs ask the API nothing").hasSize(2);

            // to alert on: failures by reason, and when a poller last got through
            String metrics = service.get("/observe/metrics").body();
            assertThat(metrics).contains("castai_poll_failures_total{cluster=\"" + CLUSTER + "\",poller=\"savings\",reason=\"http_5xx\"} 1.0");
            String lastSuccess = metrics.lines().filter(line -> line.startsWith(
                    "castai_poll_last_success_seconds{cluster=\"" + CLUSTER + "\",poller=\"savings\"}")).findFirst().orElseThrow();
            assertThat(Double.parseDouble(lastSuccess.substring(lastSuccess.lastIndexOf(' ') + 1)))
                    .isGreaterThanOrEqualTo(started.getEpochSecond());
            // the day's later runs, with nothing left to post, get through too: the gauge keeps up
            await().atMost(Duration.ofSeconds(10)).until(() -> lastPollSuccess(service, "savings") >= Instant.now().getEpochSecond() - 2);
        }
    }

    @Test
    void aClusterNameLookupWithNoAnswerLeavesTheIdInItsPlace() throws Exception {
        castai.answerNextBadly("/v1/kubernetes/external-clusters/" + CLUSTER, BadAnswer.HANG_UP);
        try (RunningService ignored = savingsService().start()) {
            assertThat(firstSlackText()).as("posted by the first run, not failed for want of a name")
                    .isEqualTo(FIXTURE_SAVINGS_SUMMARY.replace("cluster staging-us-east", "cluster " + CLUSTER));
        }
        assertThat(castai.calls("/v1/kubernetes/external-clusters/" + CLUSTER + "/estimated-savings")).hasSize(1);
    }

    @Test
    void aRateLimitedClusterNameLookupPausesThePollerForItsRetryAfter() throws Exception {
        // the lookup is the run's first call under this prefix
        castai.failNext("/v1/kubernetes/external-clusters/" + CLUSTER, 429, "3");
        try (RunningService ignored = savingsService().start()) {
            assertThat(firstSlackText()).as("posted by a later run, with the name").isEqualTo(FIXTURE_SAVINGS_SUMMARY);
        }
        List<CastaiApiStandIn.Call> lookups = castai.calls("/v1/kubernetes/external-clusters/" + CLUSTER).stream()
                .filter(call -> !call.path().endsWith("/estimated-savings")).toList();
        List<CastaiApiStandIn.Call> savings = castai.calls("/v1/kubernetes/external-clusters/" + CLUSTER + "/estimated-savings");
        // the key's rate limit: calling on at once would only be refused in turn
        assertThat(savings).as("no savings call straight after the 429").hasSize(1);
        assertThat(Duration.between(lookups.get(0).at(), savings.get(0).at())).isGreaterThanOrEqualTo(Duration.ofMillis(2500));
        assertThat(log.linesContaining("CAST AI savings poll for cluster " + CLUSTER + " failed (HTTP 429")).hasSize(1);
    }

    /** The day's summary counts as posted only once it is accepted: one the store refused is posted by a later run. */
    @Test
    void aSavingsSummaryThatCannotBeAcceptedIsPostedByALaterRun() throws Exception {
        try (java.sql.Connection db = storeRefusingEvents("NEW.id LIKE 'savings:%'");
             RunningService ignored = savingsService().start()) {
            await().atMost(Duration.ofSeconds(15)).until(() ->
                    castai.calls("/v1/kubernetes/external-clusters/" + CLUSTER + "/estimated-savings").size() >= 2);
            assertThat(slack.requests()).isEmpty();

            db.createStatement().execute("DROP TRIGGER refuse");
            assertThat(firstSlackText()).isEqualTo(FIXTURE_SAVINGS_SUMMARY);
            await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);
            assertThat(slack.requests()).as("once").hasSize(1);
        }
    }

    @Test
    void anUnreadableSavingsAnswerIsRetriedNotPostedAsNoEstimate() throws Exception {
        // a proxy's error page with a 200, or an answer cut off at HTTP_CALL_TIMEOUT_MS
        castai.answerNextWith("/v1/kubernetes/external-clusters/" + CLUSTER + "/estimated-savings",
                "<html><body>502 Bad Gateway</body></html>");
        try (RunningService ignored = savingsService().start()) {
            assertThat(firstSlackText()).isEqualTo(FIXTURE_SAVINGS_SUMMARY);
            assertThat(log.linesContaining("estimated savings answer is not a JSON object")).isNotEmpty();
        }
    }

    @Test
    void anUnreadableAuditCheckpointIsNamedNotBlamedOnTheApi() throws Exception {
        // a checkpoint file an earlier version left, cut short (a full disk, say)
        java.nio.file.Path legacy = java.nio.file.Path.of(dataDir.toString(), "castai-audit", CLUSTER + ".json");
        java.nio.file.Files.createDirectories(legacy.getParent());
        java.nio.file.Files.writeString(legacy, "{\"from\":\"2026-11-28T14:00:00Z\",\"to\":");
        try (RunningService ignored = auditService().start()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !log.linesContaining("unreadable audit checkpoint").isEmpty());
            assertThat(log.linesContaining("unreadable audit checkpoint").get(0))
                    .contains("CAST AI audit poll for cluster " + CLUSTER + " failed (unreadable audit checkpoint")
                    .contains("delete it to start over").doesNotContain("I/O error");
        } finally {
            java.nio.file.Files.deleteIfExists(legacy);
        }
    }

    @Test
    void aShortDedupWindowStillPostsOneSummaryADay() throws Exception {
        try (RunningService ignored = service(API_KEY)
                .property("dedup.window", "1s")
                .property("castai.audit.overlap", "0s")
                .property("castai.savings.enabled", true)
                .property("castai.savings.schedule", EVERY_SECOND).start()) {
            slack.awaitRequests(1);
            await().pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(5)).until(() -> true);
            assertThat(slack.requests()).as("the dedup window is long gone; the day's checkpoint is not").hasSize(1);
        }
    }

    @Test
    void aDedupWindowShorterThanANotificationsLifeIsWarnedAbout() {
        try (RunningService ignored = service(API_KEY).property("dedup.window", "1h")
                .property("castai.notifications.schedule", "0 0 0 1 1 ? 2099").start()) {
            assertThat(log.linesContaining("DEDUP_WINDOW (PT1H) is shorter than the 24 hours CAST AI keeps a notification"))
                    .hasSize(1);
        }
        try (RunningService ignored = service(API_KEY).property("dedup.window", "1h").start()) {
            assertThat(log.linesContaining("DEDUP_WINDOW (PT1H)")).as("the notifications poller off: no warning").hasSize(1);
        }
    }

    @Test
    void withoutAKeyThePollersAreOffAndSaySo() {
        try (RunningService service = RunningService.builder().property("castai.api.url", castai.url()).start()) {
            assertThat(service.isStarted()).isTrue();
            assertThat(service.camelContext().getRoute("poll-audit")).isNull();
            assertThat(log.linesContaining("CAST AI pollers are off: CASTAI_API_KEY is not set")).hasSize(1);
        }
        assertThat(castai.calls("/")).isEmpty();
    }

    /**
     * The service's SQLite store made ahead of the service, with a trigger ("refuse") that makes it
     * refuse the events {@code when} names, as a failed write would; drop it to let them in.
     */
    private java.sql.Connection storeRefusingEvents(String when) throws java.sql.SQLException {
        Outbox store = new Outbox(Store.sqlite(dataDir), Clock.systemUTC(), Duration.ofMinutes(2), Duration.ofHours(24));
        store.start();
        store.stop();
        java.sql.Connection db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("castai-events.db"));
        db.createStatement().execute("CREATE TRIGGER refuse BEFORE INSERT ON events WHEN " + when
                + " BEGIN SELECT RAISE(ABORT, 'refused for the test'); END");
        return db;
    }

    @Test
    void aPollerThatHasNotGotThroughYetHasItsGaugeFromTheStart() throws Exception {
        // a mistyped cluster id never gets through: without a series an alert on the gauge's age missed it
        long started = Instant.now().getEpochSecond();
        try (RunningService service = service(API_KEY).property("castai.audit.enabled", true)
                .property("castai.audit.schedule", "0 0 0 1 1 ? 2099")
                .property("castai.notifications.schedule", EVERY_SECOND).start()) {
            assertThat(castai.calls("/v1/audit")).as("no run yet").isEmpty();
            assertThat(lastPollSuccess(service, "audit")).isBetween((double) started, (double) Instant.now().getEpochSecond());
            // the notifications of the clusters polled, as their runs record them: a series of the
            // whole organization would stand still for ever beside them
            await().atMost(Duration.ofSeconds(15)).until(() -> lastPollSuccess(service, "notifications") > started);
            assertThat(service.get("/observe/metrics").body()).doesNotContain("cluster=\"\",poller=\"notifications\"");
        }
    }

    private static double lastPollSuccess(RunningService service, String poller) throws Exception {
        String line = service.get("/observe/metrics").body().lines().filter(l -> l.startsWith(
                "castai_poll_last_success_seconds{cluster=\"" + CLUSTER + "\",poller=\"" + poller + "\"}")).findFirst().orElseThrow();
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    private void awaitMorePolls(int more) {
        int polls = castai.calls("/v1/audit").size();
        await().atMost(Duration.ofSeconds(15)).until(() -> castai.calls("/v1/audit").size() >= polls + more);
    }

    private void awaitLog(String line) {
        await().atMost(Duration.ofSeconds(15)).until(() -> !log.linesContaining(line).isEmpty());
    }
}
