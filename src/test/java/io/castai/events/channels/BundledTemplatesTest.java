package io.castai.events.channels;

import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.castai.events.intake.NotificationEvent;
import io.castai.events.intake.Severity;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What the bundled templates (templates/) write for events the default messages do not spell out. */
class BundledTemplatesTest {
    private static final Channels CHANNELS = ChannelsFile.parse("channels.yaml", """
            channels:
              - {name: slack, type: slack, webhookUrl: "https://hooks.slack.com/services/T/B/x"}
              - {name: pagerduty, type: pagerduty, routingKey: 0123456789abcdef0123456789abcdef}
              - {name: mail, type: email, host: smtp.example.com, from: a@example.com, to: [b@example.com]}
            rules:
              - {name: all, eventTypes: ["*"], channels: [slack, pagerduty, mail]}
            default: [log]
            """, name -> null);
    private final MessageTemplates templates = new MessageTemplates(Path.of("templates"), CHANNELS,
            new ConsoleLink("https://console.cast.ai"));

    @Test
    void aConsoleNotificationsDetailsReachSlackAndEmail() throws Exception {
        // in the order the sender gave them (Map.of has none)
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("component", "castai-cluster-controller");
        details.put("lastSeen", 15);
        details.put("nested", Map.of("a", 1));
        NotificationEvent event = notification("c-1", "prod", details);

        assertThat(render("slack", event)).isEqualTo(":rotating_light: CAST AI [CRITICAL] Controller silent (cluster prod): "
                + "No report for 15 minutes\n\n*component:* castai-cluster-controller\n*lastSeen:* 15");
        assertThat(render("mail", event)).endsWith("Event id:    n-1\n\ncomponent: castai-cluster-controller\nlastSeen: 15");
    }

    @Test
    void aNotificationWithoutAClusterSaysNoEmptyCluster() throws Exception {
        NotificationEvent event = notification(null, null, Map.of("text", "API key 'ci' expires in 3 days"));

        assertThat(render("slack", event)).isEqualTo(":rotating_light: CAST AI [CRITICAL] Controller silent: No report for 15 minutes"
                + "\n\n*text:* API key 'ci' expires in 3 days");
    }

    @Test
    void aNotificationWithoutAMessageSaysItsNameOnce() throws Exception {
        // the parser makes the summary the name when there is no message
        NotificationEvent event = new NotificationEvent("n-2", "notification", Severity.WARNING, null, null, null,
                "API key expires soon", "API key expires soon", Map.of(), NotificationEvent.ORIGIN_CONSOLE);

        assertThat(render("slack", event)).isEqualTo(":warning: CAST AI [WARNING] API key expires soon");
        assertThat(render("pagerduty", event)).isEqualTo("[WARNING] API key expires soon");
        assertThat(render("log", event)).isEqualTo("CAST AI notification [WARNING] API key expires soon");
    }

    /** A node event missing some of its data says what it has: no "New  node:  (n-1)", no empty "in cluster". */
    @Test
    void aNodeEventWithoutSomeOfItsDataLeavesNoGaps() throws Exception {
        NotificationEvent added = nodeEvent("node.added", "prod", Map.of("nodeName", "n-1"));
        assertThat(render("log", added)).isEqualTo("New node (n-1) in cluster prod");
        assertThat(render("slack", added)).isEqualTo(":kubernetes: CAST AI: New node");

        NotificationEvent removed = nodeEvent("node.removed", null, Map.of("action", "drained"));
        assertThat(render("log", removed)).isEqualTo("Node removed (drained)");
        assertThat(render("slack", removed)).startsWith("CAST AI: Node removed (drained)").doesNotContain("cluster");

        NotificationEvent interrupted = nodeEvent("node.spot_interrupted", null, Map.of("nodeName", "n-2"));
        assertThat(render("log", interrupted)).isEqualTo("Spot instance interrupted: n-2");
        assertThat(render("slack", interrupted)).isEqualTo(":warning: CAST AI: Spot instance interrupted: node n-2");
        assertThat(render("pagerduty", interrupted)).isEqualTo("Spot instance interrupted: node n-2");
    }

