package io.castai.events;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import io.castai.events.dedup.DurableIdempotentRepository;
import io.castai.events.support.HttpStandIn;
import io.castai.events.support.LogCapture;
import io.castai.events.support.Postgres;
import io.castai.events.support.RunningService;
import io.castai.events.support.TcpProxy;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.apache.camel.spi.RouteController;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The Kubernetes events source against a real local Kubernetes API (fabric8's mock server, CRUD mode). */
@EnableKubernetesMockClient(crud = true, https = false)
class KubernetesEventsTest {
    static KubernetesMockServer server;
    static KubernetesClient client;

    @Test
    void eventsInTheWatchedNamespaceAreRoutedOnce() {
        try (LogCapture log = LogCapture.attach();
             RunningService ignored = watchingTheMockServer()
                     .property("k8s.cluster-name", "staging-us-east")
                     .start()) {
            Event notReady = event("castai-agent", "evt-1", "uid-1", "NodeNotReady", "Warning",
                    "Node ip-10-0-1-1 is not ready");
            client.events().v1().events().inNamespace("castai-agent").resource(notReady).create();
            client.events().v1().events().inNamespace("default")
                    .resource(event("default", "evt-2", "uid-2", "Pulled", "Normal", "elsewhere")).create();

            String line = "Kubernetes event NodeNotReady (WARNING) on node/ip-10-0-1-1 in castai-agent: "
                    + "Node ip-10-0-1-1 is not ready";
            await().atMost(Duration.ofSeconds(15)).until(() -> !log.linesContaining(line).isEmpty());

            // Kubernetes updates the same event as it recurs: still one notification
            notReady.setDeprecatedCount(2);
            client.events().v1().events().inNamespace("castai-agent").resource(notReady).update();
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .until(() -> log.linesContaining("Kubernetes event NodeNotReady").size() == 1);
            assertThat(log.linesContaining("Kubernetes event Pulled")).as("another namespace").isEmpty();
        }
    }

    @Test
    void onlyTheEventsCastaiReportedAreRouted() {
        try (LogCapture log = LogCapture.attach();
             RunningService ignored = watchingTheMockServer()
                     .start()) {
            client.events().v1().events().inNamespace("castai-agent").resource(event("castai-agent", "evt-kubelet",
                    "uid-kubelet", "Unhealthy", "Warning", "Readiness probe failed", "kubelet")).create();
            client.events().v1().events().inNamespace("castai-agent").resource(event("castai-agent", "evt-castai",
                    "uid-castai", "NodeDeleted", "Normal", "Node deleted by CAST AI")).create();

            // CAST AI's cluster controller reports as the component that asked it to act
            client.events().v1().events().inNamespace("castai-agent").resource(event("castai-agent", "evt-autoscaler",
                    "uid-autoscaler", "NodeAdded", "Normal", "Node added by the autoscaler", "autoscaler.cast.ai")).create();

            await().atMost(Duration.ofSeconds(15)).until(() -> !log.linesContaining("Kubernetes event NodeDeleted").isEmpty());
            await().atMost(Duration.ofSeconds(15)).until(() -> !log.linesContaining("Kubernetes event NodeAdded").isEmpty());
            assertThat(log.linesContaining("Kubernetes event Unhealthy")).as("the kubelet's").isEmpty();
        }
    }

    @Test
    void theResyncCatchesUpWhatTheWatchMissedAndWatchesAgain() throws Exception {
        try (LogCapture log = LogCapture.attach();
             RunningService service = watchingTheMockServer()
                     // long enough for the new watch to hand over the namespace (the mock server keeps
                     // earlier tests' events) before the next resync would take it for dead again
                     .property("k8s.events.resync", "4s")
                     .start()) {
            // the gauge starts at the start: a resync that got through is told by a later value (the
            // next whole second: the resyncs below come seconds later, the start came before it)
            long afterTheStart = Instant.now().getEpochSecond() + 1;
            // the watch ends (as it does for good on a 410 Gone) and an event comes meanwhile
            service.camelContext().getRouteController().stopRoute("k8s-events");
            assertThat(service.get("/observe/health/ready").statusCode())
                    .as("the optional watch stopped: the pod stays in its Service for webhooks").isEqualTo(200);
            client.events().v1().events().inNamespace("castai-agent").resource(event("castai-agent", "evt-missed",
                    "uid-missed", "NodeMissed", "Warning", "missed by the watch")).create();

            await().atMost(Duration.ofSeconds(15)).until(() -> !log.linesContaining("Kubernetes event NodeMissed").isEmpty());
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    service.camelContext().getRouteController().getRouteStatus("k8s-events").isStarted());
            client.events().v1().events().inNamespace("castai-agent").resource(event("castai-agent", "evt-after",
                    "uid-after", "NodeAfter", "Warning", "seen by the new watch")).create();
            await().atMost(Duration.ofSeconds(15)).until(() -> !log.linesContaining("Kubernetes event NodeAfter").isEmpty());

            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .until(() -> log.linesContaining("Kubernetes event NodeMissed").size() == 1);
            // with the watch working, a resync leaves it alone
            long watchUptime = service.camelContext().getRoute("k8s-events").getUptimeMillis();
            await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6)).until(() -> true);
            assertThat(service.camelContext().getRoute("k8s-events").getUptimeMillis()).isGreaterThan(watchUptime + 4000);
            assertThat(log.linesContaining("Kubernetes event NodeAfter")).hasSize(1);
            // every resync takes the listed events again: their duplicates are counted apart
            // the restart and the resyncs that got through are in the metrics, to alert on
            String metrics = service.get("/observe/metrics").body();
            assertThat(metrics)
                    .containsPattern("castai_events_duplicate_total\\{origin=\"kubernetes\"} [1-9]")
                    .doesNotContain("castai_events_duplicate_total{origin=\"event\"}")
                    .containsPattern("castai_k8s_watch_restarts_total(\\{})? 1\\.0")
                    .doesNotContain("castai_poll_failures_total{cluster=\"\",poller=\"kubernetes\"");
            String lastSuccess = metrics.lines()
                    .filter(line -> line.startsWith("castai_poll_last_success_seconds{cluster=\"\",poller=\"kubernetes\"} "))
                    .findFirst().orElseThrow();
            assertThat(Double.parseDouble(lastSuccess.substring(lastSuccess.lastIndexOf(' ') + 1)))
                    .as("a resync got through").isGreaterThanOrEqualTo(afterTheStart);
        }
    }

    @Test
    void anEventTheWatchIsAcceptingIsNoFailureOfTheResync() throws Exception {
        try (LogCapture log = LogCapture.attach();
             RunningService service = watchingTheMockServer()
                     .property("k8s.events.resync", "1s")
                     .start()) {
            // as when a new watch hands over every event again while the resync goes through
            // them: the one path holds the event in flight as the other takes it
            RouteController routes = service.camelContext().getRouteController();
            routes.stopRoute("k8s-events");
            routes.stopRoute("k8s-events-resync");
            Event created = client.events().v1().events().inNamespace("castai-agent").resource(event("castai-agent",
                    "evt-in-flight", "uid-in-flight", "NodeInFlight", "Warning", "taken by both")).create();
            String id = "k8s:" + created.getMetadata().getUid();
            DurableIdempotentRepository dedup = service.camelContext().getRegistry()
                    .lookupByNameAndType("dedupRepository", DurableIdempotentRepository.class);
            assertThat(dedup.add(id)).isTrue();
            routes.startRoute("k8s-events-resync");
            // a few resyncs, each finding the event in flight
            await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);
            assertThat(log.linesContaining("Kubernetes event NodeInFlight")).isEmpty();
            assertThat(log.linesContaining("EventInFlightException")).as("an ERROR or a failed resync").isEmpty();
            assertThat(service.get("/observe/metrics").body()).doesNotContain("castai_poll_failures_total{cluster=\"\",poller=\"kubernetes\"");

            // the other path let it go without accepting it: the next resync takes it
            dedup.remove(id);
            await().atMost(Duration.ofSeconds(10)).until(() -> !log.linesContaining("Kubernetes event NodeInFlight").isEmpty());
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                    .until(() -> log.linesContaining("Kubernetes event NodeInFlight").size() == 1);
        }
    }

    @Test
    void aStoreOutageIsOneWarningNotAnErrorPerEventAndTheResyncCatchesUp() {
        try (Postgres database = Postgres.freshDatabase(); TcpProxy relay = new TcpProxy(5432);
             LogCapture log = LogCapture.attach();
             RunningService service = watchingTheMockServer()
                     .property("k8s.events.resync", "2s")
                     .property("castai.store.url", database.url().replace(":5432/", ":" + relay.port() + "/"))
                     .property("castai.store.username", Postgres.USER)
                     .property("castai.store.connect-timeout", "1s")
                     .start()) {
            relay.cut();
            for (int n = 1; n <= 3; n++) {
                client.events().v1().events().inNamespace("castai-agent").resource(event("castai-agent", "evt-outage-" + n,
                        "uid-outage-" + n, "NodeOutage" + n, "Warning", "while the store was away")).create();
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> !log.linesContaining("The store cannot be used by k8s-events").isEmpty());
            // (the connection pool's own WARN for each broken connection carries a stack trace: not this)
            assertThat(log.linesContaining("ERROR ")).as("no ERROR per event").isEmpty();
            assertThat(log.text()).doesNotContain("Message History").doesNotContain("DefaultErrorHandler");

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(service.get("/observe/metrics").body())
                    .contains("castai_poll_failures_total{cluster=\"\",poller=\"kubernetes\",reason=\"store\"}"));

            relay.restore();
            for (int n = 1; n <= 3; n++) {
                String line = "Kubernetes event NodeOutage" + n + " ";
                await().atMost(Duration.ofSeconds(20)).until(() -> !log.linesContaining(line).isEmpty());
            }
        }
    }

    @Test
    void aSourceThatMatchesNothingIsSaidOnce() {
        try (LogCapture log = LogCapture.attach();
             RunningService ignored = watchingTheMockServer()
                     .property("k8s.events.namespace", "other-agent")
                     .property("k8s.events.resync", "1s")
                     .start()) {
            client.events().v1().events().inNamespace("other-agent").resource(event("other-agent", "evt-other",
                    "uid-other", "Started", "Normal", "started", "someone-else")).create();

            await().atMost(Duration.ofSeconds(10)).until(() -> !log.linesContaining(
                    "None of the Kubernetes events listed in namespace other-agent in 3 resyncs was reported by 'castai,*.cast.ai'").isEmpty());
            await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
            assertThat(log.linesContaining("None of the")).hasSize(1);
        }
    }

    @Test
    void aRefusedListIsLogged() throws Exception {
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        try (HttpStandIn forbidding = new HttpStandIn(403, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                + "\"reason\":\"Forbidden\",\"code\":403,\"message\":\"events.events.k8s.io is forbidden\"}");
             LogCapture log = LogCapture.attach();
             RunningService service = watching(forbidding.url("/"))
                     .start()) {
            // with the resync at its 5 minutes: the first list, seconds after start, says so
            await().atMost(Duration.ofSeconds(15)).until(() -> !log.linesContaining(
                    "Kubernetes events in namespace castai-agent could not be listed and accepted (HTTP 403 Forbidden)").isEmpty());
            // alertable: failures counted, and no resync ever got through, so the last success stays
            // at the start (absent, an alert on its age would never fire)
            String metrics = service.get("/observe/metrics").body();
            assertThat(metrics)
                    .containsPattern("castai_poll_failures_total\\{cluster=\"\",poller=\"kubernetes\",reason=\"http_4xx\"} [1-9]");
            String lastSuccess = metrics.lines().filter(line -> line.startsWith(
                    "castai_poll_last_success_seconds{cluster=\"\",poller=\"kubernetes\"}")).findFirst().orElseThrow();
            assertThat(Double.parseDouble(lastSuccess.substring(lastSuccess.lastIndexOf(' ') + 1)))
                    .isBetween((double) started.getEpochSecond(), (double) started.getEpochSecond() + 10);
        }
    }

    @Test
    void theSourceIsOffByDefault() {
        try (RunningService service = RunningService.builder().start()) {
            assertThat(service.camelContext().getRoute("k8s-events")).isNull();
        }
    }

    /** The service with the Kubernetes events source on, against the API at {@code url}. */
    private static RunningService.Builder watching(String url) {
        return RunningService.builder().property("k8s.events.enabled", true).property("k8s.master-url", url);
    }

    private static RunningService.Builder watchingTheMockServer() {
        return watching(server.url("/"));
    }

    private static Event event(String namespace, String name, String uid, String reason, String type, String note) {
        return event(namespace, name, uid, reason, type, note, "castai");
    }

    private static Event event(String namespace, String name, String uid, String reason, String type, String note,
                               String reportingController) {
        return new EventBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).withUid(uid).endMetadata()
                .withReason(reason).withType(type).withNote(note)
                .withNewRegarding().withKind("Node").withName("ip-10-0-1-1").endRegarding()
                .withReportingController(reportingController)
                .withEventTime(new MicroTime("2026-10-02T16:00:00.000000Z"))
                .withAction("Check")
                .build();
    }
}
