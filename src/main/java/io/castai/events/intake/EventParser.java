package io.castai.events.intake;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.castai.events.security.Sha256;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a request body into a {@link NotificationEvent}: either this service's canonical event
 * ({@code eventType}, {@code clusterId}, {@code data{...}}) or a CAST AI console notification
 * ({@code NotificationID}, {@code Severity}, {@code Name}, ...). Anything else is an
 * {@link InvalidEventException} whose message says exactly what is wrong.
 */
public class EventParser {
    private static final Pattern EVENT_TYPE =
            Pattern.compile("[" + NotificationEvent.TYPE_CHARACTERS + "]{1," + NotificationEvent.MAX_TYPE + "}");
    private static final int MAX_ID_LENGTH = 256;
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() { };

    private static final List<String> TEXT_DATA = List.of("nodeName", "instanceType", "lifecycle", "action");
    private static final List<String> DATA_FIELDS = Stream.concat(TEXT_DATA.stream(), Stream.of("savingsImpact")).toList();
    private static final Pattern NUMBER = Pattern.compile("[+-]?[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)?");
    /**
     * What Go's templates (CAST AI's console webhooks) write for a value the data does not have: taken
     * as no value, or every notification rendered so would have the same id, and be one duplicate.
     */
    private static final String GO_NO_VALUE = "<no value>";
    /** The title of a console notification whose template left its name out. */
    static final String UNNAMED = "CAST AI notification";
    /** An encoding named back to the sender only when it looks like one (gzip, br, deflate). */
    private static final Pattern ENCODING_NAME = Pattern.compile("[A-Za-z0-9-]{1,20}");
    private static final Pattern CONSTRAINT = Pattern.compile("^([A-Za-z ]{1,40}) \\((\\d+)\\) exceeds the maximum allowed \\((\\d+)");
    private static final Pattern PRINTABLE_WORD = Pattern.compile("[A-Za-z0-9_ -]{1,40}");
    private static final Logger LOG = LoggerFactory.getLogger(EventParser.class);

    /** {@code data}'s fields met at the top level of a canonical event, each warned about once. */
    private final Set<String> misplacedData = ConcurrentHashMap.newKeySet();

    /** Console severities this service does not know, each warned about once (bounded). */
    private final Set<String> unknownSeverities = ConcurrentHashMap.newKeySet();

