package io.castai.events;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.support.HttpStandIn;
import io.castai.events.support.PagerDutySchema;
import io.castai.events.support.ServiceFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static io.castai.events.support.RunningService.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Each default routing rule, observed at the local Slack and PagerDuty stand-ins and in the app.log. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoutingDefaultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLUSTER_ID = "4d2f1b3e-7c1a-4e59-9a3b-2f6c8d0e1a77";

    private ServiceFixture app;

    @BeforeAll
    void start() throws Exception {
        app = ServiceFixture.start(settings -> settings);
    }

    @AfterAll
    void stop() {
        app.close();
    }

    @BeforeEach
    void reset() {
        app.reset();
    }

    @Test
    void nodeAddedGoesToSlackAndTheLog() throws Exception {
        assertThat(app.service.postFixture("events/node-added.json", "Authorization", "Bearer inbound-token").body())
                .isEqualTo("{\"received\":true}");

        HttpStandIn.Request message = app.slack.awaitRequests(1).get(0);
        assertThat(message.method()).isEqualTo("POST");
        assertThat(message.path()).isEqualTo("/services/T000/B000/slacktoken");
        assertThat(message.header("Content-Type")).startsWith("application/json");
        assertThat(message.header("Authorization")).as("inbound headers are not passed on").isNull();
        assertThat(JSON.readTree(message.body()).get("text").asText())
                .isEqualTo(":kubernetes: CAST AI: New spot node: c6a.xlarge");
        awaitLog("New spot node: c6a.xlarge (ip-10-0-12-34.ec2.internal) in cluster staging-us-east");
        assertNothingReaches(app.pagerDuty);
    }

    /** JSON is UTF-8 (RFC 8259): whatever charset a sender names stays with its request. */
    @Test
    void theSendersCharsetDoesNotReachTheChannels() throws Exception {
        String event = "{\"id\":\"charset-%s\",\"eventType\":\"node.added\",\"clusterName\":\"caf\u00e9 \ud83d\ude80\","
                + "\"data\":{\"nodeName\":\"n-1\",\"instanceType\":\"m5.large\",\"lifecycle\":\"spot\"}}";
        app.service.postEvent(event.formatted("latin1"), "Content-Type", "application/json; charset=ISO-8859-1");
        app.service.postEvent(event.formatted("unknown"), "Content-Type", "application/json; charset=no-such-charset");

        List<HttpStandIn.Request> messages = app.slack.awaitRequests(2);
        for (HttpStandIn.Request message : messages) {
            assertThat(message.header("Content-Type")).doesNotContainIgnoringCase("ISO-8859-1")
                    .doesNotContain("no-such-charset");
            assertThat(message.body()).contains("caf\u00e9 \ud83d\ude80");
        }
    }

    @Test
    void nodeRemovedIsLoggedOnly() {
        app.service.postFixture("events/node-removed.json");

        awaitLog("Node removed: ip-10-0-7-201.ec2.internal");
        assertNothingReaches(app.slack);
        assertNothingReaches(app.pagerDuty);
    }

    @Test
    void spotInterruptionPagesThroughPagerDuty() throws Exception {
        app.service.postFixture("events/node-spot-interrupted.json");

        HttpStandIn.Request request = app.pagerDuty.awaitRequests(1).get(0);
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
        assertNothingReaches(app.slack);
    }

    @Test
    void savingsThresholdIsLogged() {
        app.service.postFixture("events/savings-threshold.json");

        awaitLog("Savings threshold crossed: 37.5%");
        assertNothingReaches(app.slack);
        assertNothingReaches(app.pagerDuty);
    }

    @Test
    void unknownEventTypeIsLoggedAsUnhandled() {
        assertThat(app.service.postEvent("{\"eventType\":\"cluster.hibernated\",\"clusterId\":\"c-1\"}").statusCode())
                .isEqualTo(200);

        awaitLog("Unhandled event: cluster.hibernated");
        assertNothingReaches(app.slack);
        assertNothingReaches(app.pagerDuty);
    }

    @Test
    void criticalConsoleNotificationPagesAndPostsToSlack() throws Exception {
        app.service.postFixture("events/console-notification.json");

        JsonNode page = JSON.readTree(app.pagerDuty.awaitRequests(1).get(0).body());
        PagerDutySchema.assertValidEnqueueRequest(page);
        assertThat(page.get("dedup_key").asText()).isEqualTo("castai-events/0f7c2b9e-5a41-4d1e-b0f3-6e2d9a8c7b15");
        assertThat(page.get("payload").get("severity").asText()).isEqualTo("critical");
        assertThat(page.get("payload").get("summary").asText())
                .isEqualTo("[CRITICAL] Cluster controller not responding: "
                        + "Cluster controller in cluster staging-us-east has not reported for 15 minutes");
        assertThat(page.get("payload").get("custom_details").get("component").asText())
                .isEqualTo("castai-cluster-controller");
        String text = JSON.readTree(app.slack.awaitRequests(1).get(0).body()).get("text").asText();
        assertThat(text).contains("[CRITICAL] Cluster controller not responding", "staging-us-east");
    }

    @Test
    void errorConsoleNotificationPages() throws Exception {
        app.service.postEvent(consoleNotification("ERROR", "11111111-0000-0000-0000-000000000001"));

        JsonNode page = JSON.readTree(app.pagerDuty.awaitRequests(1).get(0).body());
        PagerDutySchema.assertValidEnqueueRequest(page);
        assertThat(page.get("payload").get("severity").asText()).as("PagerDuty's own severity for ERROR").isEqualTo("error");
        assertThat(page.get("payload").get("summary").asText()).startsWith("[ERROR] Cluster controller not responding");
        String text = JSON.readTree(app.slack.awaitRequests(1).get(0).body()).get("text").asText();
        assertThat(text).contains("[ERROR] Cluster controller not responding");
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2))
                .until(() -> app.pagerDuty.requests().size() == 1 && app.slack.requests().size() == 1);
    }

    @Test
    void warningConsoleNotificationGoesToSlackOnly() throws Exception {
        app.service.postEvent(consoleNotification("WARNING", "11111111-0000-0000-0000-000000000002"));

        String text = JSON.readTree(app.slack.awaitRequests(1).get(0).body()).get("text").asText();
        assertThat(text).contains("[WARNING] Cluster controller not responding");
        assertNothingReaches(app.pagerDuty);
    }

    @Test
    void aConsoleNotificationWithASeverityThisServiceDoesNotKnowIsTakenAsAWarningNotRefused() throws Exception {
        // refused, it would be lost: CAST AI does not read the answer
        assertThat(app.service.postEvent(consoleNotification("NOTICE", "11111111-0000-0000-0000-000000000003")).statusCode())
                .isEqualTo(200);

        String text = JSON.readTree(app.slack.awaitRequests(1).get(0).body()).get("text").asText();
        assertThat(text).contains("[WARNING] Cluster controller not responding");
        awaitLog("A console notification has a severity 'NOTICE', which this service does not know: taken as WARNING");
        app.service.postEvent(consoleNotification("NOTICE", "11111111-0000-0000-0000-000000000004"));
        app.slack.awaitRequests(2);
        assertThat(app.log.linesContaining("has a severity 'NOTICE'")).as("said once").hasSize(1);
        assertNothingReaches(app.pagerDuty);
    }

    private static String consoleNotification(String severity, String id) {
        return fixture("events/console-notification.json")
                .replace("\"CRITICAL\"", "\"" + severity + "\"")
                .replace("0f7c2b9e-5a41-4d1e-b0f3-6e2d9a8c7b15", id);
    }

    private void awaitLog(String line) {
        await().atMost(Duration.ofSeconds(10)).until(() -> !app.log.linesContaining(line).isEmpty());
    }

    /** Channels are asynchronous: nothing may arrive within a generous window. */
    private static void assertNothingReaches(HttpStandIn channel) {
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2))
                .until(() -> channel.requests().isEmpty());
        List<HttpStandIn.Request> received = channel.requests();
        assertThat(received).isEmpty();
    }
}
