package io.castai.events;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.castai.events.support.HttpStandIn;
import io.castai.events.support.LogCapture;
import io.castai.events.support.PagerDutySchema;
import io.castai.events.support.RunningService;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static io.castai.events.support.RunningService.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Channels and rules declared in a channels.yaml alone (no Java, no route file): two Slack
 * webhooks, PagerDuty with trigger/resolve pairing, a signed webhook and email, each observed at a
 * real local server (HTTP stand-ins, an embedded GreenMail SMTP server).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConfiguredChannelsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_TOKEN = "admin-token-for-channels-test";
    private static final String CLUSTER_ID = "4d2f1b3e-7c1a-4e59-9a3b-2f6c8d0e1a77";
    private static final String CHANNELS = """
            channels:
              - {name: slack, type: slack, webhookUrl: "${slack.webhook.url}"}
              - {name: slack-finops, type: slack, webhookUrl: "${SLACK_FINOPS_WEBHOOK_URL}"}
              - name: pagerduty
                type: pagerduty
                routingKey: ${PD_KEY}
                eventsUrl: ${PD_URL}
                dedupBy: node
                resolveOn: [node.removed]
              - name: audit-hook
                type: webhook
                url: ${HOOK_URL}
                signingSecret: ${HOOK_SECRET}
                headers: {X-Team: platform}
              - name: ops-email
                type: email
                host: 127.0.0.1
                port: ${SMTP_PORT}
                tls: none
                username: castai
                password: ${SMTP_PASSWORD}
                from: castai-events@example.com
                to: ['"Platform, Team" <platform@example.com>']
              - name: node-email
                type: email
                host: 127.0.0.1
                port: ${SMTP_PORT}
                tls: none
                username: castai
                password: ${SMTP_PASSWORD}
                from: castai-events@example.com
                to: [platform@example.com]
                template: node-email.ftl
              - {name: broken-log, type: log, template: broken.ftl}
              - name: broken-email
                type: email
                host: 127.0.0.1
                port: ${SMTP_PORT}
                tls: none
                username: castai
                password: ${SMTP_PASSWORD}
                from: castai-events@example.com
                to: [platform@example.com]
                template: broken.ftl
              - {name: editable, type: log, template: editable.ftl}
              - {name: breakable, type: log, template: breakable.ftl}
              - {name: runaway, type: log, template: runaway.ftl}
              - {name: not-json-hook, type: webhook, url: "${HOOK_URL}", template: not-json.ftl}
              - name: wrong-password-email
                type: email
                host: 127.0.0.1
                port: ${SMTP_PORT}
                tls: none
                username: castai
                password: not-the-password
                from: castai-events@example.com
                to: [platform@example.com]
            rules:
              - {name: finops, eventTypes: ["savings.*"], channels: [slack-finops], continue: true}
              - {name: savings, eventTypes: ["savings.*"], channels: [log]}
              - {name: spot, eventTypes: [node.spot_interrupted], channels: [log, pagerduty]}
              - {name: removed, eventTypes: [node.removed], channels: [log, pagerduty, audit-hook]}
              - {name: paging, eventTypes: [notification], minSeverity: ERROR, channels: [ops-email], recipients: [oncall@example.com]}
              - {name: notifications, eventTypes: [notification], channels: [ops-email]}
              - {name: nodes, eventTypes: [node.added], clusters: [production-eu], channels: [broken-log, slack]}
              - {name: mail-test, eventTypes: [test.mail], channels: [wrong-password-email]}
              - {name: broken-mail, eventTypes: [test.broken-mail], channels: [broken-email], recipients: [oncall@example.com]}
              - {name: editable, eventTypes: [test.editable], channels: [editable]}
              - {name: breakable, eventTypes: [test.breakable], channels: [breakable]}
              - {name: runaway, eventTypes: [test.runaway], channels: [runaway]}
              - {name: not-json, eventTypes: [test.not-json], channels: [not-json-hook]}
              - {name: node-mail, eventTypes: [test.node-mail], channels: [node-email]}
            default: [log]
            """;

    private Path directory;
    private HttpStandIn slack;
    private HttpStandIn finops;
    private HttpStandIn pagerDuty;
    private HttpStandIn hook;
    private GreenMail smtp;
    private LogCapture log;
    private RunningService service;
    private String hookSecret;

    @BeforeAll
    void start() throws Exception {
        directory = Files.createTempDirectory("castai-events-channels");
        Path templates = Files.createDirectories(directory.resolve("templates"));
        try (Stream<Path> files = Files.list(Path.of("templates"))) {
            for (Path file : files.toList()) {
                Files.copy(file, templates.resolve(file.getFileName()));
            }
        }
        // parses, but asks for a detail node.added events do not have
        Files.writeString(templates.resolve("broken.ftl"), "Added ${event.details.noSuchField} to ${event.clusterName}\n");
        Files.writeString(templates.resolve("editable.ftl"), "Original: ${event.id}\n");
        Files.writeString(templates.resolve("breakable.ftl"), "Fine: ${event.id}\n");
        // a loop gone wrong: two million characters for every event
        Files.writeString(templates.resolve("runaway.ftl"), "<#list 1..200000 as i>0123456789</#list>\n");
        // an edit that forgot a comma: the receiver would refuse it, and a replay send it again
        Files.writeString(templates.resolve("not-json.ftl"), "{\"id\": ${event.id?c} \"type\": ${event.type?c}}\n");
        // an edit an operator may well make: what a sender wrote (a node name) in a header line
        Files.writeString(templates.resolve("node-email.ftl"),
                "To: ${recipients?join(\", \")}\nSubject: Node ${event.details.nodeName!}\n\n${event.type}\n");
        Files.writeString(directory.resolve("channels.yaml"), CHANNELS);
        slack = HttpStandIn.slack();
        finops = HttpStandIn.slack();
        pagerDuty = HttpStandIn.pagerDuty();
        hook = new HttpStandIn(204, "");
        int smtpPort = RunningService.freePort();
        smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        smtp.setUser("castai", "castai", "mail-password");
        byte[] key = new byte[24];
        new SecureRandom().nextBytes(key);
        hookSecret = "whsec_" + Base64.getEncoder().encodeToString(key);
        log = LogCapture.attach();
        service = RunningService.builder()
                .property("channels.file", directory.resolve("channels.yaml"))
                .property("templates.dir", templates)
                .property("slack.webhook.url", slack.url("/services/T000/B000/ops"))
                .property("SLACK_FINOPS_WEBHOOK_URL", finops.url("/services/T000/B000/finops"))
                .property("PD_KEY", "0123456789abcdef0123456789abcdef")
                .property("PD_URL", pagerDuty.url("/v2/enqueue"))
                .property("HOOK_URL", hook.url("/castai?token=hook-token"))
                .property("HOOK_SECRET", hookSecret)
                .property("SMTP_PORT", smtpPort)
                .property("SMTP_PASSWORD", "mail-password")
                .property("admin.token", ADMIN_TOKEN)
                .start();
    }

    @AfterAll
    void stop() {
        service.close();
        Stream.of(slack, finops, pagerDuty, hook).forEach(HttpStandIn::close);
        smtp.stop();
        log.close();
    }

    @BeforeEach
    void reset() throws Exception {
        Stream.of(slack, finops, pagerDuty, hook).forEach(HttpStandIn::reset);
        smtp.purgeEmailFromAllMailboxes();
        log.clear();
    }

    @Test
    void aSecondSlackWebhookAddedByConfigurationReceivesSavingsEvents() throws Exception {
        service.postFixture("events/savings-threshold.json");

        HttpStandIn.Request message = finops.awaitRequests(1).get(0);
        assertThat(message.path()).isEqualTo("/services/T000/B000/finops");
        JsonNode body = JSON.readTree(message.body());
        assertThat(body.get("text").asText()).isEqualTo(":moneybag: CAST AI: Savings threshold crossed: 37.5% in cluster staging-us-east");
        assertThat(body.get("blocks").get(0).get("text").get("text").asText()).isEqualTo(body.get("text").asText());
        await().atMost(Duration.ofSeconds(10)).until(() -> !log.linesContaining("Savings threshold crossed: 37.5%").isEmpty());
        assertThat(slack.requests()).as("the ops webhook is not in these rules").isEmpty();
    }

    @Test
    void slackMessagesCarryBlockKitFieldsAndAConsoleLink() throws Exception {
        service.postEvent("""
                {"id": "added-prod-1", "eventType": "node.added", "clusterId": "%s", "clusterName": "production-eu",
                 "timestamp": "2026-11-27T08:00:00Z",
                 "data": {"nodeName": "ip-10-1-2-3", "instanceType": "m6i.large", "lifecycle": "on-demand"}}
                """.formatted(CLUSTER_ID));

        JsonNode body = JSON.readTree(slack.awaitRequests(1).get(0).body());
        JsonNode blocks = body.get("blocks");
        assertThat(blocks.get(0).get("text").get("text").asText()).isEqualTo(":kubernetes: CAST AI: New on-demand node: m6i.large");
        assertThat(blocks.get(1).get("fields").findValuesAsText("text")).containsExactly(
                "*Cluster*\nproduction-eu", "*Node*\nip-10-1-2-3", "*Instance type*\nm6i.large", "*Lifecycle*\non-demand");
        assertThat(blocks.get(2).get("elements").findValuesAsText("text")).as("when it happened, in the reader's time zone").containsExactly(
                "<!date^1795766400^Event time: {date_short_pretty} at {time}|Event time: 2026-11-27T08:00:00Z>",
                "<https://console.cast.ai/external-clusters/" + CLUSTER_ID + "|Open the cluster in the CAST AI console>");
    }

    @Test
    void aSendersTextReachesSlackEscaped() throws Exception {
        assertThat(service.postEvent("""
                {"id": "added-prod-escaped", "eventType": "node.added", "clusterName": "production-eu",
                 "data": {"nodeName": "<!here>", "instanceType": "m6i.large & <https://evil.example|more>", "lifecycle": "<!channel>"}}
                """).statusCode()).as("a cluster named by name only").isEqualTo(200);

        JsonNode body = JSON.readTree(slack.awaitRequests(1).get(0).body());
        assertThat(body.get("text").asText())
                .isEqualTo(":kubernetes: CAST AI: New &lt;!channel&gt; node: m6i.large &amp; &lt;https://evil.example|more&gt;");
        assertThat(body.get("blocks").get(1).get("fields").findValuesAsText("text")).contains("*Node*\n&lt;!here&gt;");
    }

    @Test
    void anEditedTemplateIsUsedWithoutARestart() throws Exception {
        service.postEvent("{\"id\": \"editable-first\", \"eventType\": \"test.editable\", \"clusterId\": \"c-1\"}");
        await().atMost(Duration.ofSeconds(5)).until(() -> !log.linesContaining("Original: editable-first").isEmpty());

        Files.writeString(directory.resolve("templates/editable.ftl"), "Edited: ${event.id}\n");
        // FreeMarker looks at the file again at most every 5 s; each try is a new event
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            String id = "editable-" + System.nanoTime();
            service.postEvent("{\"id\": \"" + id + "\", \"eventType\": \"test.editable\", \"clusterId\": \"c-1\"}");
            await().atMost(Duration.ofSeconds(5)).until(() -> !log.linesContaining(id).isEmpty());
            return log.linesContaining(id).get(0).contains("Edited: " + id);
        });
    }

    @Test
    void aTemplateEditedWhileRunningThatNoLongerParsesSaysWhyForEveryEvent() throws Exception {
        Files.writeString(directory.resolve("templates/breakable.ftl"), "<#if event.id??>unclosed\n");
        // FreeMarker looks at the file again at most every 5 s; then the first render fails on the
        // parse, and those after it on FreeMarker's cached failure, which names the parse only as its cause
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).until(() -> {
            service.postEvent("{\"id\": \"breakable-" + System.nanoTime() + "\", \"eventType\": \"test.breakable\"}");
            return log.linesContaining("Template breakable.ftl of channel breakable failed").size() >= 4;
        });
        assertThat(log.linesContaining("Template breakable.ftl of channel breakable failed"))
                .allSatisfy(line -> assertThat(line).contains("does not parse: line 1").doesNotContain("see cause exception"));
    }

    @Test
    void aTemplateThatWritesMoreThanAMebibyteSendsThePlainTextInstead() {
        service.postEvent("{\"id\": \"runaway-1\", \"eventType\": \"test.runaway\", \"clusterName\": \"prod\"}");

        await().atMost(Duration.ofSeconds(10)).until(() -> !log.linesContaining("CAST AI test.runaway [INFO]").isEmpty());
        assertThat(log.linesContaining("Template runaway.ftl of channel runaway failed for event runaway-1 (test.runaway): "
                + "its message is longer than 1048576 characters; sent the plain fallback text")).hasSize(1);
        assertThat(log.linesContaining("0123456789")).isEmpty();
    }

    @Test
    void aWebhookTemplateThatRendersSomethingNotJsonSendsTheEventAsJsonInstead() throws Exception {
        service.postEvent("{\"id\": \"not-json-1\", \"eventType\": \"test.not-json\", \"clusterName\": \"prod\"}");

        JsonNode body = JSON.readTree(hook.awaitRequestContaining("not-json-1").body());
        assertThat(body.get("id").asText()).isEqualTo("not-json-1");
        assertThat(body.get("type").asText()).isEqualTo("test.not-json");
        assertThat(log.linesContaining("Template not-json.ftl of channel not-json-hook failed for event not-json-1 (test.not-json): "
                + "its message is not JSON (line 1, column ")).singleElement().asString().endsWith("; sent the plain fallback text");
    }

    @Test
    void aTemplateThatFailsStillNotifiesWithPlainTextAndNamesTheTemplate() {
        service.postEvent("""
                {"id": "added-prod-2", "eventType": "node.added", "clusterId": "%s", "clusterName": "production-eu",
                 "data": {"nodeName": "ip-10-1-2-4", "instanceType": "m6i.large", "lifecycle": "spot"}}
                """.formatted(CLUSTER_ID));

        slack.awaitRequests(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> !log.linesContaining("Template broken.ftl of channel broken-log failed").isEmpty());
        assertThat(log.linesContaining("Template broken.ftl of channel broken-log failed").get(0))
                .contains("event added-prod-2 (node.added)").contains("event.details.noSuchField");
        assertThat(log.linesContaining("CAST AI node.added [INFO] node.added (cluster production-eu)")).isNotEmpty();
    }

    @Test
    void anEmailWhoseTemplateFailsStillGoesToTheRulesRecipients() throws Exception {
        service.postEvent("{\"id\": \"broken-mail-1\", \"eventType\": \"test.broken-mail\", \"clusterName\": \"prod\"}");

        assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
        MimeMessage mail = smtp.getReceivedMessages()[0];
        assertThat(List.of(mail.getRecipients(Message.RecipientType.TO))).extracting(Object::toString)
                .containsExactly("oncall@example.com");
        assertThat(mail.getSubject()).isEqualTo("CAST AI INFO test.broken-mail");
        assertThat(GreenMailUtil.getBody(mail).trim()).isEqualTo("CAST AI test.broken-mail [INFO] test.broken-mail (cluster prod): test.broken-mail in cluster prod");
    }

    @Test
    void pagerDutyTriggersOnAnInterruptionAndResolvesWhenTheNodeIsRemoved() throws Exception {
        service.postFixture("events/node-spot-interrupted.json");
        JsonNode trigger = JSON.readTree(pagerDuty.awaitRequests(1).get(0).body());
        PagerDutySchema.assertValidEnqueueRequest(trigger);
        assertThat(trigger.get("event_action").asText()).isEqualTo("trigger");
        assertThat(trigger.get("dedup_key").asText()).isEqualTo("castai-events/" + CLUSTER_ID + "/ip-10-0-9-88.ec2.internal");
        assertThat(trigger.get("payload").get("summary").asText())
                .isEqualTo("Spot instance interrupted: node ip-10-0-9-88.ec2.internal (r6a.2xlarge) in cluster staging-us-east");

        service.postEvent("""
                {"id": "removed-after-interruption", "eventType": "node.removed", "clusterId": "%s",
                 "clusterName": "staging-us-east", "data": {"nodeName": "ip-10-0-9-88.ec2.internal"}}
                """.formatted(CLUSTER_ID));
        JsonNode resolve = JSON.readTree(pagerDuty.awaitRequests(2).get(1).body());
        PagerDutySchema.assertValidResolveRequest(resolve);
        assertThat(resolve.get("dedup_key").asText()).isEqualTo(trigger.get("dedup_key").asText());
        assertThat(resolve.get("routing_key").asText()).isEqualTo("0123456789abcdef0123456789abcdef");
        // the removal's copy for audit-hook too, before the next test resets the stand-in
        hook.awaitRequests(1);
    }

    @Test
    void aTriggerRetriedAfterItsIncidentWasResolvedIsNotSent() throws Exception {
        double supersededBefore = supersededCount();
        // the interruption's trigger fails and is due again in 5 s; meanwhile the node is removed
        pagerDuty.thenRespond(500, "{\"status\":\"error\"}", Map.of("Retry-After", "5"));
        service.postEvent("""
                {"id": "interrupted-then-failed", "eventType": "node.spot_interrupted", "clusterId": "%s",
                 "clusterName": "staging-us-east", "data": {"nodeName": "ip-10-0-9-99", "instanceType": "m5.large"}}
                """.formatted(CLUSTER_ID));
        assertThat(JSON.readTree(pagerDuty.awaitRequests(1).get(0).body()).get("event_action").asText()).isEqualTo("trigger");
        service.postEvent("""
                {"id": "removed-before-the-retry", "eventType": "node.removed", "clusterId": "%s",
                 "clusterName": "staging-us-east", "data": {"nodeName": "ip-10-0-9-99"}}
                """.formatted(CLUSTER_ID));
        assertThat(JSON.readTree(pagerDuty.awaitRequests(2).get(1).body()).get("event_action").asText()).isEqualTo("resolve");

        // the trigger's retry comes after the resolve: sent, it would open an incident nothing closes
        await().atMost(Duration.ofSeconds(15)).until(() -> !log.linesContaining(
                "pagerduty delivery of event interrupted-then-failed is not sent: a later event of its incident was delivered first").isEmpty());
        assertThat(pagerDuty.requests()).hasSize(2);
        assertThat(supersededCount()).isEqualTo(supersededBefore + 1);
    }

    @Test
    void aResolveRetriedAfterANewerTriggerOfItsIncidentIsNotSent() throws Exception {
        service.postEvent("""
                {"id": "first-interruption", "eventType": "node.spot_interrupted", "clusterId": "%s",
                 "clusterName": "staging-us-east", "data": {"nodeName": "ip-10-0-9-55", "instanceType": "m5.large"}}
                """.formatted(CLUSTER_ID));
        pagerDuty.awaitRequests(1);
        // the node's removal fails and is due again in 5 s; meanwhile a new node of the same name is interrupted
        pagerDuty.thenRespond(500, "{\"status\":\"error\"}", Map.of("Retry-After", "5"));
        service.postEvent("""
                {"id": "removed-then-failed", "eventType": "node.removed", "clusterId": "%s",
                 "clusterName": "staging-us-east", "data": {"nodeName": "ip-10-0-9-55"}}
                """.formatted(CLUSTER_ID));
        assertThat(JSON.readTree(pagerDuty.awaitRequests(2).get(1).body()).get("event_action").asText()).isEqualTo("resolve");
        service.postEvent("""
                {"id": "second-interruption", "eventType": "node.spot_interrupted", "clusterId": "%s",
                 "clusterName": "staging-us-east", "data": {"nodeName": "ip-10-0-9-55", "instanceType": "m5.large"}}
                """.formatted(CLUSTER_ID));
        assertThat(JSON.readTree(pagerDuty.awaitRequests(3).get(2).body()).get("event_action").asText()).isEqualTo("trigger");

        // the resolve's retry comes after the newer trigger: sent, it would close an incident nobody has seen
        await().atMost(Duration.ofSeconds(15)).until(() -> !log.linesContaining(
                "pagerduty delivery of event removed-then-failed is not sent: a later event of its incident").isEmpty());
        assertThat(pagerDuty.requests()).hasSize(3);
    }

    @Test
    void aTriggerThatHappenedBeforeItsIncidentsDeliveredResolveIsNotSentWhenAcceptedAfterIt() throws Exception {
        // the sender's retry of an interruption reaches the service after the node's removal did
        Instant interrupted = Instant.now().minus(Duration.ofMinutes(10)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        service.postEvent("""
                {"id": "removed-first", "eventType": "node.removed", "clusterId": "%s", "timestamp": "%s",
                 "clusterName": "staging-us-east", "data": {"nodeName": "ip-10-0-9-66"}}
                """.formatted(CLUSTER_ID, interrupted.plus(Duration.ofMinutes(5))));
        assertThat(JSON.readTree(pagerDuty.awaitRequests(1).get(0).body()).get("event_action").asText()).isEqualTo("resolve");
        // (one send at a time per incident: the trigger waits for the resolve's delivery to end)
        service.postEvent("""
                {"id": "interrupted-earlier", "eventType": "node.spot_interrupted", "clusterId": "%s",
                 "timestamp": "%s", "clusterName": "staging-us-east",
                 "data": {"nodeName": "ip-10-0-9-66", "instanceType": "m5.large"}}
                """.formatted(CLUSTER_ID, interrupted));
        await().atMost(Duration.ofSeconds(15)).until(() -> !log.linesContaining(
                "pagerduty delivery of event interrupted-earlier is not sent: a later event of its incident").isEmpty());
        assertThat(pagerDuty.requests()).as("an incident opened for a node removed before").hasSize(1);
    }

    private double supersededCount() {
        String counter = "castai_delivery_attempts_total{channel=\"pagerduty\",outcome=\"superseded\"} ";
        return service.get("/observe/metrics").body().lines().filter(line -> line.startsWith(counter))
                .mapToDouble(line -> Double.parseDouble(line.substring(counter.length()))).sum();
    }

    @Test
    void aTriggerReplayedAfterItsIncidentWasResolvedIsNotSent() throws Exception {
        // refused for good (a 400): the trigger is a dead letter; then the node is removed
        pagerDuty.thenRespond(400, "{\"status\":\"invalid event\"}");
        service.postEvent("""
                {"id": "interrupted-then-refused", "eventType": "node.spot_interrupted", "clusterId": "%s",
                 "clusterName": "staging-us-east", "data": {"nodeName": "ip-10-0-9-77", "instanceType": "m5.large"}}
                """.formatted(CLUSTER_ID));
        await().atMost(Duration.ofSeconds(10)).until(() -> !log.linesContaining(
                "pagerduty delivery of event interrupted-then-refused failed permanently").isEmpty());
        service.postEvent("""
                {"id": "removed-before-the-replay", "eventType": "node.removed", "clusterId": "%s",
                 "clusterName": "staging-us-east", "data": {"nodeName": "ip-10-0-9-77"}}
                """.formatted(CLUSTER_ID));
        assertThat(JSON.readTree(pagerDuty.awaitRequests(2).get(1).body()).get("event_action").asText()).isEqualTo("resolve");

        // the replay queues the trigger again, but its event is still older than the resolve's
        double supersededBefore = supersededCount();
        assertThat(service.send("POST", "/admin/dead-letters/replay?eventId=interrupted-then-refused&channel=pagerduty",
                null, "Authorization", "Bearer " + ADMIN_TOKEN).body()).isEqualTo("{\"replayed\":1}");
        await().atMost(Duration.ofSeconds(15)).until(() -> !log.linesContaining(
                "pagerduty delivery of event interrupted-then-refused is not sent: a later event of its incident was delivered first").isEmpty());
        assertThat(pagerDuty.requests()).hasSize(2);
        assertThat(supersededCount()).isEqualTo(supersededBefore + 1);
    }

    @Test
    void triggersAndResolvesReplayedTogetherNeverLeaveAnIncidentOpen() throws Exception {
        // both refused for good, so both are dead letters; the replay makes them due at once
        int pairs = 20;
        pagerDuty.respondByDefault(400, "{\"status\":\"invalid event\"}");
        for (int i = 0; i < pairs; i++) {
            service.postEvent("""
                    {"id": "turn-trigger-%d", "eventType": "node.spot_interrupted", "clusterId": "%s",
                     "clusterName": "staging-us-east", "data": {"nodeName": "ip-10-0-8-%d", "instanceType": "m5.large"}}
                    """.formatted(i, CLUSTER_ID, i));
            service.postEvent("""
                    {"id": "turn-resolve-%d", "eventType": "node.removed", "clusterId": "%s",
                     "clusterName": "staging-us-east", "data": {"nodeName": "ip-10-0-8-%d"}}
                    """.formatted(i, CLUSTER_ID, i));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> log.linesContaining("failed permanently").size() >= 2 * pairs);
        pagerDuty.reset();
        log.clear();

        assertThat(service.send("POST", "/admin/dead-letters/replay?channel=pagerduty", null,
                "Authorization", "Bearer " + ADMIN_TOKEN).statusCode()).isEqualTo(200);

        // each pair ends resolved: the trigger before its resolve, or not sent (superseded); a
        // trigger sent after its resolve would open an incident nothing closes
        await().atMost(Duration.ofSeconds(30)).until(() -> pagerDuty.requests().stream()
                .filter(r -> r.body().contains("\"resolve\"")).count() >= pairs);
        await().atMost(Duration.ofSeconds(30)).until(() -> log.linesContaining("is not sent: a later event of its incident was delivered first").stream()
                .filter(line -> line.contains("turn-trigger-")).count() + sentTriggersFor("ip-10-0-8-") >= pairs);
        List<String> actions = new ArrayList<>();
        for (HttpStandIn.Request request : pagerDuty.requests()) {
            JsonNode body = JSON.readTree(request.body());
            actions.add(body.get("event_action").asText() + " " + body.get("dedup_key").asText());
        }
        for (int i = 0; i < pairs; i++) {
            String key = "castai-events/" + CLUSTER_ID + "/ip-10-0-8-" + i;
            int resolve = actions.indexOf("resolve " + key);
            int trigger = actions.indexOf("trigger " + key);
            assertThat(trigger < resolve).as("pair %d in %s", i, actions).isTrue();
        }
    }

    private long sentTriggersFor(String nodePrefix) {
        return pagerDuty.requests().stream().filter(r -> r.body().contains("\"trigger\"") && r.body().contains(nodePrefix)).count();
    }

    @Test
    void aWebhookIsSignedTheStandardWebhooksWayWithItsHeaders() throws Exception {
        service.postEvent("""
                {"id": "removed-for-hook", "eventType": "node.removed", "clusterId": "%s",
                 "clusterName": "staging-us-east", "data": {"nodeName": "ip-10-0-1-1"}}
                """.formatted(CLUSTER_ID));

        HttpStandIn.Request request = hook.awaitRequestContaining("removed-for-hook");
        assertThat(request.path()).isEqualTo("/castai?token=hook-token");
        assertThat(request.header("X-Team")).isEqualTo("platform");
        assertThat(request.header("Content-Type")).startsWith("application/json");
        JsonNode body = JSON.readTree(request.body());
        assertThat(body.get("id").asText()).isEqualTo("removed-for-hook");
        assertThat(body.get("type").asText()).isEqualTo("node.removed");
        assertThat(body.get("details").get("nodeName").asText()).isEqualTo("ip-10-0-1-1");

        // verified here from the spec, not with the service's own code
        String id = request.header("webhook-id");
        String timestamp = request.header("webhook-timestamp");
        assertThat(id).startsWith("msg_");
        assertThat(Math.abs(Long.parseLong(timestamp) - System.currentTimeMillis() / 1000)).isLessThan(60);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(hookSecret.substring("whsec_".length())), "HmacSHA256"));
        String expected = "v1," + Base64.getEncoder().encodeToString(
                mac.doFinal((id + "." + timestamp + "." + request.body()).getBytes(StandardCharsets.UTF_8)));
        assertThat(request.header("webhook-signature").split(" ")).contains(expected);
    }

    @Test
    void emailGoesOverSmtpToTheRulesRecipients() throws Exception {
        service.postFixture("events/console-notification.json");

        assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
        MimeMessage mail = smtp.getReceivedMessages()[0];
        assertThat(mail.getSubject())
                .isEqualTo("[CAST AI] CRITICAL Cluster controller not responding (cluster staging-us-east)");
        assertThat(mail.getFrom()[0].toString()).isEqualTo("castai-events@example.com");
        assertThat(List.of(mail.getRecipients(Message.RecipientType.TO))).extracting(Object::toString)
                .as("the paging rule's recipients replace the channel's").containsExactly("oncall@example.com");
        String body = GreenMailUtil.getBody(mail);
        assertThat(body).contains("Cluster controller in cluster staging-us-east has not reported for 15 minutes")
                .contains("Console:     https://console.cast.ai/external-clusters/" + CLUSTER_ID);
    }

    @Test
    void aLessSevereNotificationGoesToTheChannelsOwnRecipients() throws Exception {
        service.postEvent(fixture("events/console-notification.json")
                .replace("0f7c2b9e-5a41-4d1e-b0f3-6e2d9a8c7b15", "warning-notification-1")
                .replace("\"CRITICAL\"", "\"WARNING\""));

        assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
        MimeMessage mail = smtp.getReceivedMessages()[0];
        assertThat(mail.getSubject()).startsWith("[CAST AI] WARNING ");
        assertThat(List.of(mail.getRecipients(Message.RecipientType.TO))).extracting(Object::toString)
                .as("a display name with a comma in it").containsExactly("\"Platform, Team\" <platform@example.com>");
    }

    @Test
    void aSendersLineBreakAddsNoMailHeader() throws Exception {
        service.postEvent(fixture("events/console-notification.json")
                .replace("0f7c2b9e-5a41-4d1e-b0f3-6e2d9a8c7b15", "header-injection-1")
                .replace("\"Name\": \"Cluster controller not responding\"",
                        "\"Name\": \"Disk full\\r\\nTo: evil@attacker.example\\nSubject: Payroll update\""));

        assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
        MimeMessage mail = smtp.getReceivedMessages()[0];
        assertThat(List.of(mail.getRecipients(Message.RecipientType.TO))).extracting(Object::toString)
                .containsExactly("oncall@example.com");
        assertThat(mail.getSubject()).isEqualTo(
                "[CAST AI] CRITICAL Disk full  To: evil@attacker.example Subject: Payroll update (cluster staging-us-east)");
    }

    @Test
    void aSendersLineBreakInAnEditedTemplatesHeaderMailsNoStranger() throws Exception {
        String event = "{\"id\":\"mail-inject-1\",\"eventType\":\"test.node-mail\","
                + "\"data\":{\"nodeName\":\"n1\\nTo: attacker@evil.example\\nX: y\"}}";
        JsonNode preview = JSON.readTree(service.send("POST", "/castai/routes/test", event).body()).get("deliveries").get(0);
        assertThat(preview.get("to").toString()).as("the dry-run agrees").isEqualTo("[\"platform@example.com\"]");
        assertThat(preview.get("toLeftOut").toString()).isEqualTo("[\"attacker@evil.example\"]");

        service.postEvent(event);

        assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
        MimeMessage mail = smtp.getReceivedMessages()[0];
        assertThat(List.of(mail.getAllRecipients())).extracting(Object::toString)
                .as("only what channels.yaml gives the channel").containsExactly("platform@example.com");
        assertThat(log.linesContaining("To: address attacker@evil.example left out")).hasSize(1);
    }

    @Test
    void aSendersVeryLongTextMakesNoVeryLongSubject() throws Exception {
        service.postEvent("{\"id\":\"mail-long-1\",\"eventType\":\"test.node-mail\","
                + "\"data\":{\"nodeName\":\"" + "n".repeat(100_000) + "\"}}");

        assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
        assertThat(smtp.getReceivedMessages()[0].getSubject()).hasSize(250).startsWith("Node nnn").endsWith("n…");
    }

    @Test
    void refusedSmtpCredentialsAreAPermanentFailureKeptAsADeadLetter() throws Exception {
        service.postEvent("{\"id\": \"mail-test-1\", \"eventType\": \"test.mail\", \"clusterId\": \"c-1\"}");

        await().atMost(Duration.ofSeconds(10)).until(() -> !log.linesContaining("wrong-password-email delivery of event mail-test-1").isEmpty());
        assertThat(log.linesContaining("wrong-password-email delivery of event mail-test-1").get(0))
                .contains("failed permanently after 1 attempt(s): SMTP server refused the credentials")
                .doesNotContain("not-the-password");
        assertThat(smtp.getReceivedMessages()).isEmpty();
        // kept: listed for an operator to replay once the credentials are fixed
        JsonNode deadLetters = JSON.readTree(service.send("GET", "/admin/dead-letters", null,
                "Authorization", "Bearer " + ADMIN_TOKEN).body()).get("deadLetters");
        assertThat(deadLetters).anySatisfy(dead -> {
            assertThat(dead.get("eventId").asText()).isEqualTo("mail-test-1");
            assertThat(dead.get("channel").asText()).isEqualTo("wrong-password-email");
            assertThat(dead.get("attempts").asInt()).isEqualTo(1);
        });
    }

    @Test
    void anAnswerQuotingAnotherChannelsSecretKeepsItOutOfTheDeadLetter() throws Exception {
        // a relay in front of Slack that echoes what it saw: PagerDuty's routing key, the webhook's token
        slack.thenRespond(400, "invalid_payload rk=0123456789abcdef0123456789abcdef via /castai?token=hook-token");
        service.postEvent("""
                {"id": "added-prod-relay", "eventType": "node.added", "clusterName": "production-eu",
                 "data": {"nodeName": "ip-10-1-2-4"}}
                """);
        await().atMost(Duration.ofSeconds(10)).until(() -> !log.linesContaining(
                "slack delivery of event added-prod-relay failed permanently").isEmpty());

        JsonNode deadLetters = JSON.readTree(service.send("GET", "/admin/dead-letters?channel=slack&order=newest", null,
                "Authorization", "Bearer " + ADMIN_TOKEN).body()).get("deadLetters");
        assertThat(deadLetters).anySatisfy(dead -> {
            assertThat(dead.get("eventId").asText()).isEqualTo("added-prod-relay");
            assertThat(dead.get("lastResponse").asText()).isEqualTo("HTTP 400: invalid_payload rk=<secret> via <secret>");
        });
    }

    @Test
    void noSecretReachesTheLog() {
        service.postEvent(fixture("events/node-spot-interrupted.json").replace("b8e6f0a2", "0a0a0a0a"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !log.linesContaining("Spot instance interrupted").isEmpty());
        // its PagerDuty send too: else it lands in the next test, after that test's reset
        pagerDuty.awaitRequests(1);
        assertThat(log.text()).doesNotContain("0123456789abcdef0123456789abcdef", "mail-password", "hook-token",
                hookSecret.substring(6), "/services/T000/B000/finops");
    }
}