    private final ObjectMapper mapper = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // a key given twice would be read as its last value here and perhaps its first elsewhere
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // CAST AI's console fills "{{ .Message }}" in as it is: a message of several lines came
            // with raw line breaks inside a JSON string, was refused, and CAST AI does not retry
            .enable(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
            .build();
    // Sorted keys make the hash of an id-less event independent of key order and white space.
    private final ObjectMapper canonicalMapper = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    /**
     * The event in a request: as {@link #parse}, once the body is known to be plain JSON. A
     * compressed body (Content-Encoding, or a Transfer-Encoding coding other than chunked), a
     * multipart or form body is refused with a 415: read as
     * JSON it would be "malformed" or "empty", and a multipart part would pass for the event.
     */
    public NotificationEvent parseRequest(byte[] body,
                                          @Header("webhook-id") String webhookId,
                                          @Header("Idempotency-Key") String idempotencyKey,
                                          @Header("Content-Type") String contentType,
                                          @Header("Content-Encoding") String contentEncoding,
                                          @Header("Transfer-Encoding") String transferEncoding) {
        refuseCoding("Content-Encoding", contentEncoding, false);
        // the server undoes chunked only: "gzip, chunked" leaves a gzip body
        refuseCoding("Transfer-Encoding", transferEncoding, true);
        String type = contentType == null ? "" : contentType.trim().toLowerCase(Locale.ROOT);
        if (type.startsWith("multipart/") || type.startsWith("application/x-www-form-urlencoded")) {
            throw new UnsupportedBodyException(UnsupportedBodyException.NOT_JSON);
        }
        return parse(body, webhookId, idempotencyKey);
    }

    /** A 415 for a header naming a coding other than identity (or chunked, which the server undoes). */
    private static void refuseCoding(String header, String codings, boolean chunkedUndone) {
        if (codings == null) {
            return;
        }
        for (String coding : codings.split(",")) {
            String name = coding.trim();
            if (!name.isEmpty() && !"identity".equalsIgnoreCase(name)
                    && !(chunkedUndone && "chunked".equalsIgnoreCase(name))) {
                String named = ENCODING_NAME.matcher(name).matches() ? name + " " : "";
                throw new UnsupportedBodyException(header + " " + named + "is not supported: send the JSON uncompressed");
            }
        }
    }

    public NotificationEvent parse(byte[] body,
                                   @Header("webhook-id") String webhookId,
                                   @Header("Idempotency-Key") String idempotencyKey) {
        JsonNode root = readObject(body);
        String deliveryId = firstNonBlank(webhookId, idempotencyKey);
        if (root.has("eventType")) {
            return canonicalEvent(root, deliveryId);
        }
        if (root.has("NotificationID") || root.has("Name") || root.has("Severity")) {
            return fromConsolePayload(root, deliveryId, NotificationEvent.ORIGIN_CONSOLE);
        }
        throw new InvalidEventException("missing required field 'eventType'");
    }

    private JsonNode readObject(byte[] body) {
        if (body == null || body.length == 0) {
            throw new InvalidEventException("request body is empty");
        }
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (StreamConstraintsException e) {
            // Jackson's own limits (nesting depth, a number's or a text's length): its message names
            // the limit and the value's size, never the body; it has no location
            throw new InvalidEventException("JSON beyond a limit of this service: " + constraint(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            boolean duplicate = e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field");
            throw new InvalidEventException("malformed JSON" + (duplicate ? ": a key given twice" : "") + where);
        } catch (IOException e) {
            throw new InvalidEventException("unreadable request body");
        }
        if (root.isMissingNode()) {
            throw new InvalidEventException("request body is empty");
        }
        if (!root.isObject()) {
            throw new InvalidEventException("request body must be a JSON object, not " + kind(root));
        }
        return root;
    }

    /** "Document nesting depth (1001) exceeds the maximum allowed (1000, from `...`)" read as "document nesting depth 1001, over 1000". */
    private static String constraint(String message) {
        Matcher limit = CONSTRAINT.matcher(message == null ? "" : message);
        return limit.find()
                ? limit.group(1).toLowerCase(Locale.ROOT) + " " + limit.group(2) + ", over " + limit.group(3)
                : "the document is too large or too deep";
    }

    private NotificationEvent canonicalEvent(JsonNode root, String deliveryId) {
        JsonNode typeNode = root.get("eventType");
        if (!typeNode.isTextual()) {
            throw new InvalidEventException("'eventType' must be a string, not " + kind(typeNode));
        }
        String type = typeNode.asText().trim();
        if (type.isEmpty()) {
            throw new InvalidEventException("'eventType' must not be empty");
        }
        if (!EVENT_TYPE.matcher(type).matches()) {
            throw new InvalidEventException(
                    "'eventType' may hold only letters, digits, '.', '_', ':' and '-', at most 128 of them");
        }
        JsonNode data = root.path("data");
        if (!data.isMissingNode() && !data.isNull() && !data.isObject()) {
            throw new InvalidEventException("'data' must be an object, not " + kind(data));
        }
        checkDocumentedData(data);
        warnOfMisplacedData(root);
        Map<String, Object> details = data.isObject()
                ? documentedData(mapper.convertValue(data, MAP)) : new LinkedHashMap<>();
        String clusterName = optionalName(root, "clusterName");
        Severity severity = severity(root, "severity", defaultSeverity(type));
        String id = firstNonBlank(optionalId(root, "id"), deliveryId);
        return new NotificationEvent(
                id != null ? id : bodyHash(root),
                type,
                severity,
                optionalName(root, "clusterId"),
                clusterName,
                optionalTime(root, "timestamp"),
                type,
                summaryOf(type, details.get("nodeName"), clusterName),
                details,
                NotificationEvent.ORIGIN_EVENT);
    }

    /**
     * The documented fields of {@code data}, where present, hold what the documentation says: a
     * text (a number is taken as one) for the node's name, instance type, lifecycle and action, a
     * number (or a text holding one) for the savings impact. Templates and Slack's fields show
     * them; anything else in {@code data} passes as it is.
     */
    private static void checkDocumentedData(JsonNode data) {
        for (String field : TEXT_DATA) {
            JsonNode value = data.path(field);
            if (value.isContainerNode()) {
                throw new InvalidEventException("'data." + field + "' must be a string, not " + kind(value));
            }
        }
        JsonNode savings = data.path("savingsImpact");
        if (savings.isMissingNode() || savings.isNull() || savings.isTextual() && isNone(savings.asText())) {
            return;
        }
        if (!savings.isNumber() && !(savings.isTextual() && NUMBER.matcher(savings.asText().trim()).matches())) {
            // a number written as text is read: "not a string" would send the sender the wrong way
            throw new InvalidEventException("'data.savingsImpact' must be a number (or one written as a string), not "
                    + (savings.isTextual() ? "a word" : kind(savings)));
        }
        if (!Double.isFinite(savings.asDouble()) || savings.isTextual() && !readsAsBigDecimal(savings.asText().trim())) {
            // "1e-9999999999": a double of 0, but an exponent no BigDecimal holds (a 500, and an ERROR line, each)
            throw new InvalidEventException("'data.savingsImpact' is out of range");
        }
    }

    /**
     * A sender that writes {@code nodeName} beside {@code eventType} instead of inside {@code data}
     * gets its events accepted and its messages without the node: said once per field, as it is
     * not the sender's error to be told of in each answer (the event is still worth having).
     */
    private void warnOfMisplacedData(JsonNode root) {
        for (String field : DATA_FIELDS) {
            if (root.has(field) && misplacedData.add(field)) {
                LOG.warn("A canonical event has '{}' at its top level, where it is not read: it belongs in 'data' "
                        + "(said once per field)", field);
            }
        }
    }

    /**
     * The documented fields as messages show them: a blank one left out (a templating sender's
     * empty value is no node "   "), a savings impact sent as text made the number it holds.
     */
    private Map<String, Object> documentedData(Map<String, Object> data) {
        for (String field : TEXT_DATA) {
            if (data.get(field) instanceof String text && isNone(text)) {
                data.remove(field);
            }
        }
        if (data.get("savingsImpact") instanceof String text) {
            if (isNone(text)) {
                data.remove("savingsImpact");
            } else {
                // NUMBER let it in: BigDecimal reads every such text ("00012" too, which JSON would not)
                data.put("savingsImpact", new BigDecimal(text.trim()));
            }
        }
        return data;
    }

    private static boolean readsAsBigDecimal(String number) {
        try {
            new BigDecimal(number);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * A CAST AI console notification (webhook template fields), also used for polled notifications;
     * {@code origin}: {@link NotificationEvent#ORIGIN_CONSOLE} or, polled, {@link NotificationEvent#ORIGIN_API}.
     */
    public NotificationEvent fromConsolePayload(JsonNode root, String deliveryId, String origin) {
        String name = text(root, "Name");
        if (name == null || name.isBlank()) {
            throw new InvalidEventException("console notification is missing 'Name'");
        }
        if (isNone(name)) {
            // a template's slip: refused, the notification would be lost (CAST AI does not retry)
            name = UNNAMED;
        }
        Map<String, Object> details = consoleDetails(root.path("Details"));
        JsonNode cluster = root.path("Cluster");
        if (!cluster.isMissingNode() && !cluster.isNull() && !cluster.isObject()) {
            throw new InvalidEventException("'Cluster' must be an object, not " + kind(cluster));
        }
        String providerType = optionalText(cluster, "ProviderType");
        if (providerType != null) {
            details.putIfAbsent("providerType", providerType);
        }
        String message = optionalText(root, "Message");
        String id = firstNonBlank(optionalId(root, "NotificationID"), deliveryId);
        return new NotificationEvent(
                id != null ? id : bodyHash(root),
                NotificationEvent.NOTIFICATION_TYPE,
                consoleSeverity(root.get("Severity"), details),
                optionalName(cluster, "ID"),
                optionalName(cluster, "Name"),
                optionalTime(root, "Timestamp"),
                name.trim(),
                message == null || message.isBlank() ? name.trim() : message.trim(),
                details,
                origin);
    }

    /** The console sends Details as an object; the notifications API sends it as a JSON string. */
    private Map<String, Object> consoleDetails(JsonNode node) {
        if (node.isObject()) {
            return mapper.convertValue(node, MAP);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        if (node.isTextual() && !isNone(node.asText())) {
            try {
                JsonNode parsed = mapper.readTree(node.asText());
                if (parsed.isObject()) {
                    return mapper.convertValue(parsed, MAP);
                }
            } catch (JsonProcessingException notJson) {
                // plain text details are kept as they are
            }
            details.put("text", node.asText());
        } else if (node.isArray() || node.isNumber() || node.isBoolean()) {
            // not the object documented, but what the sender had to say: kept as its JSON
            details.put("text", node.toString());
        }
        return details;
    }

    /**
     * The console's severity (INFO when it gives none). One this service does not know (CAST AI
     * may add one) is taken as WARNING and kept in the details as {@code severity}: refused, the
     * notification would be lost at the sender, which does not read the answer.
     */
    private Severity consoleSeverity(JsonNode node, Map<String, Object> details) {
        if (node == null || node.isNull()
                || node.isTextual() && isNone(node.asText())) {
            return Severity.INFO;
        }
        Severity severity = node.isTextual() ? Severity.parse(node.asText()) : null;
        if (severity != null) {
            return severity;
        }
        String given = node.isTextual() ? node.asText() : node.toString();
        // under "consoleSeverity" when the sender's details have a "severity" of their own
        details.putIfAbsent(details.containsKey("severity") ? "consoleSeverity" : "severity",
                given.length() > 100 ? given.substring(0, 100) + "…" : given);
        // said once per value, and only a plain word is written out (the log is no place for a
        // sender's text) or remembered (100 of them at most: a sender's megabytes would fill the heap)
        boolean word = PRINTABLE_WORD.matcher(given).matches();
        String named = word ? "'" + given + "'" : "that is not a plain word";
        if (unknownSeverities.size() < 100 && unknownSeverities.add(word ? given : "")) {
            LOG.warn("A console notification has a severity {}, which this service does not know: taken as WARNING "
                    + "(the original is in its details as 'severity', or 'consoleSeverity' when they have one); "
                    + "said once per severity", named);
        }
        return Severity.WARNING;
    }

    private static Severity defaultSeverity(String type) {
        return "node.spot_interrupted".equals(type) ? Severity.WARNING : Severity.INFO;
    }

    private static Severity severity(JsonNode root, String field, Severity fallback) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull() || node.isTextual() && isNone(node.asText())) {
            return fallback;
        }
        Severity severity = node.isTextual() ? Severity.parse(node.asText()) : null;
        if (severity == null) {
            throw new InvalidEventException(
                    "'" + field + "' must be one of CRITICAL, ERROR, WARNING, INFO, SUCCESS");
        }
        return severity;
    }

    private static String summaryOf(String type, Object nodeName, String clusterName) {
        StringBuilder summary = new StringBuilder(type);
        if (nodeName != null) {
            summary.append(": node ").append(nodeName);
        }
        if (clusterName != null) {
            summary.append(" in cluster ").append(clusterName);
        }
        return summary.toString();
    }

    /** A field's text, or null when it has none (absent, null, blank or Go's "<no value>"). */
    private static String optionalText(JsonNode parent, String field) {
        String text = text(parent, field);
        return text == null || GO_NO_VALUE.equals(text.trim()) ? null : text;
    }

    /** No value at all: none, blank, or Go's "<no value>". */
    private static boolean isNone(String text) {
        return text == null || text.isBlank() || GO_NO_VALUE.equals(text.trim());
    }

    /**
     * An event's time as sent, or none for one before 1970 (Go's zero time, {@code
     * 0001-01-01T00:00:00Z}, is an unset one): no message or channel then shows it. A text that
     * is not an ISO time is kept as written, for the texts that show it.
     */
    private static String optionalTime(JsonNode parent, String field) {
        String text = optionalText(parent, field);
        return text == null || EventTime.isBeforeEpoch(text) ? null : text;
    }

    /** A field's text as sent (a number or boolean written as text), or null when absent or null. */
    private static String text(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isValueNode()) {
            throw new InvalidEventException("'" + field + "' must be a string, not " + kind(node));
        }
        return node.asText();
    }

    /** A cluster's id or name: a blank one is none (not an empty group in PagerDuty, "in cluster " in Slack). */
    private static String optionalName(JsonNode parent, String field) {
        String value = optionalText(parent, field);
        return value == null || value.isBlank() ? null : value;
    }

    private static String optionalId(JsonNode root, String field) {
        String id = optionalText(root, field);
        if (id != null && id.length() > MAX_ID_LENGTH) {
            throw new InvalidEventException("'" + field + "' is longer than " + MAX_ID_LENGTH + " characters");
        }
        // a control character (PostgreSQL refuses NUL: the sender would be told to retry forever)
        // or half a surrogate pair (two such ids would be stored as one) is no id
        if (id != null && !isPrintableUnicode(id)) {
            throw new InvalidEventException("'" + field + "' holds a control character or invalid UTF-16");
        }
        return id == null || id.isBlank() ? null : id.trim();
    }

    private static boolean isPrintableUnicode(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            // U+2028 and U+2029 break lines too (in logs, and in JavaScript before ES2019)
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                return false;
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A key for a JSON object that carries no id: the hash of its content, whatever its key order,
     * spacing or the way a whole number is written ({@code 100}, {@code 100.0}, {@code 1e2}).
     */
    public String bodyHash(JsonNode root) {
        try {
            byte[] canonical = canonicalMapper.writeValueAsBytes(canonicalValue(root));
            return "sha256:" + HexFormat.of().formatHex(Sha256.of(canonical));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot hash event body", e);
        }
    }

    /** Below 2^53 every whole double is exact, and written as a long no longer than it came. */
    private static final double WHOLE_LIMIT = 0x1p53;

    /**
     * The node as maps, lists and plain values, a whole float below 2^53 as an integer: a sender
     * that writes a retry's numbers another way (a float where it had an integer) sends the same
     * event. Other numbers stay as parsed, so the hash of an event without such floats is as it
     * always was.
     */
    private static Object canonicalValue(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> object = new LinkedHashMap<>();
            node.fields().forEachRemaining(field -> object.put(field.getKey(), canonicalValue(field.getValue())));
            return object;
        }
        if (node.isArray()) {
            List<Object> array = new ArrayList<>();
            node.forEach(element -> array.add(canonicalValue(element)));
            return array;
        }
        if (node.isFloatingPointNumber() && node.doubleValue() == Math.rint(node.doubleValue())
                && Math.abs(node.doubleValue()) < WHOLE_LIMIT) {
            // not above: 1e308 as an integer would be 309 digits (a body of them, fifty times its size in memory)
            return (long) node.doubleValue();
        }
        if (node.isNumber()) {
            return node.numberValue();
        }
        return node.isNull() ? null : node.isBoolean() ? node.booleanValue() : node.asText();
    }

    private static String firstNonBlank(String first, String second) {
        if (first != null && !first.isBlank()) {
            return first.trim();
        }
        if (second != null && !second.isBlank()) {
            if (second.length() > MAX_ID_LENGTH) {
                throw new InvalidEventException("delivery id header is longer than " + MAX_ID_LENGTH + " characters");
            }
            if (!isPrintableUnicode(second)) {
                throw new InvalidEventException("delivery id header holds a control character");
            }
            return second.trim();
        }
        return null;
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase();
        };
    }
}