    private static NotificationEvent nodeEvent(String type, String cluster, Map<String, Object> data) {
        return new NotificationEvent("e-" + type, type, Severity.INFO, null, cluster, null, type, type, data,
                NotificationEvent.ORIGIN_EVENT);
    }

    @Test
    void aSendersDetailNamesReachSlackEscaped() throws Exception {
        NotificationEvent event = notification("c-1", "prod", Map.of("<!channel>", "x"));

        assertThat(render("slack", event)).endsWith("*&lt;!channel&gt;:* x").doesNotContain("<!channel>");
    }

    @Test
    void anEventOfAnotherTypeShowsItsDataAndNamesItsTypeOnce() throws Exception {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("nodeName", "ip-1");
        data.put("pod", "payments-7d9");
        data.put("reason", "Insufficient memory");
        NotificationEvent event = new NotificationEvent("e-1", "autoscaler.pod_unschedulable", Severity.ERROR, "c-1", "prod",
                null, "autoscaler.pod_unschedulable", "autoscaler.pod_unschedulable: node ip-1 in cluster prod", data,
                NotificationEvent.ORIGIN_EVENT);

        assertThat(render("slack", event)).isEqualTo("CAST AI [ERROR] autoscaler.pod_unschedulable: node ip-1 in cluster prod"
                + "\n\n*pod:* payments-7d9\n*reason:* Insufficient memory");
        assertThat(render("pagerduty", event)).isEqualTo("CAST AI autoscaler.pod_unschedulable: node ip-1 in cluster prod");
        assertThat(render("log", event)).isEqualTo("Unhandled event: autoscaler.pod_unschedulable in cluster prod");
    }

    @Test
    void aSavingsImpactIsShownToTwoDecimalsAtMost() throws Exception {
        assertThat(render("log", savings(33.333333333333336))).isEqualTo("Savings threshold crossed: 33.33%");
        assertThat(render("log", savings(37.5))).isEqualTo("Savings threshold crossed: 37.5%");
        assertThat(render("slack", savings(1e21))).startsWith(":moneybag: CAST AI: Savings threshold crossed: 1000000000000000000000% ");
        assertThat(render("log", savings("37.50"))).as("a number written as text, as sent").isEqualTo("Savings threshold crossed: 37.50%");
    }

    @Test
    void eventsASenderLeftFieldsOutOfLeaveNoEmptyPlaces() throws Exception {
        // "Savings threshold crossed: %" and "Audit entry  at :  by " before
        NotificationEvent noImpact = new NotificationEvent("s-2", "savings.threshold", Severity.INFO, "c-1", "prod", null,
                "t", "s", Map.of(), NotificationEvent.ORIGIN_EVENT);
        assertThat(render("log", noImpact)).isEqualTo("Savings threshold crossed");
        assertThat(render("slack", noImpact)).isEqualTo(":moneybag: CAST AI: Savings threshold crossed in cluster prod");
        assertThat(render("log", savings(Map.of("value", 3)))).as("an object is no figure").isEqualTo("Savings threshold crossed");
        assertThat(render("log", savings("  "))).as("nor are spaces").isEqualTo("Savings threshold crossed");
        assertThat(render("slack", savings("  "))).startsWith(":moneybag: CAST AI: Savings threshold crossed in cluster");

        NotificationEvent bareAudit = new NotificationEvent("a-1", "audit.x", Severity.INFO, "c-1", "prod", null,
                "t", "s", Map.of(), NotificationEvent.ORIGIN_EVENT);
        assertThat(render("log", bareAudit)).isEqualTo("Audit entry: audit.x");
        NotificationEvent audit = new NotificationEvent("a-2", "audit.nodeAdded", Severity.INFO, "c-1", "prod", null, "t", "s",
                Map.of("auditId", "e-9", "time", "2026-11-27T10:00:00Z", "eventType", "nodeAdded", "initiatedBy", "ops@example.com"),
                NotificationEvent.ORIGIN_API);
        assertThat(render("log", audit)).isEqualTo("Audit entry e-9 at 2026-11-27T10:00:00Z: nodeAdded by ops@example.com");
    }

