package io.castai.events.channels;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.delivery.DeliveryReport;
import io.castai.events.intake.EventTime;
import io.castai.events.intake.NotificationEvent;
import io.castai.events.security.Sha256;
import org.apache.camel.Exchange;

/**
 * PagerDuty Events API v2: a {@code trigger} for each event, or a {@code resolve} for the event
 * types the channel lists in {@code resolveOn}. The {@code dedup_key} is per event, or with
 * {@code dedupBy: node} per cluster and node, so that e.g. a node.removed resolves the incident a
 * node.spot_interrupted opened. camel-http posts it.
 */
public class PagerDutyChannel implements JsonChannel {
    static final int MAX_SUMMARY = 1024;
    static final int MAX_DEDUP_KEY = 255;
    /** PagerDuty refuses (400, for good) an event over 512 KB. */
    static final int MAX_EVENT_BYTES = 512 * 1000;
    /** A value PagerDuty shows in a field of its own (source, component, group, class), at most. */
    static final int MAX_FIELD = 1024;
    /** The incident of a delivery whose order counts (on a channel with {@code resolveOn}) and its event's order, for {@link #sent}. */
    private static final String INCIDENT = "pagerDutyIncident";
    private static final String ORDER = "pagerDutyEventOrder";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Channels channels;
    private final ConsoleLink console;
    private final IncidentHistory history;

    private final IncidentTurns turns;

    public PagerDutyChannel(Channels channels, ConsoleLink console, IncidentHistory history, SharedIncidentTurns sharedTurns) {
        this.channels = channels;
        this.console = console;
        this.history = history;
        this.turns = new IncidentTurns(sharedTurns);
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
        Map<String, Object> alert = alert(event, summary);
        body.put("payload", alert);
        body.put("client", "castai-events");
        String clusterLink = console.forCluster(event);
        if (clusterLink != null) {
            body.put("client_url", clusterLink);
            body.put("links", List.of(Map.of("href", clusterLink,
                    "text", "Cluster " + truncate(firstNonBlank(event.getClusterName(), event.getClusterId(), ""), MAX_FIELD) + " in CAST AI")));
        }
        String json = JSON.writeValueAsString(body);
        int bytes = json.getBytes(StandardCharsets.UTF_8).length;
        if (bytes <= MAX_EVENT_BYTES) {
            return json;
        }
        // too large for PagerDuty, which would refuse it for good: the page goes out without the details
        Map<String, Object> details = fixedDetails(event);
        details.replaceAll((key, value) -> value instanceof String text ? truncate(text, MAX_FIELD) : value);
        details.put("detailsLeftOut", "the event's details made this alert " + bytes
                + " bytes, over PagerDuty's limit of 512 KB: see the event in the other channels or the log");
        alert.put("custom_details", details);
        json = JSON.writeValueAsString(body);
        if (json.getBytes(StandardCharsets.UTF_8).length <= MAX_EVENT_BYTES) {
            return json;
        }
        // the console link alone is that large (a cluster id of hundreds of KB): the page without it
        body.remove("client_url");
        body.remove("links");
        return JSON.writeValueAsString(body);
    }

    /**
     * Takes the delivery's incident (channel and dedup key) for this send, or true when another
     * delivery of this process is sending to it just now: this one is then put back for a moment.
     * So a trigger and its resolve go one after the other, and the later sees the earlier's
     * outcome ({@link #overtaken}).
     */
    public boolean incidentBusy(Exchange exchange) {
        String channel = exchange.getProperty(DeliveryReport.CHANNEL, String.class);
        NotificationEvent event = exchange.getMessage().getBody(NotificationEvent.class);
        return event != null && channels.has(channel)
                && !turns.tryTake(channel + "\n" + dedupKey(event, channels.get(channel).text("dedupBy")), exchange);
    }

    /** As {@link JsonChannel#prepare}; the incident of a delivery whose order counts is kept for {@link #sent}. */
    @Override
    public void prepare(Exchange exchange) throws JsonProcessingException {
        // read before the body becomes the request
        String incident = orderedIncident(exchange);
        exchange.setProperty(INCIDENT, incident);
        exchange.setProperty(ORDER, incident == null ? null : orderOf(exchange));
        JsonChannel.super.prepare(exchange);
    }

    /** After a 2xx: the event is its incident's latest delivered, unless a later one was. */
    public void sent(Exchange exchange) {
        String incident = exchange.getProperty(INCIDENT, String.class);
        EventOrder order = exchange.getProperty(ORDER, EventOrder.class);
        if (incident != null && order != null) {
            history.delivered(incident, order);
        }
    }

    /**
     * True when a later event of the delivery's incident was delivered before it (this one failed,
     * and its retry or replay comes after): a trigger after its incident's resolve would open an
     * incident for a node that is gone, which nothing would resolve; a resolve after a newer
     * trigger would close an incident nobody has seen. Only on a channel with {@code resolveOn}.
     */
    public boolean overtaken(Exchange exchange) {
        String incident = orderedIncident(exchange);
        return incident != null && history.laterDelivered(incident, orderOf(exchange));
    }

