package io.castai.events.channels;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.intake.EventTime;
import io.castai.events.intake.NotificationEvent;

/**
 * Slack incoming-webhook messages: the rendered template as the fallback {@code text}, and Block
 * Kit blocks: the message (one section per paragraph), the cluster, node, instance type and
 * lifecycle as fields, and a link to the cluster in the CAST AI console. Slack's limits are kept by
 * cutting with a marker, never by failing: 3,000 characters per section, 50 blocks per message.
 * Posted with camel-http rather than camel-slack: camel-slack turns every non-2xx answer into a
 * bare exception, losing the status and Retry-After the retry policy needs.
 */
public class SlackChannel implements JsonChannel {
    static final int MAX_TEXT = 40_000;
    static final int MAX_SECTION = 3_000;
    static final int MAX_FIELD = 2_000;
    static final int MAX_BLOCKS = 50;
    static final String CUT = "… (truncated)";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A blank line between paragraphs (compiled once: String.split compiles it on every call). */
    private static final Pattern PARAGRAPH_BREAK = Pattern.compile("\\n\\s*\\n");
    /** The start of an entity at the end of a cut text: "&", "&a", "&am", "&lt", ... */
    private static final Pattern PARTIAL_ENTITY = Pattern.compile("&[a-z]{0,3}$");

    private final Channels channels;
    private final ConsoleLink console;

    public SlackChannel(Channels channels, ConsoleLink console) {
        this.channels = channels;
        this.console = console;
    }

    @Override
    public String url(String channel) {
        return channels.get(channel).text("webhookUrl");
    }

    @Override
    public String body(String channel, NotificationEvent event, String message) throws JsonProcessingException {
        return payload(event, message);
    }

    public String payload(NotificationEvent event, String message) throws JsonProcessingException {
        String text = message == null ? "" : message;
        List<Object> tail = new ArrayList<>();
        List<Map<String, Object>> fields = fields(event);
        if (!fields.isEmpty()) {
            tail.add(Map.of("type", "section", "fields", fields));
        }
        List<Object> context = new ArrayList<>();
        String time = eventTime(event.getTimestamp());
        if (time != null) {
            context.add(mrkdwn(time));
        }
        String link = console.forCluster(event);
        String linkText = link == null ? null : "<" + link + "|Open the cluster in the CAST AI console>";
        // over Slack's limit for a context element only with a cluster id no CAST AI cluster has:
        // left out, as cut it would point nowhere, and kept it would have the message refused for good
        if (linkText != null && linkText.length() <= MAX_SECTION) {
            context.add(mrkdwn(linkText));
        }
        if (!context.isEmpty()) {
            tail.add(Map.of("type", "context", "elements", context));
        }
        List<Object> blocks = new ArrayList<>();
        // a paragraph of spaces Slack may not count (no-break, ideographic) would be an empty section, refused
        List<String> paragraphs = PARAGRAPH_BREAK.splitAsStream(text.strip()).filter(p -> !blankToSlack(p))
                .flatMap(paragraph -> inSections(paragraph).stream()).toList();
        int room = MAX_BLOCKS - tail.size();
        for (int i = 0; i < paragraphs.size(); i++) {
            if (i == room - 1 && paragraphs.size() > room) {
                blocks.add(section("… (" + (paragraphs.size() - i) + " more paragraphs truncated)"));
                break;
            }
            blocks.add(section(cut(paragraphs.get(i), MAX_SECTION)));
        }
        blocks.addAll(tail);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("text", cut(text, MAX_TEXT));
        body.put("blocks", blocks);
        return JSON.writeValueAsString(body);
    }

    /**
     * When the event happened, in each reader's own time zone ({@code <!date^...>}): Slack shows
     * only when it was posted, and a retried delivery may be posted hours later. Null for a
     * timestamp that is not an ISO 8601 time ({@link EventTime}).
     */
    static String eventTime(String timestamp) {
        Instant at = EventTime.parse(timestamp);
        return at == null ? null
                : "<!date^" + at.getEpochSecond() + "^Event time: {date_short_pretty} at {time}|Event time: " + at + ">";
    }

