package io.castai.events;

import java.net.http.HttpResponse;
import java.time.Duration;

import io.castai.events.support.HttpStandIn;
import io.castai.events.support.Postgres;
import io.castai.events.support.RunningService;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A NUL character in an event's text (JSON allows it as \u0000) is no reason to lose the event:
 * PostgreSQL's text cannot hold one, and the store refused every retry of it with a 503.
 */
class TextTheStoreCannotHoldTest {
    @Test
    void anEventWithANulInItsTextIsAcceptedAndDeliveredOnPostgres() throws Exception {
        try (Postgres store = Postgres.freshDatabase();
             HttpStandIn slack = HttpStandIn.slack();
             HttpStandIn pagerDuty = HttpStandIn.pagerDuty();
             // the interruption's page summary names the node
             RunningService service = RunningService.builder().channels(slack, pagerDuty)
                     .property("castai.store.url", store.url()).property("castai.store.username", Postgres.USER).start()) {
            HttpResponse<String> answer = service.postEvent("{\"id\": \"nul-1\", \"eventType\": \"node.spot_interrupted\", "
                    + "\"clusterName\": \"prod\\u0000x\", \"data\": {\"nodeName\": \"node\\u0000a\", \"instanceType\": \"m5\"}}");
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(pagerDuty.awaitRequests(1).get(0).body()).contains("node\\u0000a");
            // recorded as delivered: what the store keeps has U+FFFD for the NUL
            await().atMost(Duration.ofSeconds(10)).until(() -> service.get("/observe/metrics").body()
                    .contains("castai_events_delivered_total{channel=\"pagerduty\"} 1.0"));
        }
    }
}
