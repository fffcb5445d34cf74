package io.castai.events;

import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.support.RunningService;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** /observe/health and /observe/metrics on the service's own port; no channel configured. */
class OperationsTest {
    @Test
    void healthAndMetricsAreServedAndTheLogChannelWorksAlone() throws Exception {
        try (RunningService service = RunningService.builder().start()) {
            HttpResponse<String> health = service.get("/observe/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(health.body()).get("status").asText()).isEqualTo("UP");

            assertThat(service.postFixture("events/node-added.json").statusCode()).isEqualTo(200);
            service.postEvent("not json");

            HttpResponse<String> metrics = service.get("/observe/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body())
                    .contains("castai_events_received_total 1.0")
                    .contains("castai_events_rejected_total{reason=\"invalid\"} 1.0");
        }
    }
}
