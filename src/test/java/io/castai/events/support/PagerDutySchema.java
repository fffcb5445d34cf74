package io.castai.events.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks a request body against PagerDuty's own published OpenAPI description of
 * {@code POST /enqueue}: required fields present, enums respected, no field it does not declare.
 */
public final class PagerDutySchema {
    private static final JsonNode SPEC = load();

    private PagerDutySchema() {
    }

    public static void assertValidEnqueueRequest(JsonNode event) {
        JsonNode schema = SPEC.at("/paths/~1enqueue/post/requestBody/content/application~1json/schema");
        assertObjectMatches(event, schema, "event");
        assertObjectMatches(event.get("payload"), SPEC.at("/components/schemas/Payload"), "payload");
        if (event.has("links")) {
            JsonNode linkSchema = SPEC.at("/components/schemas/Links/items");
            event.get("links").forEach(link -> assertObjectMatches(link, linkSchema, "links[]"));
        }
        assertThat(event.get("payload").get("summary").asText().length()).isLessThanOrEqualTo(1024);
        assertThat(event.get("dedup_key").asText().length()).isLessThanOrEqualTo(255);
    }

    /**
     * A resolve: the schema's fields and enums, with the dedup_key of the alert it ends. The
     * published schema marks payload as required for every action; PagerDuty's Events API
     * documentation requires it for triggers only, so it is not demanded here.
     */
    public static void assertValidResolveRequest(JsonNode event) {
        JsonNode schema = SPEC.at("/paths/~1enqueue/post/requestBody/content/application~1json/schema");
        assertFieldsDeclared(event, schema, "event");
        assertThat(event.get("routing_key")).as("routing_key").isNotNull();
        assertThat(event.get("event_action").asText()).isEqualTo("resolve");
        assertThat(event.get("dedup_key").asText()).isNotEmpty().hasSizeLessThanOrEqualTo(255);
    }

    private static void assertObjectMatches(JsonNode value, JsonNode schema, String where) {
        assertThat(value).as(where).isNotNull();
        schema.path("required").forEach(req -> assertThat(value.has(req.asText()))
                .as(where + " requires '" + req.asText() + "'").isTrue());
        assertFieldsDeclared(value, schema, where);
    }

    private static void assertFieldsDeclared(JsonNode value, JsonNode schema, String where) {
        for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            JsonNode declared = schema.path("properties").path(name);
            assertThat(declared.isMissingNode()).as(where + " declares '" + name + "'").isFalse();
            if (declared.has("enum")) {
                assertThat(declared.get("enum").toString()).as(where + "." + name)
                        .contains("\"" + value.get(name).asText() + "\"");
            }
        }
    }

    private static JsonNode load() {
        try {
            return new ObjectMapper().readTree(Files.readString(Path.of("src/test/resources/pagerduty-events-v2.openapi.json")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
