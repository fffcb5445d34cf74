package io.castai.events;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.support.HttpStandIn;
import io.castai.events.support.LogCapture;
import io.castai.events.support.PagerDutySchema;
import io.castai.events.support.RunningService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static io.castai.events.support.RunningService.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Each default routing rule, observed at the local Slack and PagerDuty stand-ins and in the log. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoutingDefaultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLUSTER_ID = "4d2f1b3e-7c1a-4e59-9a3b-2f6c8d0e1a77";

    private HttpStandIn slack;
    private HttpStandIn pagerDuty;
    private LogCapture log;
    private RunningService service;

    @BeforeAll
    void start() throws Exception {
        slack = HttpStandIn.slack();
        pagerDuty = HttpStandIn.pagerDuty();
        log = LogCapture.attach();
        service = RunningService.builder()
                .channels(slack, pagerDuty)
                .start();
    }

    @AfterAll
    void stop() {
        service.close();
        slack.close();
        pagerDuty.close();
        log.close();
    }

    @BeforeEach
    void reset() {
        slack.reset();
        pagerDuty.reset();
        log.clear();
    }

    @Test
    void nodeAddedGoesToSlackAndTheLog() throws Exception {
        assertThat(service.postFixture("events/node-added.json", "Authorization", "Bearer inbound-token").body())
                .isEqualTo("{\"received\":true}");

        HttpStandIn.Request message = slack.awaitRequests(1).get(0);
        assertThat(message.method()).isEqualTo("POST");
        assertThat(message.path()).isEqualTo("/services/T000/B000/slacktoken");
        assertThat(message.header("Content-Type")).startsWith("application/json");
        assertThat(message.header("Authorization")).as("inbound headers are not passed on").isNull();
        assertThat(JSON.readTree(message.body()).get("text").asText())
                .isEqualTo(":kubernetes: CAST AI: New spot node: c6a.xlarge");
        awaitLog("New spot node: c6a.xlarge (ip-10-0-12-34.ec2.internal) in cluster staging-us-east");
        assertNothingReaches(pagerDuty);
    }

    @Test
    void nodeRemovedIsLoggedOnly() {
        service.postFixture("events/node-removed.json");

        awaitLog("Node removed: ip-10-0-7-201.ec2.internal");
        assertNothingReaches(slack);
        assertNothingReaches(pagerDuty);
    }

    @Test
    void spotInterruptionPagesThroughPagerDuty() throws Exception {
        service.postFixture("events/node-spot-interrupted.json");

        HttpStandIn.Request request = pagerDuty.awaitRequests(1).get(0);
        assertThat(request.path()).isEqualTo("/v2/enqueue");
        assertThat(request.header("Authorization")).isNull();
        JsonNode event = JSON.readTree(request.body());
        PagerDutySchema.assertValidEnqueueRequest(event);
        assertThat(event.get("routing_key").asText()).isEqualTo("0123456789abcdef0123456789abcdef");
        assertThat(event.get("event_action").asText()).isEqualTo("trigger");
        assertThat(event.get("dedup_key").asText()).isEqualTo("castai-events/b8e6f0a2-2d35-4b8e-8f0c-5b1e9c6d4a10");
        JsonNode payload = event.get("payload");
        assertThat(payload.get("summary").asText())
                .startsWith("Spot instance interrupted")
                .contains("ip-10-0-9-88.ec2.internal", "staging-us-east");
        assertThat(payload.get("source").asText()).isEqualTo("staging-us-east");
        assertThat(payload.get("severity").asText()).isEqualTo("warning");
        assertThat(payload.get("timestamp").asText()).isEqualTo("2026-10-02T16:12:45Z");
        assertThat(payload.get("component").asText()).isEqualTo("ip-10-0-9-88.ec2.internal");
        assertThat(payload.get("class").asText()).isEqualTo("node.spot_interrupted");
        assertThat(payload.get("custom_details").get("instanceType").asText()).isEqualTo("r6a.2xlarge");
        assertThat(payload.get("custom_details").get("clusterId").asText()).isEqualTo(CLUSTER_ID);
        assertThat(event.get("links").get(0).get("href").asText())
                .isEqualTo("https://console.cast.ai/external-clusters/" + CLUSTER_ID);
        awaitLog("Spot instance interrupted: ip-10-0-9-88.ec2.internal in cluster staging-us-east");
        assertNothingReaches(slack);
    }

    @Test
    void savingsThresholdIsLogged() {
        service.postFixture("events/savings-threshold.json");

        awaitLog("Savings threshold crossed: 37.5%");
        assertNothingReaches(slack);
        assertNothingReaches(pagerDuty);
    }

    @Test
    void unknownEventTypeIsLoggedAsUnhandled() {
        assertThat(service.postEvent("{\"eventType\":\"cluster.hibernated\",\"clusterId\":\"c-1\"}").statusCode())
                .isEqualTo(200);

        awaitLog("Unhandled event: cluster.hibernated");
        assertNothingReaches(slack);
        assertNothingReaches(pagerDuty);
    }

    @Test
    void criticalConsoleNotificationPagesAndPostsToSlack() throws Exception {
        service.postFixture("events/console-notification.json");

        JsonNode page = JSON.readTree(pagerDuty.awaitRequests(1).get(0).body());
        PagerDutySchema.assertValidEnqueueRequest(page);
        assertThat(page.get("dedup_key").asText()).isEqualTo("castai-events/0f7c2b9e-5a41-4d1e-b0f3-6e2d9a8c7b15");
        assertThat(page.get("payload").get("severity").asText()).isEqualTo("critical");
        assertThat(page.get("payload").get("summary").asText())
                .isEqualTo("[CRITICAL] Cluster controller not responding: "
                        + "Cluster controller in cluster staging-us-east has not reported for 15 minutes");
        assertThat(page.get("payload").get("custom_details").get("component").asText())
                .isEqualTo("castai-cluster-controller");
        String text = JSON.readTree(slack.awaitRequests(1).get(0).body()).get("text").asText();
        assertThat(text).contains("[CRITICAL] Cluster controller not responding", "staging-us-east");
    }

    @Test
    void errorConsoleNotificationPages() {
        service.postEvent(consoleNotification("ERROR", "11111111-0000-0000-0000-000000000001"));

        assertThat(pagerDuty.awaitRequests(1)).hasSize(1);
        assertThat(slack.awaitRequests(1)).hasSize(1);
    }

    @Test
    void warningConsoleNotificationGoesToSlackOnly() throws Exception {
        service.postEvent(consoleNotification("WARNING", "11111111-0000-0000-0000-000000000002"));

        String text = JSON.readTree(slack.awaitRequests(1).get(0).body()).get("text").asText();
        assertThat(text).contains("[WARNING] Cluster controller not responding");
        assertNothingReaches(pagerDuty);
    }

    private static String consoleNotification(String severity, String id) {
        return fixture("events/console-notification.json")
                .replace("\"CRITICAL\"", "\"" + severity + "\"")
                .replace("0f7c2b9e-5a41-4d1e-b0f3-6e2d9a8c7b15", id);
    }

    private void awaitLog(String line) {
        await().atMost(Duration.ofSeconds(10)).until(() -> !log.linesContaining(line).isEmpty());
    }

    /** Channels are asynchronous: nothing may arrive within a generous window. */
    private static void assertNothingReaches(HttpStandIn channel) {
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2))
                .until(() -> channel.requests().isEmpty());
        List<HttpStandIn.Request> received = channel.requests();
        assertThat(received).isEmpty();
    }
}
