package io.castai.events;

import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.support.HttpStandIn;
import io.castai.events.support.RunningService;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** /observe/health and /observe/metrics on the service's own port. */
class OperationsTest {
    @Test
    void healthAndMetricsAreServedAndTheLogChannelWorksAlone() throws Exception {
        try (RunningService service = RunningService.builder().start()) {
            HttpResponse<String> health = service.get("/observe/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(health.body()).get("status").asText()).isEqualTo("UP");

            assertThat(service.postFixture("events/node-added.json").statusCode()).isEqualTo(200);
            service.postEvent("not json");
            System.gc(); // Micrometer holds gauge state weakly: the outbox gauges must survive a collection

            HttpResponse<String> metrics = service.get("/observe/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body())
                    .contains("castai_events_received_total{origin=\"event\"} 1.0")
                    .contains("castai_events_rejected_total{reason=\"invalid\"} 1.0")
                    .contains("castai_outbox_pending 0.0")
                    .contains("castai_outbox_oldest_pending_age_seconds 0.0")
                    .contains("castai_outbox_dead_letters 0.0")
                    // the JVM's and the process's own (camel.metrics.binders)
                    .contains("jvm_memory_used_bytes{area=\"heap\"")
                    .contains("jvm_gc_live_data_size_bytes")
                    .contains("jvm_threads_live_threads")
                    .contains("process_cpu_usage")
                    .contains("process_files_open_files")
                    .contains("process_uptime_seconds");
        }
    }

    @Test
    void anotherMethodOnHealthOrMetricsIsAnsweredMethodNotAllowed() throws Exception {
        try (RunningService service = RunningService.builder().start()) {
            for (String path : new String[] {"/observe/health", "/observe/health/ready", "/observe/metrics"}) {
                HttpResponse<String> posted = service.send("POST", path, "{}");
                assertThat(posted.statusCode()).as(path).isEqualTo(405);
                assertThat(posted.headers().firstValue("Allow")).as(path).contains("GET");
                assertThat(new ObjectMapper().readTree(posted.body()).get("error").asText()).isEqualTo("only GET is served here");
            }
            assertThat(service.send("DELETE", "/observe/metrics", "").statusCode()).isEqualTo(405);
            // a path nobody serves stays a 404, whatever the method
            assertThat(service.send("POST", "/observe/nothing", "{}").statusCode()).isEqualTo(404);
            assertThat(service.get("/observe/health/nothing").statusCode()).isEqualTo(404);
            assertThat(service.send("POST", "/observe/metrics/x", "{}").statusCode()).isEqualTo(404);
            assertThat(service.get("/observe/metrics").body()).contains("castai_events_rejected_total{reason=\"method\"} 4.0")
                    .contains("castai_events_rejected_total{reason=\"unknown_path\"} 3.0");
        }
    }

    @Test
    void aBacklogOverTheThresholdShowsInHealthWhileTheServiceStaysReadyAndAccepting() throws Exception {
        try (HttpStandIn slack = new HttpStandIn(503, "down");
             RunningService service = RunningService.builder()
                     .property("slack.webhook.url", slack.url("/hook"))
                     .property("delivery.backlog-threshold", 0)
                     .start()) {
            assertThat(service.postFixture("events/node-added.json").statusCode()).isEqualTo(200);
            slack.awaitRequests(2);

            HttpResponse<String> health = service.get("/observe/health");
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("delivery-backlog").contains("over the threshold of 0");
            assertThat(service.get("/observe/health/ready").statusCode()).as("the pod stays in its Service").isEqualTo(200);
            assertThat(service.get("/observe/health/live").statusCode()).isEqualTo(200);
            assertThat(service.postFixture("events/node-removed.json").statusCode()).isEqualTo(200);
            String metrics = service.get("/observe/metrics").body();
            assertThat(metrics).contains("castai_outbox_pending 1.0")
                    .containsPattern("castai_delivery_attempts_total\\{channel=\"slack\",outcome=\"http_5xx\"} [1-9]");
        }
    }

    @Test
    void deliveryLatencyIsMeasuredPerChannel() throws Exception {
        try (HttpStandIn slack = HttpStandIn.slack();
             RunningService service = RunningService.builder().property("slack.webhook.url", slack.url("/hook")).start()) {
            service.postFixture("events/node-added.json");
            slack.awaitRequests(1);

            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(service.get("/observe/metrics").body())
                    .contains("castai_delivery_latency_seconds_count{channel=\"slack\"} 1")
                    .as("buckets, for a percentile in Prometheus")
                    .contains("castai_delivery_latency_seconds_bucket{channel=\"slack\",le=\"3600.0\"} 1")
                    .contains("castai_delivery_latency_seconds_bucket{channel=\"slack\",le=\"+Inf\"} 1")
                    .contains("# HELP castai_delivery_attempts_total delivery attempts, by how they ended")
                    .contains("# HELP castai_events_received_total events accepted, by where they came from")
                    .contains("castai_delivery_attempts_total{channel=\"slack\",outcome=\"delivered\"} 1.0"));
        }
    }
}
