package io.castai.events;

import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.support.ServiceFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static io.castai.events.support.RunningService.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** POST /castai/routes/test: rules, channels and rendered messages, and nothing sent or stored. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoutingDryRunTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONSOLE = fixture("events/console-notification.json");
    private ServiceFixture app;

    @BeforeAll
    void start() throws Exception {
        app = ServiceFixture.start(settings -> settings.property("webhook.token", "inbound-token"));
    }

    @AfterAll
    void stop() {
        app.close();
    }

    @Test
    void aPagingNotificationShowsItsRulesChannelsAndMessagesWithoutSendingThem() throws Exception {
        var response = app.service.send("POST", "/castai/routes/test", CONSOLE,
                "Authorization", "Bearer inbound-token");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.get("rules").get(0).asText()).isEqualTo("paging-notifications");
        assertThat(answer.get("channels").toString()).isEqualTo("[\"log\",\"pagerduty\",\"slack\"]");
        assertThat(answer.get("sent").asBoolean()).isFalse();
        assertThat(answer.get("duplicate").asBoolean()).as("not accepted before").isFalse();
        assertThat(answer.has("acceptedAt")).isFalse();
        JsonNode deliveries = answer.get("deliveries");
        assertThat(deliveries).hasSize(3);
        assertThat(deliveries.get(0).get("message").asText())
                .isEqualTo("CAST AI notification [CRITICAL] Cluster controller not responding: "
                        + "Cluster controller in cluster staging-us-east has not reported for 15 minutes");
        assertThat(deliveries.get(1).get("request").get("routing_key").asText()).isEqualTo("<secret>");
        assertThat(deliveries.get(1).get("request").get("payload").get("severity").asText()).isEqualTo("critical");
        assertThat(deliveries.get(2).get("request").get("text").asText()).startsWith(":rotating_light: CAST AI [CRITICAL]");
        assertThat(response.body()).doesNotContain("0123456789abcdef0123456789abcdef", "slacktoken");

        Instant posted = Instant.now();
        assertThat(app.service.postEvent(CONSOLE, "Authorization", "Bearer inbound-token").body())
                .as("the dry-run neither stored nor remembered the event").isEqualTo("{\"received\":true}");
        // the real post's deliveries, and only those: the dry-run sent nothing before them
        app.slack.awaitRequests(1);
        app.pagerDuty.awaitRequests(1);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
                .until(() -> app.slack.requests().size() == 1 && app.pagerDuty.requests().size() == 1);

        // once accepted, the dry-run says the intake would take it for a duplicate (and notify no one)
        JsonNode again = JSON.readTree(app.service.send("POST", "/castai/routes/test", CONSOLE,
                "Authorization", "Bearer inbound-token").body());
        assertThat(again.get("duplicate").asBoolean()).as(again.toString()).isTrue();
        assertThat(Instant.parse(again.get("acceptedAt").asText())).isBetween(posted.minusSeconds(1), Instant.now());
        assertThat(again.get("channels").toString()).as("still what the rules choose").isEqualTo("[\"log\",\"pagerduty\",\"slack\"]");
    }

    @Test
    void anEventNoRuleMatchesGoesToTheDefault() throws Exception {
        var response = app.service.send("POST", "/castai/routes/test",
                "{\"eventType\": \"cluster.upgraded\", \"clusterId\": \"c-1\"}", "Authorization", "Bearer inbound-token");

        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.get("rules").get(0).asText()).isEqualTo("default");
        assertThat(answer.get("deliveries").get(0).get("message").asText()).isEqualTo("Unhandled event: cluster.upgraded");
        assertThat(answer.get("event").get("cluster").asText()).as("its id when it has no name").isEqualTo("c-1");

        JsonNode noCluster = JSON.readTree(app.service.send("POST", "/castai/routes/test", "{\"eventType\": \"cluster.upgraded\"}",
                "Authorization", "Bearer inbound-token").body());
        assertThat(noCluster.get("event").get("cluster").isNull()).as(noCluster.toString()).isTrue();
    }

    @Test
    void itNeedsTheIntakesCredentialsAndAValidEvent() {
        assertThat(app.service.send("POST", "/castai/routes/test", CONSOLE).statusCode()).isEqualTo(401);
        var malformed = app.service.send("POST", "/castai/routes/test", "{not json", "Authorization", "Bearer inbound-token");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).startsWith("{\"error\":");
        // credentials first: a stranger learns nothing of the methods served
        assertThat(app.service.send("GET", "/castai/routes/test", null).statusCode()).isEqualTo(401);
        assertThat(app.service.send("GET", "/castai/routes/test", null, "Authorization", "Bearer inbound-token").statusCode())
                .isEqualTo(405);
    }
}
