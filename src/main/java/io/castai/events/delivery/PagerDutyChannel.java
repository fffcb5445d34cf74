package io.castai.events.delivery;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.intake.NotificationEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** PagerDuty Events API v2: builds a {@code trigger} event; camel-http posts it. */
public class PagerDutyChannel {
    static final int MAX_SUMMARY = 1024;
    static final int MAX_DEDUP_KEY = 255;
    private static final Logger LOG = LoggerFactory.getLogger(PagerDutyChannel.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String routingKey;
    private final String eventsUrl;
    private final String consoleUrl;

    public PagerDutyChannel(String routingKey, String eventsUrl, String consoleUrl) {
        this.routingKey = routingKey == null || routingKey.isBlank() ? null : routingKey.trim();
        this.eventsUrl = WebhookUrl.validate("PAGERDUTY_EVENTS_URL", eventsUrl);
        this.consoleUrl = consoleUrl == null ? "" : consoleUrl.replaceAll("/+$", "");
        if (this.routingKey != null && this.eventsUrl == null) {
            throw new IllegalArgumentException("PAGERDUTY_EVENTS_URL must be set when PAGERDUTY_ROUTING_KEY is");
        }
    }

    /** Says once, at start-up, whether the channel is on. */
    public void logStatus() {
        if (isEnabled()) {
            LOG.info("PagerDuty channel is on");
        } else {
            LOG.info("PagerDuty channel is off: PAGERDUTY_ROUTING_KEY is not set");
        }
    }

    public boolean isEnabled() {
        return routingKey != null;
    }

    /** The Events API URL, for the CamelHttpUri header. */
    public String url() {
        return eventsUrl;
    }

    /** A trigger whose dedup_key derives from the event id, so a repeat updates the same incident. */
    public String trigger(NotificationEvent event, String summary) throws JsonProcessingException {
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

        Map<String, Object> body = new LinkedHashMap<>();
        body.put("routing_key", routingKey);
        body.put("event_action", "trigger");
        body.put("dedup_key", dedupKey(event));
        body.put("payload", payload);
        body.put("client", "castai-events");
        String clusterLink = clusterLink(event);
        if (clusterLink != null) {
            body.put("client_url", clusterLink);
            body.put("links", List.of(Map.of("href", clusterLink,
                    "text", "Cluster " + firstNonBlank(event.getClusterName(), event.getClusterId(), "") + " in CAST AI")));
        }
        return JSON.writeValueAsString(body);
    }

    static String dedupKey(NotificationEvent event) {
        return truncate("castai-events/" + event.getId(), MAX_DEDUP_KEY);
    }

    private String clusterLink(NotificationEvent event) {
        if (event.getClusterId() == null || event.getClusterId().isBlank() || consoleUrl.isEmpty()) {
            return null;
        }
        return consoleUrl + "/external-clusters/" + event.getClusterId();
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
        return value.length() <= max ? value : value.substring(0, max - 1) + "…";
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
