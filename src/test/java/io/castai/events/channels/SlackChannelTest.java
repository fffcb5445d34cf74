package io.castai.events.channels;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.intake.NotificationEvent;
import io.castai.events.intake.Severity;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Slack's limits are kept by cutting with a marker, never by failing. */
class SlackChannelTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SlackChannel slack = new SlackChannel(null, new ConsoleLink("https://console.cast.ai"));
    private final NotificationEvent event = new NotificationEvent("e-1", "notification", Severity.ERROR, "c-1", "prod",
            "2026-11-27T00:00:00Z", "Title", "Summary", Map.of("nodeName", "n-1"), NotificationEvent.ORIGIN_CONSOLE);

    @Test
    void aSendersTextShowsAsWrittenPingsNobodyAndIsNotTurnedAround() {
        assertThat(SlackChannel.escape("<!channel> a&b")).isEqualTo("&lt;!channel&gt; a&amp;b");
        // "node-\u202Eexe.gpj" would show as "node-jpg.exe"
        assertThat(SlackChannel.escape("node-\u202Eexe.gpj\u202C \u2067x\u2069")).isEqualTo("node-exe.gpj x");
        assertThat(SlackChannel.escape("plain ünïcode ✓")).isEqualTo("plain ünïcode ✓");
    }

    @Test
    void theEventTimeIsShownOnlyWhenItIsOne() {
        assertThat(SlackChannel.eventTime("2026-11-27T09:00:00+0100"))
                .isEqualTo("<!date^1795766400^Event time: {date_short_pretty} at {time}|Event time: 2026-11-27T08:00:00Z>");
        assertThat(SlackChannel.eventTime("0001-01-01T00:00:00Z")).as("Go's zero time: none set").isNull();
        assertThat(SlackChannel.eventTime("yesterday")).isNull();
        assertThat(SlackChannel.eventTime("2026-02-30T00:00:00Z")).as("no such day").isNull();
        assertThat(SlackChannel.eventTime("2026-10-02T24:00:00Z")).isNull();
    }

    @Test
    void aLongParagraphIsCutAt3000CharactersWithAMarker() throws Exception {
        JsonNode body = JSON.readTree(slack.payload(event, "x".repeat(5000)));

        String section = body.get("blocks").get(0).get("text").get("text").asText();
        assertThat(section).hasSize(3000).endsWith("… (truncated)");
        assertThat(body.get("text").asText()).hasSize(5000);
    }

    @Test
    void aLongParagraphOfManyLinesTakesAsManySectionsAsItNeeds() throws Exception {
        // a console notification's 80 details are one paragraph of 80 lines, 8,000 characters
        String details = java.util.stream.IntStream.range(0, 80).mapToObj(i -> "*k" + i + ":* " + "v".repeat(92))
                .collect(java.util.stream.Collectors.joining("\n"));
        JsonNode blocks = JSON.readTree(slack.payload(event, "Title\n\n" + details)).get("blocks");

        StringBuilder shown = new StringBuilder();
        for (int i = 1; i < blocks.size() && blocks.get(i).has("text"); i++) {
            String section = blocks.get(i).get("text").get("text").asText();
            assertThat(section.length()).as("cut at a line break, not truncated").isLessThanOrEqualTo(3000);
            assertThat(section).doesNotContain("(truncated)");
            shown.append(shown.isEmpty() ? "" : "\n").append(section);
        }
        assertThat(shown.toString()).as("every detail shown").isEqualTo(details);
    }

    @Test
    void aLongParagraphsPartsAreNeverBlankNorCutForTheirLineEnds() {
        String a = "a".repeat(2999);
        String b = "b".repeat(2999);
        assertThat(SlackChannel.inSections(a + "\n\u00a0\n" + b)).as("a blank part left out").containsExactly(a, b);
        String full = "c".repeat(3000);
        assertThat(SlackChannel.inSections(full + "\r\n" + b)).as("CRLF: a line of 3,000 is a whole section").containsExactly(full, b);
    }

    @Test
    void aCutNeverSplitsAnEmojiInTwo() throws Exception {
        // the cut for the marker falls between the two UTF-16 units of the emoji
        String message = "x".repeat(3000 - SlackChannel.CUT.length() - 1) + "\uD83D\uDE80" + "y".repeat(100);

        String section = JSON.readTree(slack.payload(event, message)).get("blocks").get(0).get("text").get("text").asText();

        assertThat(section).endsWith(SlackChannel.CUT).hasSizeLessThanOrEqualTo(3000);
        assertThat(section.codePoints().filter(cp -> Character.getType(cp) == Character.SURROGATE).count()).as("half an emoji").isZero();
    }

    @Test
    void aCutNeverEndsInsideAnEntity() {
        for (int shift = 0; shift < 5; shift++) {
            String text = "x".repeat(3000 - SlackChannel.CUT.length() - shift) + "&amp;".repeat(10);

            String cut = SlackChannel.cut(text, 3000);

            assertThat(cut).hasSizeLessThanOrEqualTo(3000).endsWith(SlackChannel.CUT);
            assertThat(cut.substring(0, cut.length() - SlackChannel.CUT.length())).as("shift " + shift).matches("x*(&amp;)*");
        }
    }

    @Test
    void manyParagraphsStayWithin50BlocksAndSaySoWhenCut() throws Exception {
        String message = String.join("\n\n", java.util.Collections.nCopies(80, "paragraph"));

        JsonNode blocks = JSON.readTree(slack.payload(event, message)).get("blocks");

        assertThat(blocks).hasSize(50);
        // 48 = 50 minus the fields and the console link: 47 paragraphs and the marker
        assertThat(blocks.get(47).get("text").get("text").asText()).isEqualTo("… (33 more paragraphs truncated)");
        assertThat(blocks.get(48).get("fields")).isNotNull();
        assertThat(blocks.get(49).get("type").asText()).isEqualTo("context");
    }

    @Test
    void aShortMessageIsOneSectionWithFields() throws Exception {
        JsonNode blocks = JSON.readTree(slack.payload(event, "Hello")).get("blocks");

        assertThat(blocks).hasSize(3);
        assertThat(blocks.get(0).get("text").get("text").asText()).isEqualTo("Hello");
        assertThat(blocks.get(1).get("fields").findValuesAsText("text")).containsExactly("*Cluster*\nprod", "*Node*\nn-1");
    }

    @Test
    void aSendersTextMentionsNobodyAndLinksNowhere() throws Exception {
        NotificationEvent hostile = new NotificationEvent("<!everyone>", "node.added", Severity.INFO, "c-1|x>",
                "<!channel> <https://evil.example|prod>", null, "a < b & c", "s",
                Map.of("nodeName", "<!here>", "labels", Map.of("team", "<!here>"), "tags", List.of("<!channel>")),
                NotificationEvent.ORIGIN_EVENT);

        JsonNode blocks = JSON.readTree(slack.payload(hostile, "Hello")).get("blocks");

        assertThat(blocks.get(1).get("fields").findValuesAsText("text")).containsExactly(
                "*Cluster*\n&lt;!channel&gt; &lt;https://evil.example|prod&gt;", "*Node*\n&lt;!here&gt;");
        assertThat(blocks.get(2).get("elements").get(0).get("text").asText())
                .isEqualTo("<https://console.cast.ai/external-clusters/c-1%7Cx%3E|Open the cluster in the CAST AI console>");
        NotificationEvent seenByTheTemplate = SlackChannel.escaped(hostile);
        assertThat(seenByTheTemplate.getClusterName()).isEqualTo("&lt;!channel&gt; &lt;https://evil.example|prod&gt;");
        assertThat(seenByTheTemplate.getTitle()).isEqualTo("a &lt; b &amp; c");
        assertThat(seenByTheTemplate.detail("nodeName")).isEqualTo("&lt;!here&gt;");
        assertThat(seenByTheTemplate.getId()).isEqualTo("&lt;!everyone&gt;");
        assertThat(seenByTheTemplate.getDetails().get("labels")).isEqualTo(Map.of("team", "&lt;!here&gt;"));
        assertThat(seenByTheTemplate.getDetails().get("tags")).isEqualTo(List.of("&lt;!channel&gt;"));
    }

    @Test
    void everyTextIsVerbatimSoABareMentionStaysText() throws Exception {
        // without it Slack parses a bare @here or #channel in a sender's text into a mention
        JsonNode blocks = JSON.readTree(slack.payload(event, "@here node n-1 is #down")).get("blocks");

        assertThat(blocks.findValues("verbatim")).hasSize(5).allMatch(JsonNode::asBoolean);
        assertThat(blocks.get(0).get("text").get("text").asText()).isEqualTo("@here node n-1 is #down");
    }

    @Test
    void aParagraphOfOnlySpacesIsNoSection() throws Exception {
        JsonNode blocks = JSON.readTree(slack.payload(event, "a\n\n\u3000\n\n\u00a0\n\nb")).get("blocks");

        assertThat(blocks.get(0).get("text").get("text").asText()).isEqualTo("a");
        assertThat(blocks.get(1).get("text").get("text").asText()).isEqualTo("b");
        assertThat(blocks.get(2).get("fields")).as("then the fields: no section between").isNotNull();
    }

    @Test
    void aConsoleLinkOverSlacksLimitForAContextElementIsLeftOut() throws Exception {
        NotificationEvent longId = new NotificationEvent("e-4", "node.added", Severity.INFO, "c".repeat(4000), "prod",
                "2026-11-27T00:00:00Z", "t", "s", Map.of(), NotificationEvent.ORIGIN_EVENT);

        JsonNode body = JSON.readTree(slack.payload(longId, "New node"));
        JsonNode context = body.get("blocks").get(body.get("blocks").size() - 1);
        assertThat(context.get("type").asText()).isEqualTo("context");
        assertThat(context.get("elements")).hasSize(1).allSatisfy(element ->
                assertThat(element.get("text").asText()).hasSizeLessThanOrEqualTo(3000).doesNotContain("console"));
        assertThat(JSON.readTree(slack.payload(event, "New node")).toString()).as("an ordinary id keeps its link")
                .contains("Open the cluster in the CAST AI console");
    }

    @Test
    void theConsoleLinkEncodesTheClusterIdAsAPathSegment() {
        NotificationEvent spaced = new NotificationEvent("e-3", "node.added", Severity.INFO, "a b/c", null, null, "t", "s",
                Map.of(), NotificationEvent.ORIGIN_EVENT);

        assertThat(new ConsoleLink("https://console.cast.ai/").forCluster(spaced))
                .isEqualTo("https://console.cast.ai/external-clusters/a%20b%2Fc");
    }
}