    /** The delivery's incident (channel and dedup key) where its channel resolves incidents, else null. */
    private String orderedIncident(Exchange exchange) {
        String channel = exchange.getProperty(DeliveryReport.CHANNEL, String.class);
        NotificationEvent event = exchange.getMessage().getBody(NotificationEvent.class);
        if (event == null || exchange.getProperty(DeliveryReport.ACCEPTED_AT) == null || !channels.has(channel)) {
            return null;
        }
        ChannelConfig config = channels.get(channel);
        return config.list("resolveOn").isEmpty() ? null : channel + "\n" + dedupKey(event, config.text("dedupBy"));
    }

    private static EventOrder orderOf(Exchange exchange) {
        return EventOrder.of(exchange.getMessage().getBody(NotificationEvent.class).getTimestamp(),
                exchange.getProperty(DeliveryReport.ACCEPTED_AT, Instant.class));
    }

    private static boolean resolves(ChannelConfig config, NotificationEvent event) {
        return event.getType() != null && config.list("resolveOn").stream()
                .anyMatch(glob -> RoutingRule.glob(glob).matcher(event.getType()).matches());
    }

    static Map<String, Object> alert(NotificationEvent event, String summary) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("summary", truncate(summary == null || summary.isBlank() ? event.getSummary() : summary, MAX_SUMMARY));
        payload.put("source", truncate(firstNonBlank(event.getClusterName(), event.getClusterId(), "castai"), MAX_FIELD));
        payload.put("severity", event.getSeverity().pagerDutySeverity());
        String timestamp = rfc3339(event.getTimestamp());
        if (timestamp != null) {
            payload.put("timestamp", timestamp);
        }
        String node = event.detail("nodeName");
        if (!node.isEmpty()) {
            payload.put("component", truncate(node, MAX_FIELD));
        }
        if (event.getClusterName() != null) {
            payload.put("group", truncate(event.getClusterName(), MAX_FIELD));
        }
        payload.put("class", event.getType() == null ? null : truncate(event.getType(), MAX_FIELD));
        payload.put("custom_details", customDetails(event));
        return payload;
    }

    /** One incident per event; or, by node, one per cluster and node (events without a node: per event). */
    static String dedupKey(NotificationEvent event, String dedupBy) {
        String node = event.detail("nodeName");
        String key = "node".equals(dedupBy) && !node.isEmpty()
                ? "castai-events/" + firstNonBlank(event.getClusterId(), event.getClusterName(), "") + "/" + keyPart(node)
                : "castai-events/" + keyPart(event.getId());
        if (key.length() <= MAX_DEDUP_KEY) {
            return key;
        }
        // too long for PagerDuty: cut, with a hash of the whole key, so two long ids that share a
        // beginning never fold into one incident
        String hash = "~" + HexFormat.of().formatHex(Sha256.of(key));
        return Shortened.to(key, MAX_DEDUP_KEY, hash);
    }

    /**
     * An event's id or a node's name in a key, with the separator escaped: cluster {@code a/b}
     * with node {@code c} and cluster {@code a} with node {@code b/c} were one incident, and so
     * were an event whose id a sender chose as {@code c/n} and node {@code n} of cluster {@code c}
     * (its resolve closed that node's incident). Now an event's key has no {@code /} after the
     * prefix and a node's key ends the cluster at its last one. Node names and CAST AI's ids have
     * neither character, so their keys are as before (a cluster name may have a {@code /}, an EKS
     * ARN: it is left as it was, so incidents opened before an upgrade still resolve).
     */
    private static String keyPart(String part) {
        return part.replace("%", "%25").replace("/", "%2F");
    }

    private static Map<String, Object> customDetails(NotificationEvent event) {
        Map<String, Object> details = fixedDetails(event);
        // the event's own details never replace these (a detail "clusterName" would name another cluster)
        event.getDetails().forEach((key, value) -> {
            if (value != null) {
                details.putIfAbsent(key, value);
            }
        });
        return details;
    }

    private static Map<String, Object> fixedDetails(NotificationEvent event) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("eventType", event.getType());
        details.put("title", event.getTitle());
        details.put("clusterId", event.getClusterId());
        details.put("clusterName", event.getClusterName());
        details.put("eventTimestamp", event.getTimestamp());
        details.values().removeIf(v -> v == null);
        return details;
    }

    /**
     * The sender's ISO 8601 time as PagerDuty's date-time (RFC 3339: seconds written, a four-digit
     * year, the offset as Z), or null to leave it out: {@code 2026-10-02T14:03Z} or {@code +01}
     * as sent could have the page refused.
     */
    static String rfc3339(String value) {
        Instant at = EventTime.parse(value);
        return at == null ? null : at.toString();
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
