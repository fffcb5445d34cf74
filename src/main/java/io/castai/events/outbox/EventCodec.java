package io.castai.events.outbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.intake.NotificationEvent;
import io.castai.events.intake.Severity;

/** An event as the JSON kept in the outbox, and back. */
public final class EventCodec {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() { };

    private EventCodec() {
    }

    public static String toJson(NotificationEvent event) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("id", event.getId());
        fields.put("type", event.getType());
        fields.put("severity", event.getSeverity().name());
        fields.put("clusterId", event.getClusterId());
        fields.put("clusterName", event.getClusterName());
        fields.put("timestamp", event.getTimestamp());
        fields.put("title", event.getTitle());
        fields.put("summary", event.getSummary());
        fields.put("details", event.getDetails());
        fields.put("origin", event.getOrigin());
        try {
            return JSON.writeValueAsString(fields);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static NotificationEvent fromJson(String json) {
        try {
            Map<String, Object> f = JSON.readValue(json, MAP);
            return new NotificationEvent((String) f.get("id"), (String) f.get("type"),
                    Severity.valueOf((String) f.get("severity")), (String) f.get("clusterId"),
                    (String) f.get("clusterName"), (String) f.get("timestamp"), (String) f.get("title"),
                    (String) f.get("summary"), (Map<String, Object>) f.get("details"), (String) f.get("origin"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
