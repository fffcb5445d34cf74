package io.castai.events.castai;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.castai.events.intake.EventParser;
import io.castai.events.intake.NotificationEvent;
import io.castai.events.intake.Severity;

/** Turns CAST AI API items into the service's internal events. */
public class PolledEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventParser parser;

    public PolledEvents(EventParser parser) {
        this.parser = parser;
    }

    /**
     * An audit-log entry becomes {@code audit.<eventType>}, keyed by the entry id so it is
     * forwarded once.
     */
    public NotificationEvent fromAuditEntry(JsonNode entry, String polledClusterId) {
        String eventType = entry.path("eventType").asText("unknown");
        String initiator = firstText(entry.path("initiatedBy"), "name", "email", "id");
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("auditId", entry.path("id").asText());
        details.put("time", entry.path("time").asText());
        details.put("eventType", eventType);
        details.put("initiatedBy", initiator);
        details.put("event", JSON.convertValue(entry.path("event"), Object.class));
        String labelled = entry.path("labels").path("clusterId").asText("");
        // a blank label is none: the cluster polled
        String clusterId = labelled.isBlank() ? polledClusterId : labelled;
        // an entry without an id is keyed by its content: "audit:" alone would make every such entry one
        String id = entry.path("id").isValueNode() && !entry.path("id").isNull() && !entry.path("id").asText().isBlank()
                ? entry.path("id").asText().trim() : parser.bodyHash(entry);
        return new NotificationEvent(
                "audit:" + id,
                NotificationEvent.typeNamed("audit.", eventType),
                Severity.INFO,
                clusterId,
                null,
                entry.path("time").asText(null),
                eventType,
                eventType + " by " + initiator,
                details,
                NotificationEvent.ORIGIN_API);
    }

    /**
     * A notification from {@code GET /v1/notifications} is renamed to the console webhook's
     * fields and normalised by the same code, so both routes give the same event and the same
     * dedup key (its id).
     */
    public NotificationEvent fromApiNotification(JsonNode item) {
        ObjectNode console = JSON.createObjectNode();
        console.set("NotificationID", item.path("id"));
        console.set("OrganizationID", item.path("organizationId"));
        console.set("Severity", item.path("severity"));
        console.set("Name", item.path("name"));
        console.set("Message", item.path("message"));
        console.set("Details", item.path("details"));
        console.set("Timestamp", item.path("timestamp"));
        JsonNode cluster = item.path("clusterMetadata");
        if (cluster.isObject()) {
            console.putObject("Cluster")
                    .put("ID", cluster.path("id").asText(null))
                    .put("Name", cluster.path("name").asText(null))
                    .put("ProviderType", cluster.path("providerType").asText(null))
                    .put("ProjectNamespaceID", cluster.path("project").asText(null));
        }
        console.properties().removeIf(e -> e.getValue().isMissingNode());
        return parser.fromConsolePayload(console, null, NotificationEvent.ORIGIN_API);
    }

    private static String firstText(JsonNode node, String... fields) {
        for (String field : fields) {
            String value = node.path(field).asText("");
            if (!value.isBlank()) {
                return value;
            }
        }
        return "unknown";
    }
}
