package io.castai.events.channels;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.intake.NotificationEvent;
import io.castai.events.intake.Severity;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The incident key: stable per event, within PagerDuty's 255 characters, never shared by two events. */
class PagerDutyChannelTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Channels CHANNELS = ChannelsFile.parse("channels.yaml", """
            channels:
              - {name: pagerduty, type: pagerduty, routingKey: 0123456789abcdef0123456789abcdef}
            rules:
              - {name: all, eventTypes: ["*"], channels: [pagerduty]}
            default: [log]
            """, name -> null);
    /** These tests render requests only: nothing is resolved. */
    private static final IncidentHistory.Store NO_STORE = new IncidentHistory.Store() {
        @Override
        public CompletableFuture<Integer> incidentEventDelivered(String incident, EventOrder order) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<EventOrder> latestIncidentEvent(String incident) {
            throw new UnsupportedOperationException();
        }
    };
    private final PagerDutyChannel pagerDuty = new PagerDutyChannel(CHANNELS, new ConsoleLink("https://console.cast.ai"),
            new IncidentHistory(NO_STORE), SharedIncidentTurns.PROCESS_ONLY);

    @Test
    void twoLongIdsThatShareABeginningOpenTwoIncidents() {
        String common = "x".repeat(240);
        String first = PagerDutyChannel.dedupKey(event(common + "-first-event"), "event");
        String second = PagerDutyChannel.dedupKey(event(common + "-other-event"), "event");

        assertThat(first).hasSizeLessThanOrEqualTo(255).startsWith("castai-events/xxx").isNotEqualTo(second);
        assertThat(second).hasSizeLessThanOrEqualTo(255);
        assertThat(PagerDutyChannel.dedupKey(event(common + "-first-event"), "event")).as("stable").isEqualTo(first);
        assertThat(first).isASCII();
    }

    @Test
    void theEventsTimeIsSentAsRfc3339OrNotAtAll() {
        // PagerDuty's date-time: seconds written, a four-digit year, the offset as Z
        assertThat(PagerDutyChannel.rfc3339("2026-10-02T14:03Z")).isEqualTo("2026-10-02T14:03:00Z");
        assertThat(PagerDutyChannel.rfc3339("2026-10-02T14:03:11+01")).isEqualTo("2026-10-02T13:03:11Z");
        assertThat(PagerDutyChannel.rfc3339("2026-10-02T14:03:11.250Z")).isEqualTo("2026-10-02T14:03:11.250Z");
        assertThat(PagerDutyChannel.rfc3339("+10000-01-01T00:00:00Z")).isNull();
        assertThat(PagerDutyChannel.rfc3339("-0001-01-01T00:00:00Z")).isNull();
        assertThat(PagerDutyChannel.rfc3339("yesterday")).isNull();
        assertThat(PagerDutyChannel.rfc3339("0001-01-01T00:00:00Z")).as("Go's zero time: none set").isNull();
        assertThat(PagerDutyChannel.rfc3339("2026-10-02T14:03:11+0100")).as("a basic offset").isEqualTo("2026-10-02T13:03:11Z");
    }

    @Test
    void aNodesKeyCannotBeMadeTheSameAsAnothersBySlashes() {
        NotificationEvent first = new NotificationEvent("e-1", "node.added", Severity.INFO, "a/b", null, null, "t", "s",
                Map.of("nodeName", "c"), NotificationEvent.ORIGIN_EVENT);
        NotificationEvent second = new NotificationEvent("e-2", "node.added", Severity.INFO, "a", null, null, "t", "s",
                Map.of("nodeName", "b/c"), NotificationEvent.ORIGIN_EVENT);
        NotificationEvent usual = new NotificationEvent("e-3", "node.added", Severity.INFO,
                "4d2f1b3e-7c1a-4e59-9a3b-2f6c8d0e1a77", null, null, "t", "s", Map.of("nodeName", "ip-10-0-1-1.ec2.internal"),
                NotificationEvent.ORIGIN_EVENT);

        assertThat(PagerDutyChannel.dedupKey(first, "node")).isNotEqualTo(PagerDutyChannel.dedupKey(second, "node"));
        // an id a sender chose to look like a node's key: its resolve closed that node's incident
        NotificationEvent posing = new NotificationEvent("4d2f1b3e-7c1a-4e59-9a3b-2f6c8d0e1a77/ip-10-0-1-1.ec2.internal",
                "node.removed", Severity.INFO, null, null, null, "t", "s", Map.of(), NotificationEvent.ORIGIN_EVENT);
        assertThat(PagerDutyChannel.dedupKey(posing, "node")).isEqualTo(
                "castai-events/4d2f1b3e-7c1a-4e59-9a3b-2f6c8d0e1a77%2Fip-10-0-1-1.ec2.internal");
        NotificationEvent arn = new NotificationEvent("e-4", "node.added", Severity.INFO, null,
                "arn:aws:eks:eu-west-1:123456789012:cluster/prod", null, "t", "s", Map.of("nodeName", "ip-1"),
                NotificationEvent.ORIGIN_KUBERNETES);
        assertThat(PagerDutyChannel.dedupKey(arn, "node")).as("a cluster name's / as before the upgrade")
                .isEqualTo("castai-events/arn:aws:eks:eu-west-1:123456789012:cluster/prod/ip-1");
        assertThat(PagerDutyChannel.dedupKey(usual, "node")).as("as before: open incidents still resolve")
                .isEqualTo("castai-events/4d2f1b3e-7c1a-4e59-9a3b-2f6c8d0e1a77/ip-10-0-1-1.ec2.internal");
    }

    @Test
    void aShortIdIsTheKeyAsItIs() {
        assertThat(PagerDutyChannel.dedupKey(event("e-1"), "event")).isEqualTo("castai-events/e-1");
    }

    /** Only dedupBy: node keys by node; by default, or by event, each event is its own incident, node or not. */
    @Test
    void anEventNamingANodeIsKeyedByTheNodeOnlyWhenTheChannelSaysSo() {
        NotificationEvent withNode = new NotificationEvent("e-1", "node.spot_interrupted", Severity.WARNING, "c-1", null, null,
                "t", "s", Map.of("nodeName", "n-1"), NotificationEvent.ORIGIN_EVENT);
        assertThat(PagerDutyChannel.dedupKey(withNode, null)).isEqualTo("castai-events/e-1");
        assertThat(PagerDutyChannel.dedupKey(withNode, "event")).isEqualTo("castai-events/e-1");
        assertThat(PagerDutyChannel.dedupKey(withNode, "node")).isEqualTo("castai-events/c-1/n-1");
    }

    @Test
    void aLongSummaryIsCutWithinPagerDutysLimitAndNeverInsideAnEmoji() {
        String summary = "x".repeat(1022) + "\uD83D\uDE80" + "y".repeat(50);
        NotificationEvent event = new NotificationEvent("e-1", "node.added", Severity.ERROR, "c-1", "prod", null, "t", summary,
                Map.of(), NotificationEvent.ORIGIN_EVENT);

        String sent = (String) PagerDutyChannel.alert(event, null).get("summary");

        assertThat(sent).hasSizeLessThanOrEqualTo(1024).endsWith("…").startsWith("xxx");
        assertThat(sent.codePoints().filter(cp -> Character.getType(cp) == Character.SURROGATE).count()).as("half an emoji").isZero();
    }

    @Test
    void detailsTooLargeForPagerDutyAreLeftOutAndThePageStillGoesOut() throws Exception {
        NotificationEvent event = new NotificationEvent("big-1", "notification", Severity.CRITICAL, "c-1", "prod", null,
                "Cluster controller not responding", "s", Map.of("log", "y".repeat(600_000), "component", "controller"),
                NotificationEvent.ORIGIN_CONSOLE);

        String body = pagerDuty.body("pagerduty", event, "[CRITICAL] Cluster controller not responding");

        assertThat(body.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(512 * 1000);
        JsonNode payload = JSON.readTree(body).get("payload");
        assertThat(payload.get("severity").asText()).isEqualTo("critical");
        assertThat(payload.get("custom_details").get("clusterName").asText()).isEqualTo("prod");
        assertThat(payload.get("custom_details").has("log")).isFalse();
        assertThat(payload.get("custom_details").get("detailsLeftOut").asText()).contains("over PagerDuty's limit of 512 KB");
    }

    @Test
    void aClusterNameOrIdHundredsOfKilobytesLongStillGivesAnAlertPagerDutyTakes() throws Exception {
        String huge = "c".repeat(600_000);
        NotificationEvent event = new NotificationEvent("big-2", "node.added", Severity.ERROR, huge, huge, null, "t", "s",
                Map.of("nodeName", huge), NotificationEvent.ORIGIN_EVENT);

        String body = pagerDuty.body("pagerduty", event, "s");

        assertThat(body.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(512 * 1000);
        JsonNode payload = JSON.readTree(body).get("payload");
        assertThat(payload.get("source").asText()).hasSizeLessThanOrEqualTo(1024);
        assertThat(payload.get("component").asText()).hasSizeLessThanOrEqualTo(1024);
    }

    @Test
    void theEventsOwnDetailsDoNotReplaceTheAlertsClusterOrTitle() throws Exception {
        NotificationEvent event = new NotificationEvent("n-1", "notification", Severity.ERROR, "c-1", "prod", null,
                "Node problem", "s", Map.of("clusterName", "dev-sandbox", "title", "ignore me", "nodeName", "ip-1"),
                NotificationEvent.ORIGIN_CONSOLE);

        JsonNode details = JSON.readTree(pagerDuty.body("pagerduty", event, "s")).get("payload").get("custom_details");

        assertThat(details.get("clusterName").asText()).isEqualTo("prod");
        assertThat(details.get("title").asText()).isEqualTo("Node problem");
        assertThat(details.get("nodeName").asText()).isEqualTo("ip-1");
    }

    @Test
    void aResolveOnGlobResolvesAndLeavesOtherTypesTriggering() throws Exception {
        Channels channels = ChannelsFile.parse("channels.yaml", """
                channels:
                  - {name: pd, type: pagerduty, routingKey: 0123456789abcdef0123456789abcdef, dedupBy: node,
                     resolveOn: ["node.remov*"]}
                rules:
                  - {name: all, eventTypes: ["*"], channels: [pd]}
                default: [log]
                """, name -> null);
        PagerDutyChannel perNode = new PagerDutyChannel(channels, new ConsoleLink("https://console.cast.ai"),
                new IncidentHistory(NO_STORE), SharedIncidentTurns.PROCESS_ONLY);
        NotificationEvent removed = new NotificationEvent("e-r", "node.removed", Severity.INFO, "c-1", "prod", null, "t", "s",
                Map.of("nodeName", "n-1"), NotificationEvent.ORIGIN_EVENT);
        NotificationEvent added = new NotificationEvent("e-a", "node.added", Severity.INFO, "c-1", "prod", null, "t", "s",
                Map.of("nodeName", "n-1"), NotificationEvent.ORIGIN_EVENT);

        // the node's removal closes the page its addition opened: a glob taken as written would page again
        assertThat(JSON.readTree(perNode.body("pd", removed, "s")).get("event_action").asText()).isEqualTo("resolve");
        assertThat(JSON.readTree(perNode.body("pd", added, "s")).get("event_action").asText()).isEqualTo("trigger");
    }

    private static NotificationEvent event(String id) {
        return new NotificationEvent(id, "node.added", Severity.ERROR, "c-1", "prod", null, "t", "s", Map.of(),
                NotificationEvent.ORIGIN_EVENT);
    }
}