    @Test
    void aRemovedNodeSaysWhy() throws Exception {
        NotificationEvent event = new NotificationEvent("e-2", "node.removed", Severity.INFO, "c-1", "prod", null, "t", "s",
                Map.of("nodeName", "ip-2", "action", "rebalancing"), NotificationEvent.ORIGIN_EVENT);

        assertThat(render("log", event)).isEqualTo("Node removed: ip-2 (rebalancing)");
        assertThat(render("slack", event)).isEqualTo("CAST AI: Node removed: ip-2 (rebalancing) in cluster prod");
    }

    @Test
    void aNestedNodeNameLeavesTheEmailTemplateWorking() throws Exception {
        NotificationEvent event = notification("c-1", "prod", Map.of("nodeName", Map.of("name", "ip-1", "zone", "a")));

        assertThat(render("mail", event)).contains("Event id:    n-1").doesNotContain("Node:");
    }

    @Test
    void aNodesDataThatIsNotTextLeavesTheEmailTemplateWorking() throws Exception {
        // a console notification's Details are the sender's: objects there failed the template,
        // and the mail fell back to one line without its details, link and id
        NotificationEvent event = notification("c-1", "prod",
                Map.of("nodeName", "n9", "instanceType", Map.of("a", 1), "lifecycle", List.of("x")));

        assertThat(render("mail", event)).contains("Node:        n9").contains("Event id:    n-1")
                .doesNotContain("{").doesNotContain("[x]");
    }

    @Test
    void aSendersTextReachesSlackEscaped() throws Exception {
        // a console Message and Name are the sender's: <!channel> in them would ping the channel
        NotificationEvent event = new NotificationEvent("n-9", "notification", Severity.CRITICAL, null, null, null,
                "Disk <!here> full", "Disk full <!channel> & <https://evil.example|click>", Map.of(), NotificationEvent.ORIGIN_CONSOLE);

        assertThat(render("slack", event)).contains("Disk &lt;!here&gt; full")
                .contains("Disk full &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;")
                .doesNotContain("<!channel>").doesNotContain("<!here>").doesNotContain("<https://evil");
    }

    @Test
    void anEmailIsToEveryRecipient() throws Exception {
        NotificationEvent event = notification("c-1", "prod", Map.of());

        assertThat(render("mail", event, List.of("oncall@example.com", "Ops <ops@example.com>")))
                .startsWith("To: oncall@example.com, Ops <ops@example.com>\n");
    }

    private String render(String channel, NotificationEvent event) throws Exception {
        return render(channel, event, List.of());
    }

    private String render(String channel, NotificationEvent event, List<String> recipients) throws Exception {
        String template = "log".equals(channel) ? "log.ftl" : templates.templateOf(channel);
        Map<String, Object> model = templates.model("log".equals(channel) ? "mail" : channel, event, recipients);
        StringWriter out = new StringWriter();
        templates.configuration().getTemplate(template).process(model, out);
        return out.toString().trim();
    }

    private static NotificationEvent notification(String clusterId, String clusterName, Map<String, Object> details) {
        return new NotificationEvent("n-1", "notification", Severity.CRITICAL, clusterId, clusterName, null,
                "Controller silent", "No report for 15 minutes", new LinkedHashMap<>(details), NotificationEvent.ORIGIN_CONSOLE);
    }

    private static NotificationEvent savings(Object impact) {
        return new NotificationEvent("s-1", "savings.threshold", Severity.INFO, "c-1", "prod", null, "t", "s",
                Map.of("savingsImpact", impact), NotificationEvent.ORIGIN_EVENT);
    }
}