    private static List<Map<String, Object>> fields(NotificationEvent event) {
        List<Map<String, Object>> fields = new ArrayList<>();
        field(fields, "Cluster", event.getClusterName() != null ? event.getClusterName() : event.getClusterId());
        field(fields, "Node", event.detail("nodeName"));
        field(fields, "Instance type", event.detail("instanceType"));
        field(fields, "Lifecycle", event.detail("lifecycle"));
        return fields;
    }

    private static void field(List<Map<String, Object>> fields, String label, String value) {
        if (value != null && !value.isBlank()) {
            fields.add(mrkdwn(cut("*" + label + "*\n" + escape(value), MAX_FIELD)));
        }
    }

    private static Map<String, Object> section(String text) {
        return Map.of("type", "section", "text", mrkdwn(text));
    }

    /**
     * Verbatim: Slack otherwise parses a bare {@code @here} or {@code #channel} in a sender's text
     * into a mention, and links URLs; the {@code <...>} this service writes itself still works.
     */
    private static Map<String, Object> mrkdwn(String text) {
        return Map.of("type", "mrkdwn", "text", text, "verbatim", true);
    }

    /**
     * Slack reads {@code <...>} as a link or a mention ({@code <!channel>}) and {@code &} as the
     * start of an entity: a sender's text is escaped so it shows as written and pings nobody.
     * Bidirectional embeddings, overrides and isolates (U+202A to U+202E, U+2066 to U+2069) are
     * left out: one in a node's name shows the rest of the line reversed, a name not the one sent.
     */
    static String escape(String text) {
        if (text == null || text.chars().noneMatch(c -> c == '&' || c == '<' || c == '>' || isBidiControl(c))) {
            return text;
        }
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        text.chars().forEach(c -> {
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                default -> {
                    if (!isBidiControl(c)) {
                        escaped.append((char) c);
                    }
                }
            }
        });
        return escaped.toString();
    }

    private static boolean isBidiControl(int c) {
        return c >= '\u202A' && c <= '\u202E' || c >= '\u2066' && c <= '\u2069';
    }

    /** The event as a Slack template sees it: every text a sender wrote escaped (the template's own markup is not). */
    @SuppressWarnings("unchecked")
    static NotificationEvent escaped(NotificationEvent event) {
        return new NotificationEvent(escape(event.getId()), event.getType(), event.getSeverity(), escape(event.getClusterId()),
                escape(event.getClusterName()), escape(event.getTimestamp()), escape(event.getTitle()),
                escape(event.getSummary()), (Map<String, Object>) escapeAll(event.getDetails()), event.getOrigin());
    }

    /** Texts at any depth of the details (a console notification's Details may nest). */
    private static Object escapeAll(Object value) {
        if (value instanceof String text) {
            return escape(text);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> escaped = new LinkedHashMap<>();
            // the keys too: a template may list them (slack.ftl does, for the details it has no field for)
            map.forEach((name, item) -> escaped.put(escape(String.valueOf(name)), escapeAll(item)));
            return escaped;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(SlackChannel::escapeAll).toList();
        }
        return value;
    }

    /**
     * A paragraph longer than a section, at its line breaks, in as few sections as hold it (a
     * console notification's many details are one paragraph): cut at 3,000 characters, the rest
     * of it was not shown, though the message had room for more sections. A line longer than a
     * section stays one, and is cut.
     */
    static List<String> inSections(String paragraph) {
        if (paragraph.length() <= MAX_SECTION) {
            return List.of(paragraph);
        }
        List<String> sections = new ArrayList<>();
        StringBuilder section = new StringBuilder();
        for (String line : paragraph.split("\r?\n")) {
            if (!section.isEmpty() && section.length() + 1 + line.length() > MAX_SECTION) {
                sections.add(section.toString());
                section.setLength(0);
            }
            section.append(section.isEmpty() ? "" : "\n").append(line);
        }
        sections.add(section.toString());
        sections.removeIf(SlackChannel::blankToSlack);
        return sections;
    }

    /** Spaces only, no-break ones too: Slack refuses such a section as empty. */
    private static boolean blankToSlack(String text) {
        return text.replace('\u00a0', ' ').isBlank();
    }

    static String cut(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        // not inside an entity (&amp; cut to "&am" would show as written)
        String cut = Shortened.to(text, max, CUT);
        String kept = cut.substring(0, cut.length() - CUT.length());
        return PARTIAL_ENTITY.matcher(kept).replaceFirst("") + CUT;
    }
}
