package io.castai.events.intake;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.support.LogCapture;
import org.junit.jupiter.api.Test;

import static io.castai.events.support.RunningService.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventParserTest {
    private final EventParser parser = new EventParser();

    private NotificationEvent parse(String json, String webhookId, String idempotencyKey) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8), webhookId, idempotencyKey);
    }

    @Test
    void aCanonicalEventKeepsItsFields() {
        NotificationEvent event = parse(fixture("events/node-spot-interrupted.json"), null, null);

        assertThat(event.getId()).isEqualTo("b8e6f0a2-2d35-4b8e-8f0c-5b1e9c6d4a10");
        assertThat(event.getType()).isEqualTo("node.spot_interrupted");
        assertThat(event.getSeverity()).isEqualTo(Severity.WARNING);
        assertThat(event.getClusterId()).isEqualTo("4d2f1b3e-7c1a-4e59-9a3b-2f6c8d0e1a77");
        assertThat(event.getClusterName()).isEqualTo("staging-us-east");
        assertThat(event.getTimestamp()).isEqualTo("2026-10-02T16:12:45Z");
        assertThat(event.detail("instanceType")).isEqualTo("r6a.2xlarge");
        assertThat(event.getSummary())
                .isEqualTo("node.spot_interrupted: node ip-10-0-9-88.ec2.internal in cluster staging-us-east");
        assertThat(event.getOrigin()).isEqualTo(NotificationEvent.ORIGIN_EVENT);
    }

    @Test
    void aConsoleNotificationBecomesTheSameShape() {
        NotificationEvent event = parse(fixture("events/console-notification.json"), null, null);

        assertThat(event.getId()).isEqualTo("0f7c2b9e-5a41-4d1e-b0f3-6e2d9a8c7b15");
        assertThat(event.getType()).isEqualTo("notification");
        assertThat(event.getSeverity()).isEqualTo(Severity.CRITICAL);
        assertThat(event.getTitle()).isEqualTo("Cluster controller not responding");
        assertThat(event.getSummary()).startsWith("Cluster controller in cluster staging-us-east");
        assertThat(event.getClusterName()).isEqualTo("staging-us-east");
        assertThat(event.detail("component")).isEqualTo("castai-cluster-controller");
        assertThat(event.detail("providerType")).isEqualTo("eks");
        assertThat(event.getOrigin()).isEqualTo(NotificationEvent.ORIGIN_CONSOLE);
    }

    @Test
    void aBlankClusterIdOrNameIsNone() {
        // PagerDuty got a group of spaces, Slack "in cluster " and nothing after it
        NotificationEvent event = parse("{\"eventType\":\"savings.threshold\",\"clusterId\":\" \",\"clusterName\":\"\"}",
                null, null);
        assertThat(event.getClusterId()).isNull();
        assertThat(event.getClusterName()).isNull();
        NotificationEvent console = parse("{\"Name\":\"n\",\"Cluster\":{\"ID\":\"\\t\",\"Name\":\"  \"}}", null, null);
        assertThat(console.getClusterId()).isNull();
        assertThat(console.getClusterName()).isNull();
    }

    /** As CAST AI's console fills the recommended template in: the message's line breaks and tabs as they are. */
    @Test
    void aConsoleMessageOfSeveralLinesIsReadAsItCame() {
        NotificationEvent event = parse("{\"Name\":\"Nodes\tnot ready\",\"Message\":\"2 nodes:\r\n- a\n- b\"}", null, null);

        assertThat(event.getTitle()).as("a title is one line").isEqualTo("Nodes not ready");
        assertThat(event.getSummary()).isEqualTo("2 nodes:\r\n- a\n- b");
    }

    @Test
    void aConsoleSeverityThisServiceDoesNotKnowIsAWarningWithTheOriginalInItsDetails() {
        NotificationEvent event = parse("{\"Name\":\"n\",\"Severity\":\"Notice\"}", null, null);
        assertThat(event.getSeverity()).isEqualTo(Severity.WARNING);
        assertThat(event.detail("severity")).isEqualTo("Notice");

        assertThat(parse("{\"Name\":\"n\",\"Severity\":7}", null, null).getSeverity()).isEqualTo(Severity.WARNING);
        assertThat(parse("{\"Name\":\"n\",\"Severity\":\"\"}", null, null).getSeverity()).as("none given").isEqualTo(Severity.INFO);
        assertThat(parse("{\"Name\":\"n\",\"Severity\":\"error\"}", null, null).getSeverity()).isEqualTo(Severity.ERROR);
    }

    @Test
    void detailsSentAsAJsonStringAreUnpacked() {
        NotificationEvent event = parse("{\"Name\":\"n\",\"Details\":\"{\\\"component\\\":\\\"agent\\\"}\"}", null, null);

        assertThat(event.detail("component")).isEqualTo("agent");
    }

    @Test
    void theKeyIsTheIdThenTheNotificationIdThenADeliveryHeaderThenAHash() {
        assertThat(parse("{\"eventType\":\"a\",\"id\":\"e-1\"}", "w-1", "k-1").getId()).isEqualTo("e-1");
        assertThat(parse("{\"Name\":\"a\",\"NotificationID\":\"n-1\"}", "w-1", "k-1").getId()).isEqualTo("n-1");
        assertThat(parse("{\"eventType\":\"a\"}", "w-1", "k-1").getId()).isEqualTo("w-1");
        assertThat(parse("{\"eventType\":\"a\"}", null, "k-1").getId()).isEqualTo("k-1");
        assertThat(parse("{\"eventType\":\"a\"}", " ", null).getId()).startsWith("sha256:").hasSize(71);
    }

    @Test
    void theHashIgnoresKeyOrderAndWhiteSpaceButNotContent() {
        String a = parse("{\"eventType\":\"a\",\"data\":{\"x\":1,\"y\":2}}", null, null).getId();
        String b = parse("{ \"data\" : { \"y\":2, \"x\":1 }, \"eventType\" : \"a\" }", null, null).getId();
        String c = parse("{\"eventType\":\"a\",\"data\":{\"x\":1,\"y\":3}}", null, null).getId();

        assertThat(a).isEqualTo(b).isNotEqualTo(c);
    }

    @Test
    void theHashIgnoresHowAWholeNumberIsWritten() {
        String integer = parse("{\"eventType\":\"savings.threshold\",\"data\":{\"savingsImpact\":100,\"list\":[2]}}", null, null).getId();
        for (String written : new String[] {"100.0", "1e2", "100.00"}) {
            assertThat(parse("{\"eventType\":\"savings.threshold\",\"data\":{\"savingsImpact\":" + written + ",\"list\":[2.0]}}",
                    null, null).getId()).as(written).isEqualTo(integer);
        }
        assertThat(parse("{\"eventType\":\"savings.threshold\",\"data\":{\"savingsImpact\":100.5,\"list\":[2]}}", null, null)
                .getId()).isNotEqualTo(integer);
        assertThat(parse("{\"eventType\":\"savings.threshold\",\"data\":{\"savingsImpact\":\"100\",\"list\":[2]}}", null, null)
                .getId()).as("a string is not a number").isNotEqualTo(integer);
    }

    @Test
    void theHashOfAnEventWithoutSmallWholeFloatsIsTheOneEarlierVersionsStored() throws Exception {
        // a repeat sent across an upgrade is still a duplicate
        // large doubles too: whole, but left as they were (1e308 as an integer would be 309 digits)
        String body = "{\"eventType\":\"a\",\"data\":{\"x\":1,\"ratio\":0.25,\"big\":12345678901234567890,"
                + "\"huge\":1e308,\"past\":123456789012345678901234567890.5,\"max\":1.7976931348623157e308,"
                + "\"name\":\"n\",\"ok\":true,\"none\":null,\"list\":[1,\"two\",{\"b\":1,\"a\":2}]}}";
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        byte[] earlier = com.fasterxml.jackson.databind.json.JsonMapper.builder()
                .enable(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build()
                .writeValueAsBytes(json.readValue(body, java.util.LinkedHashMap.class));

        assertThat(parse(body, null, null).getId())
                .isEqualTo("sha256:" + java.util.HexFormat.of().formatHex(io.castai.events.security.Sha256.of(earlier)));
    }

    /** What a templating sender writes for a value it does not have: Go's "<no value>", or an empty string. */
    @Test
    void aTemplatesEmptyValueIsNoValue() {
        String console = "{\"NotificationID\":\"<no value>\",\"Severity\":\"<no value>\",\"Name\":\"%s\","
                + "\"Timestamp\":\"<no value>\",\"Details\":\"<no value>\",\"Cluster\":{\"ID\":\"<no value>\"}}";
        NotificationEvent a = parse(console.formatted("Cluster A down"), null, null);
        NotificationEvent b = parse(console.formatted("Cluster B down"), null, null);
        assertThat(a.getId()).as("not one id for every notification").startsWith("sha256:").isNotEqualTo(b.getId());
        assertThat(a.getSeverity()).isEqualTo(Severity.INFO);
        assertThat(a.getTimestamp()).isNull();
        assertThat(a.getClusterId()).isNull();
        assertThat(a.getDetails()).isEmpty();

        NotificationEvent canonical = parse("{\"eventType\":\"node.spot_interrupted\",\"severity\":\"\","
                + "\"data\":{\"nodeName\":\" \",\"instanceType\":\"\",\"savingsImpact\":\"\"}}", null, null);
        assertThat(canonical.getSeverity()).as("the type's own").isEqualTo(Severity.WARNING);
        assertThat(canonical.getDetails()).isEmpty();
        assertThat(canonical.getSummary()).isEqualTo("node.spot_interrupted");

        NotificationEvent noValues = parse("{\"eventType\":\"node.spot_interrupted\",\"id\":\" <no value> \","
                + "\"severity\":\"<no value>\",\"data\":{\"nodeName\":\"<no value>\",\"savingsImpact\":\"<no value>\"}}",
                null, null);
        assertThat(noValues.getId()).startsWith("sha256:");
        assertThat(noValues.getSeverity()).isEqualTo(Severity.WARNING);
        assertThat(noValues.getDetails()).isEmpty();
    }

    /** Refused, a console notification is lost: CAST AI does not retry. */
    @Test
    void aConsoleNotificationWhoseNameTheTemplateLeftOutIsStillTaken() {
        NotificationEvent event = parse("{\"Name\":\"<no value>\",\"Message\":\"cluster A down\"}", null, null);
        assertThat(event.getTitle()).isEqualTo(EventParser.UNNAMED);
        assertThat(event.getSummary()).isEqualTo("cluster A down");
    }

    @Test
    void anUnsetTimeIsNoneButAnUnreadableOneIsKeptAsWritten() {
        assertThat(parse("{\"Name\":\"n\",\"Timestamp\":\"0001-01-01T00:00:00Z\"}", null, null).getTimestamp()).isNull();
        assertThat(parse("{\"eventType\":\"a\",\"timestamp\":\"Fri Oct  2 16:15:02 UTC 2026\"}", null, null)
                .getTimestamp()).isEqualTo("Fri Oct  2 16:15:02 UTC 2026");
        // Go's default form is read, and kept as written too; its zero time is none
        assertThat(parse("{\"Name\":\"n\",\"Timestamp\":\"2026-10-02 16:15:02 +0000 UTC\"}", null, null)
                .getTimestamp()).isEqualTo("2026-10-02 16:15:02 +0000 UTC");
        assertThat(parse("{\"Name\":\"n\",\"Timestamp\":\"0001-01-01 00:00:00 +0000 UTC\"}", null, null)
                .getTimestamp()).isNull();
    }

    @Test
    void aSeverityWithSpacesAroundItIsRead() {
        // a template's line break after {{ .Severity }}: taken as unknown, a CRITICAL one would page nobody
        assertThat(parse("{\"Name\":\"n\",\"Severity\":\" critical\\n\"}", null, null).getSeverity()).isEqualTo(Severity.CRITICAL);
        assertThat(parse("{\"eventType\":\"a\",\"severity\":\"error \"}", null, null).getSeverity()).isEqualTo(Severity.ERROR);
    }

    @Test
    void anEventTypeIsAtMost128Characters() {
        assertThat(parse("{\"eventType\":\"" + "a".repeat(128) + "\"}", null, null).getType()).hasSize(128);
        assertThatThrownBy(() -> parse("{\"eventType\":\"" + "a".repeat(129) + "\"}", null, null))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("at most 128 of them");
    }

    /** README's request template (the fixture is a copy of it), filled in as Go's templates fill it. */
    @Test
    void readmesConsoleTemplateFilledInIsReadWhateverTheTextHolds() throws Exception {
        String template = fixture("events/console-request-template.txt");
        ObjectMapper json = new ObjectMapper();
        String body = template.replace("{{ .NotificationID }}", "n-template").replace("{{ .OrganizationID }}", "o-1")
                .replace("{{ .Severity }}", "ERROR")
                .replace("{{ toJSON .Name }}", json.writeValueAsString("Pod \"api-7f9\" cannot be scheduled"))
                .replace("{{ toJSON .Message }}", json.writeValueAsString("C:\\tmp\n\"quoted\""))
                .replace("{{ toJSON .Details }}", "{\"node\":\"n1\"}")
                .replace("{{ toISO8601 .Timestamp }}", "2026-10-02T16:15:02Z")
                .replace("{{ toJSON .Cluster }}", "{\"ID\":\"c-1\",\"Name\":\"prod\"}");
        assertThat(body).as("every placeholder of the template filled").doesNotContain("{{");

        NotificationEvent event = parse(body, null, null);
        assertThat(event.getTitle()).isEqualTo("Pod \"api-7f9\" cannot be scheduled");
        assertThat(event.getSummary()).isEqualTo("C:\\tmp\n\"quoted\"");
        assertThat(event.getId()).isEqualTo("n-template");
    }

    /** README's template writes Name and Message with toJSON: a quote or backslash in them stays text. */
    @Test
    void aConsoleNotificationFilledInWithToJsonKeepsItsQuotes() {
        NotificationEvent event = parse("{\"NotificationID\":\"n-1\",\"Severity\":\"ERROR\","
                + "\"Name\":\"Pod \\\"api-7f9\\\" cannot be scheduled\",\"Message\":\"path C:\\\\tmp\"}", null, null);
        assertThat(event.getTitle()).isEqualTo("Pod \"api-7f9\" cannot be scheduled");
        assertThat(event.getSummary()).isEqualTo("path C:\\tmp");
    }

    @Test
    void aSavingsImpactSentAsTextIsTheNumberItHolds() {
        for (String written : new String[] {"\"12.3456\"", "\" 12.3456 \"", "12.3456", "\"1.23456e1\"", "\"0012.3456\"", "\"+12.3456\""}) {
            NotificationEvent event = parse("{\"eventType\":\"savings.threshold\",\"data\":{\"savingsImpact\":"
                    + written + "}}", null, null);
            assertThat(event.getDetails().get("savingsImpact")).as(written).isInstanceOf(Number.class)
                    .extracting(number -> ((Number) number).doubleValue()).isEqualTo(12.3456);
        }
        // past Jackson's 1,000 digits for a number, as text: read all the same, not a 500
        assertThat(parse("{\"eventType\":\"s\",\"data\":{\"savingsImpact\":\"0." + "0".repeat(1200) + "1\"}}", null, null)
                .getDetails().get("savingsImpact")).isInstanceOf(java.math.BigDecimal.class);
        assertThatThrownBy(() -> parse("{\"eventType\":\"s\",\"data\":{\"savingsImpact\":\"1e400\"}}", null, null))
                .isInstanceOf(InvalidEventException.class).hasMessage("'data.savingsImpact' is out of range");
        // a double of 0, but no BigDecimal: was a 500 and an ERROR line per request
        assertThatThrownBy(() -> parse("{\"eventType\":\"s\",\"data\":{\"savingsImpact\":\"1e-9999999999\"}}", null, null))
                .isInstanceOf(InvalidEventException.class).hasMessage("'data.savingsImpact' is out of range");
    }

    @Test
    void consoleDetailsThatAreNoObjectAreKeptAsText() {
        assertThat(parse("{\"Name\":\"n\",\"Details\":[\"a\",2]}", null, null).detail("text")).isEqualTo("[\"a\",2]");
        assertThat(parse("{\"Name\":\"n\",\"Details\":42}", null, null).detail("text")).isEqualTo("42");
    }

    @Test
    void anUnknownConsoleSeverityIsKeptBesideTheDetailsOwnSeverity() {
        NotificationEvent event = parse("{\"Name\":\"n\",\"Severity\":\"fatal\",\"Details\":{\"severity\":\"low\"}}",
                null, null);
        assertThat(event.detail("severity")).isEqualTo("low");
        assertThat(event.detail("consoleSeverity")).isEqualTo("fatal");
        assertThat(parse("{\"Name\":\"n\",\"Severity\":\"fatal\",\"Details\":{\"severity\":\"low\",\"consoleSeverity\":\"mine\"}}",
                null, null).detail("consoleSeverity")).as("the sender's own").isEqualTo("mine");
    }

    @Test
    void aDataFieldAtTheTopLevelIsAcceptedAndWarnedOfOnce() {
        try (LogCapture log = LogCapture.attach()) {
            for (int i = 0; i < 3; i++) {
                NotificationEvent event = parse("{\"eventType\":\"node.added\",\"nodeName\":\"n-" + i + "\"}", null, null);
                assertThat(event.getSummary()).isEqualTo("node.added");
            }
            assertThat(log.linesContaining("has 'nodeName' at its top level, where it is not read: it belongs in 'data'"))
                    .hasSize(1);
        }
    }

    @Test
    void aCanonicalEventMayCarryItsOwnSeverity() {
        assertThat(parse("{\"eventType\":\"a\",\"severity\":\"critical\"}", null, null).getSeverity())
                .isEqualTo(Severity.CRITICAL);
        assertThat(parse("{\"eventType\":\"a\"}", null, null).getSeverity()).isEqualTo(Severity.INFO);
    }

    @Test
    void nestedClusterMustBeAnObject() {
        assertThatThrownBy(() -> parse("{\"Name\":\"n\",\"Cluster\":\"c\"}", null, null))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("'Cluster' must be an object, not a string");
    }
}
