package io.castai.events;

import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.support.HttpStandIn;
import io.castai.events.support.RunningService;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** GET /admin/pending: what a failing channel's backlog waits for, over HTTP, behind the admin token. */
class PendingDeliveriesTest {
    private static final String ADMIN_TOKEN = "admin-token-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aFailingChannelsDeliveriesAreListedWithTheirAttemptsLastAnswerAndNextAttempt() throws Exception {
        try (HttpStandIn slack = new HttpStandIn(503, "down for maintenance");
             RunningService service = RunningService.builder().property("admin.token", ADMIN_TOKEN)
                     .property("slack.webhook.url", slack.url("/services/T000/B000/pendingtoken"))
                     .property("delivery.initial-backoff", "30s").property("delivery.max-backoff", "30s").start()) {
            service.postEvent("{\"id\": \"waiting-1\", \"eventType\": \"node.added\", \"clusterName\": \"prod\", "
                    + "\"data\": {\"nodeName\": \"n-1\"}}");
            slack.awaitRequests(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> pending(service, "?channel=slack").get("count").asInt() == 1
                    && pending(service, "?channel=slack").get("pending").get(0).get("attempts").asInt() == 1);

            JsonNode listed = pending(service, "?channel=slack&limit=5").get("pending").get(0);
            assertThat(listed.get("eventId").asText()).isEqualTo("waiting-1");
            assertThat(listed.get("channel").asText()).isEqualTo("slack");
            assertThat(listed.get("eventType").asText()).isEqualTo("node.added");
            assertThat(listed.get("cluster").asText()).isEqualTo("prod");
            assertThat(listed.get("reason").asText()).isEqualTo("http_5xx");
            assertThat(listed.get("lastResponse").asText()).isEqualTo("HTTP 503: down for maintenance");
            assertThat(listed.get("claimed").asBoolean()).as("waiting for its next attempt").isFalse();
            assertThat(java.time.Instant.parse(listed.get("nextAttemptAt").asText()))
                    .as("a 30 s backoff with jitter: 15 to 30 s after the failure")
                    .isAfter(java.time.Instant.parse(listed.get("createdAt").asText()).plusSeconds(14));
            assertThat(listed.toString()).doesNotContain("pendingtoken");
        }
    }

    @Test
    void theListRefusesWhatItCannotAnswerPlainly() throws Exception {
        try (RunningService service = RunningService.builder().property("admin.token", ADMIN_TOKEN).start()) {
            assertThat(service.send("GET", "/admin/pending", null).statusCode()).isEqualTo(401);
            assertThat(answer(service, "GET", "?limit=0")).isEqualTo("400 limit must be a whole number from 1 to 1000");
            assertThat(answer(service, "GET", "?order=newest")).isEqualTo("400 unknown or repeated parameter; the list takes limit and channel");
            assertThat(answer(service, "GET", "?channel=slakc"))
                    .isEqualTo("404 no pending deliveries for channel slakc, which is not in channels.yaml (mistyped?)");
            assertThat(answer(service, "POST", "")).isEqualTo("405 only GET is accepted here");
            assertThat(pending(service, "").get("count").asInt()).isZero();
        }
    }

    private static String answer(RunningService service, String method, String query) throws Exception {
        HttpResponse<String> response = service.send(method, "/admin/pending" + query, method.equals("GET") ? null : "",
                "Authorization", "Bearer " + ADMIN_TOKEN);
        return response.statusCode() + " " + JSON.readTree(response.body()).get("error").asText();
    }

    private static JsonNode pending(RunningService service, String query) throws Exception {
        HttpResponse<String> response = service.send("GET", "/admin/pending" + query, null, "Authorization", "Bearer " + ADMIN_TOKEN);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
