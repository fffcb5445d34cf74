package io.castai.events.intake;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The one internal shape every input becomes: a canonical event, a CAST AI console webhook or
 * (later) a polled notification. Routes read it with Simple, e.g. {@code ${body.details[nodeName]}}.
 */
public final class NotificationEvent {
    /** Events posted in this service's canonical format carry this as their origin. */
    public static final String ORIGIN_EVENT = "event";
    /** CAST AI console notification webhooks and the notifications API. */
    public static final String ORIGIN_CONSOLE = "console";
    /** Polled from the CAST AI API: audit-log entries, savings summaries. */
    public static final String ORIGIN_API = "api";
    /** Watched Kubernetes events. */
    public static final String ORIGIN_KUBERNETES = "kubernetes";
    /** The event type given to every CAST AI console notification. */
    public static final String NOTIFICATION_TYPE = "notification";

    private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}\\u2028\\u2029]");
    /** What an event type may hold, as a regular expression's character class (a posted one is refused otherwise). */
    public static final String TYPE_CHARACTERS = "A-Za-z0-9_.:-";
    /** As long as an event type may be. */
    public static final int MAX_TYPE = 128;
    private static final Pattern NOT_IN_A_TYPE = Pattern.compile("[^" + TYPE_CHARACTERS + "]");

    /**
     * The type of an event another system named: {@code prefix} and its name, with what a posted
     * type may not hold made {@code _} ({@code <!channel>} in a name would have pinged a Slack channel)
     * and cut to a posted type's length.
     */
    public static String typeNamed(String prefix, String name) {
        String type = prefix + NOT_IN_A_TYPE.matcher(name).replaceAll("_");
        return type.length() > MAX_TYPE ? type.substring(0, MAX_TYPE) : type;
    }

    private final String id;
    private final String type;
    private final Severity severity;
    private final String clusterId;
    private final String clusterName;
    private final String timestamp;
    private final String title;
    private final String summary;
    private final Map<String, Object> details;
    private final String origin;
    /** Memoized by {@link #textLength()}: an event does not change. */
    private int textLength = -1;

    public NotificationEvent(String id, String type, Severity severity, String clusterId, String clusterName,
                             String timestamp, String title, String summary, Map<String, Object> details,
                             String origin) {
        this.id = id;
        this.type = type;
        this.severity = severity;
        this.clusterId = oneLine(clusterId);
        this.clusterName = oneLine(clusterName);
        this.timestamp = oneLine(timestamp);
        this.title = oneLine(title);
        this.summary = summary;
        this.details = details == null ? Map.of() : Collections.unmodifiableMap(details);
        this.origin = origin;
    }

    /**
     * A field meant as one line, with any line break or other control character made a space: a
     * sender's value can then neither add a header line to a mail (a template's Subject: line
     * holds the cluster and the title) nor a line to a log.
     */
    private static String oneLine(String value) {
        return value == null || value.chars().noneMatch(c -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029')
                ? value : CONTROL.matcher(value).replaceAll(" ");
    }

    /** The deduplication key: the sender's id, a delivery header, or a hash of the body. */
    public String getId() { return id; }

    public String getType() { return type; }

    public Severity getSeverity() { return severity; }

    public String getClusterId() { return clusterId; }

    public String getClusterName() { return clusterName; }

    public String getTimestamp() { return timestamp; }

    /** A short headline: the event type, or a console notification's Name. */
    public String getTitle() { return title; }

    /** One sentence saying what happened. */
    public String getSummary() { return summary; }

    /** Event-specific fields: the canonical {@code data} object, or a console notification's Details. */
    public Map<String, Object> getDetails() { return details; }

    public String getOrigin() { return origin; }

    /** A plain detail as text; "" when absent, or an object or list (a console notification's Details may nest). */
    public String detail(String name) {
        Object value = details.get(name);
        return value == null || value instanceof Map || value instanceof List ? "" : String.valueOf(value);
    }

    /**
     * The length of its text, details included: roughly the memory it holds, for what counts it
     * (a channel's queue is bounded by it with the message). Made once.
     */
    public int textLength() {
        int length = textLength;
        if (length < 0) {
            long sum = 0;
            for (String text : new String[] {id, type, clusterId, clusterName, timestamp, title, summary, origin}) {
                sum += lengthOf(text);
            }
            length = (int) Math.min(Integer.MAX_VALUE, sum + lengthOf(details));
            textLength = length;
        }
        return length;
    }

    /** A number, a boolean or a null as a few characters, as in its JSON. */
    private static long lengthOf(Object value) {
        if (value instanceof CharSequence text) {
            return text.length();
        }
        long sum = 0;
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                sum += lengthOf(entry.getKey()) + lengthOf(entry.getValue());
            }
            return sum;
        }
        if (value instanceof Iterable<?> items) {
            for (Object item : items) {
                sum += lengthOf(item);
            }
            return sum;
        }
        return 8;
    }

    @Override
    public String toString() {
        return "NotificationEvent[id=" + id + ", type=" + type + ", severity=" + severity
                + ", cluster=" + clusterName + "]";
    }
}
