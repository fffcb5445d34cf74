package io.castai.events.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local CAST AI API on 127.0.0.1 serving the fixture shapes: it checks X-API-Key, serves the
 * audit log within fromDate/toDate page by page with opaque cursors, unacknowledged
 * notifications with acknowledgement, a cluster and its estimated savings. Failures can be
 * scripted per path.
 */
public final class CastaiApiStandIn implements AutoCloseable {
    public record Call(String method, String path, Map<String, String> query, Map<String, List<String>> headers,
                       String body, Instant at) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final String apiKey;
    private final List<ObjectNode> auditEntries = new CopyOnWriteArrayList<>();
    private volatile boolean refuseEveryCursor;
    private final List<ObjectNode> notifications = new CopyOnWriteArrayList<>();
    private final Set<String> acked = ConcurrentHashMap.newKeySet();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Map<String, ConcurrentLinkedQueue<int[]>> failures = new ConcurrentHashMap<>();
    private final Map<String, ConcurrentLinkedQueue<String>> oddAnswers = new ConcurrentHashMap<>();
    private final Map<String, ConcurrentLinkedQueue<BadAnswer>> badAnswers = new ConcurrentHashMap<>();
    private final Map<String, String> retryAfter = new ConcurrentHashMap<>();

    public CastaiApiStandIn(String apiKey) throws IOException {
        this.apiKey = apiKey;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The three fixture audit entries, re-dated to the last few minutes so any look-back finds them. */
    public CastaiApiStandIn withFixtureAuditEntries() throws IOException {
        Instant now = Instant.now();
        int minutesAgo = 3;
        for (String page : List.of("castai-api/audit-page-1.json", "castai-api/audit-page-2.json")) {
            for (JsonNode item : JSON.readTree(RunningService.fixture(page)).get("items")) {
                ObjectNode entry = item.deepCopy();
                entry.put("time", now.minusSeconds(60L * minutesAgo--).toString());
                auditEntries.add(entry);
            }
        }
        return this;
    }

    public CastaiApiStandIn withFixtureAuditEntriesUnchecked() {
        try {
            return withFixtureAuditEntries();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public CastaiApiStandIn withFixtureNotificationsUnchecked() {
        try {
            return withFixtureNotifications();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public void addAuditEntry(String id, String eventType, Instant time) {
        addAuditEntry(id, eventType, time, "");
    }

    /** {@code note}: put in the entry's event, to make it as large as a test needs. */
    public void addAuditEntry(String id, String eventType, Instant time, String note) {
        ObjectNode entry = JSON.createObjectNode().put("id", id).put("time", time.toString()).put("eventType", eventType);
        entry.putObject("initiatedBy").put("id", "u-1").put("name", "Test User");
        entry.putObject("labels").put("clusterId", "4d2f1b3e-7c1a-4e59-9a3b-2f6c8d0e1a77");
        ObjectNode event = entry.putObject("event");
        if (!note.isEmpty()) {
            event.put("note", note);
        }
        auditEntries.add(entry);
    }

    public CastaiApiStandIn withFixtureNotifications() throws IOException {
        for (JsonNode item : JSON.readTree(RunningService.fixture("castai-api/notifications-unacked.json")).get("items")) {
            notifications.add(item.deepCopy());
        }
        return this;
    }

    /** An unacknowledged notification, as the API lists it (fields as given). */
    public void addNotification(ObjectNode notification) {
        notifications.add(notification);
    }

    /** The next call whose path starts with the prefix gets a 200 with this body instead of its own. */
    public void answerNextWith(String pathPrefix, String body) {
        oddAnswers.computeIfAbsent(pathPrefix, k -> new ConcurrentLinkedQueue<>()).add(body);
    }

    /** The next call whose path starts with the prefix gets this answer. */
    public void answerNextBadly(String pathPrefix, BadAnswer answer) {
        badAnswers.computeIfAbsent(pathPrefix, k -> new ConcurrentLinkedQueue<>()).add(answer);
    }

    /** The next call whose path starts with the prefix gets this status (429 with a Retry-After if given). */
    public void failNext(String pathPrefix, int status, String retryAfterSeconds) {
        failures.computeIfAbsent(pathPrefix, k -> new ConcurrentLinkedQueue<>()).add(new int[] {status});
        if (retryAfterSeconds != null) {
            retryAfter.put(pathPrefix, retryAfterSeconds);
        }
    }

    public List<Call> calls(String pathPrefix) {
        return calls.stream().filter(c -> c.path().startsWith(pathPrefix)).toList();
    }

    public Set<String> acknowledged() {
        return Set.copyOf(acked);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String path = exchange.getRequestURI().getPath();
        Map<String, String> query = parseQuery(exchange.getRequestURI().getRawQuery());
        calls.add(new Call(exchange.getRequestMethod(), path, query, Map.copyOf(exchange.getRequestHeaders()), body,
                Instant.now()));

        if (!apiKey.equals(exchange.getRequestHeaders().getFirst("X-API-Key"))) {
            // as some APIs do, the refusal quotes the key it was given: the service must not log it
            respond(exchange, 401, "{\"message\":\"Unauthorized: invalid key "
                    + exchange.getRequestHeaders().getFirst("X-API-Key") + "\"}");
            return;
        }
        for (Map.Entry<String, ConcurrentLinkedQueue<BadAnswer>> bad : badAnswers.entrySet()) {
            BadAnswer answer = path.startsWith(bad.getKey()) ? bad.getValue().poll() : null;
            if (answer != null) {
                answer.writeTo(exchange);
                return;
            }
        }
        for (Map.Entry<String, ConcurrentLinkedQueue<String>> odd : oddAnswers.entrySet()) {
            String answer = path.startsWith(odd.getKey()) ? odd.getValue().poll() : null;
            if (answer != null) {
                respond(exchange, 200, answer);
                return;
            }
        }
        for (Map.Entry<String, ConcurrentLinkedQueue<int[]>> failure : failures.entrySet()) {
            int[] status = path.startsWith(failure.getKey()) ? failure.getValue().poll() : null;
            if (status != null) {
                String wait = retryAfter.get(failure.getKey());
                if (wait != null) {
                    exchange.getResponseHeaders().add("Retry-After", wait);
                }
                respond(exchange, status[0], "{\"message\":\"try later\"}");
                return;
            }
        }
        try {
            if (path.equals("/v1/audit")) {
                respond(exchange, 200, auditPage(query));
            } else if (path.equals("/v1/notifications") && exchange.getRequestMethod().equals("GET")) {
                respond(exchange, 200, notificationsPage(query));
            } else if (path.equals("/v1/notifications/ack")) {
                JSON.readTree(body).get("ids").forEach(id -> acked.add(id.asText()));
                respond(exchange, 200, "{}");
            } else if (path.matches("/v1/kubernetes/external-clusters/[^/]+/estimated-savings")) {
                respond(exchange, 200, RunningService.fixture("castai-api/estimated-savings.json"));
            } else if (path.matches("/v1/kubernetes/external-clusters/[^/]+")) {
                String id = path.substring(path.lastIndexOf('/') + 1);
                respond(exchange, 200, "{\"id\":\"" + id + "\",\"name\":\"staging-us-east\"}");
            } else {
                respond(exchange, 404, "{\"message\":\"not found\"}");
            }
        } catch (UnknownCursorException e) {
            respond(exchange, 400, "{\"message\":\"invalid page.cursor\"}");
        }
    }

    private String auditPage(Map<String, String> query) throws IOException {
        Instant from = Instant.parse(query.get("fromDate"));
        Instant to = Instant.parse(query.get("toDate"));
        int limit = Integer.parseInt(query.getOrDefault("page.limit", "100"));
        int offset = offset(query);
        List<ObjectNode> inWindow = new ArrayList<>();
        for (ObjectNode entry : auditEntries) {
            Instant time = Instant.parse(entry.get("time").asText());
            if (!time.isBefore(from) && time.isBefore(to)) {
                inWindow.add(entry);
            }
        }
        ObjectNode page = JSON.createObjectNode();
        ArrayNode items = page.putArray("items");
        inWindow.stream().skip(offset).limit(limit).forEach(items::add);
        int next = offset + limit;
        page.put("nextCursor", next < inWindow.size()
                ? Base64.getEncoder().encodeToString(String.valueOf(next).getBytes(StandardCharsets.UTF_8)) : "");
        return JSON.writeValueAsString(page);
    }

    private String notificationsPage(Map<String, String> query) throws IOException {
        int limit = Integer.parseInt(query.getOrDefault("page.limit", "100"));
        // an offset into the unacknowledged list: an acknowledgement shifts it
        int offset = offset(query);
        List<JsonNode> unacked = notifications.stream().filter(n -> !acked.contains(n.get("id").asText()))
                .map(n -> (JsonNode) n).toList();
        ObjectNode page = JSON.createObjectNode();
        ArrayNode items = page.putArray("items");
        unacked.stream().skip(offset).limit(limit).forEach(items::add);
        int next = offset + limit;
        page.put("count", unacked.size()).put("countUnacked", unacked.size()).put("nextCursor", next < unacked.size()
                ? Base64.getEncoder().encodeToString(String.valueOf(next).getBytes(StandardCharsets.UTF_8)) : "");
        return JSON.writeValueAsString(page);
    }

    /** From now on every page cursor is refused with a 400, even one given a moment ago. */
    public void refuseEveryCursor() {
        refuseEveryCursor = true;
    }

    /** The page cursor: an offset into the list, base64-encoded so it is opaque. */
    private int offset(Map<String, String> query) throws UnknownCursorException {
        String cursor = query.getOrDefault("page.cursor", "");
        if (refuseEveryCursor && !cursor.isEmpty()) {
            throw new UnknownCursorException();
        }
        try {
            return cursor.isEmpty() ? 0 : Integer.parseInt(new String(Base64.getDecoder().decode(cursor), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new UnknownCursorException();
        }
    }

    /** A cursor this stand-in never gave (expired, say): refused with a 400, as a request it cannot read. */
    private static final class UnknownCursorException extends IOException {
    }

    private static Map<String, String> parseQuery(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.put(key, value);
        }
        return query;
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
