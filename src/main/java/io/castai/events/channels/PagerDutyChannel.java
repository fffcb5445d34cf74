package io.castai.events.channels;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.intake.NotificationEvent;
import io.castai.events.security.Sha256;

/**
 * PagerDuty Events API v2: a {@code trigger} for each event, or a {@code resolve} for the event
 * types the channel lists in {@code resolveOn}. The {@code dedup_key} is per event, or with
 * {@code dedupBy: node} per cluster and node, so that e.g. a node.removed resolves the incident a
 * node.spot_interrupted opened. camel-http posts it.
 */
public class PagerDutyChannel implements JsonChannel {
    static final int MAX_SUMMARY = 1024;
    static final int MAX_DEDUP_KEY = 255;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Channels channels;
    private final ConsoleLink console;

    public PagerDutyChannel(Channels channels, ConsoleLink console) {
        this.channels = channels;
        this.console = console;
    }

    @Override
    public String url(String channel) {
        return channels.get(channel).text("eventsUrl");
    }

    /** The enqueue request: the routing key is in it, so it is never logged. */
    @Override
    public String body(String channel, NotificationEvent event, String summary) throws JsonProcessingException {
        ChannelConfig config = channels.get(channel);
        String dedupKey = dedupKey(event, config.text("dedupBy"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("routing_key", config.text("routingKey"));
        if (resolves(config, event)) {
            body.put("event_action", "resolve");
            body.put("dedup_key", dedupKey);
            return JSON.writeValueAsString(body);
        }
        body.put("event_action", "trigger");
        body.put("dedup_key", dedupKey);
        body.put("payload", alert(event, summary));
        body.put("client", "castai-events");
        String clusterLink = console.forCluster(event);
        if (clusterLink != null) {
            body.put("client_url", clusterLink);
            body.put("links", List.of(Map.of("href", clusterLink,
                    "text", "Cluster " + firstNonBlank(event.getClusterName(), event.getClusterId(), "") + " in CAST AI")));
        }
        return JSON.writeValueAsString(body);
    }

    private static boolean resolves(ChannelConfig config, NotificationEvent event) {
        return event.getType() != null && config.list("resolveOn").stream()
                .anyMatch(glob -> RoutingRule.glob(glob).matcher(event.getType()).matches());
    }

    static Map<String, Object> alert(NotificationEvent event, String summary) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("summary", truncate(summary == null || summary.isBlank() ? event.getSummary() : summary, MAX_SUMMARY));
        payload.put("source", firstNonBlank(event.getClusterName(), event.getClusterId(), "castai"));
        payload.put("severity", event.getSeverity().pagerDutySeverity());
        if (isIsoTimestamp(event.getTimestamp())) {
            payload.put("timestamp", event.getTimestamp());
        }
        String node = event.detail("nodeName");
        if (!node.isEmpty()) {
            payload.put("component", node);
        }
        if (event.getClusterName() != null) {
            payload.put("group", event.getClusterName());
        }
        payload.put("class", event.getType());
        payload.put("custom_details", customDetails(event));
        return payload;
    }

    /** One incident per event; or, by node, one per cluster and node (events without a node: per event). */
    static String dedupKey(NotificationEvent event, String dedupBy) {
        String node = event.detail("nodeName");
        String key = "node".equals(dedupBy) && !node.isEmpty()
                ? "castai-events/" + firstNonBlank(event.getClusterId(), event.getClusterName(), "") + "/" + node
                : "castai-events/" + event.getId();
        if (key.length() <= MAX_DEDUP_KEY) {
            return key;
        }
        // too long for PagerDuty: cut, with a hash of the whole key, so two long ids that share a
        // beginning never fold into one incident
        String hash = "~" + HexFormat.of().formatHex(Sha256.of(key));
        return Shortened.to(key, MAX_DEDUP_KEY, hash);
    }
    private static Map<String, Object> customDetails(NotificationEvent event) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("eventType", event.getType());
        details.put("title", event.getTitle());
        details.put("clusterId", event.getClusterId());
        details.put("clusterName", event.getClusterName());
        details.put("eventTimestamp", event.getTimestamp());
        details.putAll(event.getDetails());
        details.values().removeIf(v -> v == null);
        return details;
    }

    private static boolean isIsoTimestamp(String value) {
        if (value == null) {
            return false;
        }
        try {
            OffsetDateTime.parse(value);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static String truncate(String value, int max) {
        return Shortened.to(value, max, "…");
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return "";
    }
}
