package io.castai.events.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import static org.awaitility.Awaitility.await;

/**
 * A real HTTP server on 127.0.0.1 standing in for Slack, PagerDuty or any webhook receiver:
 * it records every request and answers with scripted responses (then a default one).
 */
public final class HttpStandIn implements AutoCloseable {
    public record Request(String method, String path, Map<String, List<String>> headers, String body, Instant at) {
        public String header(String name) {
            for (Map.Entry<String, List<String>> h : headers.entrySet()) {
                if (h.getKey() != null && h.getKey().equalsIgnoreCase(name) && !h.getValue().isEmpty()) {
                    return h.getValue().get(0);
                }
            }
            return null;
        }
    }

    public record Response(int status, String body, Map<String, String> headers) {
    }

    private static final String PAGERDUTY_ACCEPTED = "{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":\"x\"}";
    private final HttpServer server;
    private final ExecutorService threads;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Response> script = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<BadAnswer> badAnswers = new ConcurrentLinkedQueue<>();
    private final Response initial;
    private volatile Response otherwise;
    private volatile CountDownLatch hold;
    /** Slack's rate limit: at most one answer of the default kind this often, else a 429 (null: no limit). */
    private volatile Duration oneEvery;
    private Instant lastAllowed = Instant.EPOCH;
    private final java.util.concurrent.atomic.AtomicInteger rateLimited = new java.util.concurrent.atomic.AtomicInteger();

    public HttpStandIn(int defaultStatus, String defaultBody) throws IOException {
        this(defaultStatus, defaultBody, false);
    }

    /** {@code concurrently}: each request answered on a thread of its own (a held one holds up no other). */
    private HttpStandIn(int defaultStatus, String defaultBody, boolean concurrently) throws IOException {
        this.initial = new Response(defaultStatus, defaultBody, Map.of());
        this.otherwise = initial;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        this.threads = concurrently ? Executors.newCachedThreadPool() : null;
        server.setExecutor(threads);
        server.start();
    }

    /** PagerDuty answering each request on its own thread. */
    public static HttpStandIn pagerDutyAnsweringConcurrently() throws IOException {
        return new HttpStandIn(202, PAGERDUTY_ACCEPTED, true);
    }

    /** Slack answers 200 "ok"; PagerDuty 202 with a JSON status. */
    public static HttpStandIn slack() throws IOException {
        return new HttpStandIn(200, "ok");
    }

    public static HttpStandIn pagerDuty() throws IOException {
        return new HttpStandIn(202, PAGERDUTY_ACCEPTED);
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** The next requests get these answers, in order; after them, the default answer. */
    public HttpStandIn thenRespond(int status, String body, Map<String, String> headers) {
        script.add(new Response(status, body, headers));
        return this;
    }

    public HttpStandIn thenRespond(int status, String body) {
        return thenRespond(status, body, Map.of());
    }

    public void respondByDefault(int status, String body) {
        this.otherwise = new Response(status, body, Map.of());
    }

    /** The next request gets this answer, before any scripted one. */
    public HttpStandIn thenAnswerBadly(BadAnswer answer) {
        badAnswers.add(answer);
        return this;
    }

    /**
     * A channel that hangs: a request is recorded, then not answered until {@code release} is
     * counted down (at most 30 s). The stand-in answers one request at a time, so later ones wait
     * unread behind it.
     */
    public void holdAnswersUntil(CountDownLatch release) {
        this.hold = release;
    }

    /** A rate limit as Slack's: a request within {@code interval} of the last one let through gets 429, Retry-After: 1. */
    public void allowOneEvery(Duration interval) {
        this.oneEvery = interval;
    }

    /** How many requests the rate limit ({@link #allowOneEvery}) answered 429. */
    public int rateLimited() {
        return rateLimited.get();
    }

    public List<Request> requests() {
        return new ArrayList<>(requests);
    }

    /** Waits until at least n requests have arrived and returns them all. */
    public List<Request> awaitRequests(int n) {
        await().atMost(Duration.ofSeconds(15)).until(() -> requests.size() >= n);
        return requests();
    }

    /** The first request whose body holds {@code text}: one of a previous test may still land after a reset. */
    public Request awaitRequestContaining(String text) {
        await().atMost(Duration.ofSeconds(15)).until(() -> requests().stream().anyMatch(r -> r.body().contains(text)));
        return requests().stream().filter(r -> r.body().contains(text)).findFirst().orElseThrow();
    }

    /**
     * Waits until no request has come for {@code quiet}: after a sender is killed, what it had in
     * flight lands before a {@link #reset} (read after it, one was counted, and answered, as new).
     */
    public void awaitQuiet(Duration quiet) {
        await().atMost(quiet.plusSeconds(10)).until(() -> requests.isEmpty()
                || Duration.between(requests.get(requests.size() - 1).at(), Instant.now()).compareTo(quiet) >= 0);
    }

    /** Forgets recorded requests and scripted answers, and answers as it did when created. */
    public void reset() {
        requests.clear();
        script.clear();
        badAnswers.clear();
        otherwise = initial;
        hold = null;
        oneEvery = null;
        rateLimited.set(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                    Map.copyOf(exchange.getRequestHeaders()), body, Instant.now()));
        }
        CountDownLatch release = hold;
        if (release != null) {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        BadAnswer bad = badAnswers.poll();
        if (bad != null) {
            bad.writeTo(exchange);
            return;
        }
        Response response = script.poll();
        if (response == null) {
            response = otherwise;
        }
        Duration interval = oneEvery;
        if (interval != null) {
            Instant now = Instant.now();
            if (Duration.between(lastAllowed, now).compareTo(interval) < 0) {
                response = new Response(429, "rate_limited", Map.of("Retry-After", "1"));
                rateLimited.incrementAndGet();
            } else {
                lastAllowed = now;
            }
        }
        response.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
        if (threads != null) {
            threads.shutdownNow();
        }
    }
}
