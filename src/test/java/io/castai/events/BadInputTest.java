package io.castai.events;

import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.support.ServiceFixture;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Every kind of bad request gets a precise 4xx with a JSON error, and the service keeps serving. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
    private static final int BODY_LIMIT = 4096;
    private static final String ADMIN_TOKEN = "admin-token-for-bad-input";

    private ServiceFixture app;

    @BeforeAll
    void start() throws Exception {
        app = ServiceFixture.start(settings -> settings.property("intake.max-body-bytes", BODY_LIMIT)
                .property("admin.token", ADMIN_TOKEN)
                .property("intake.request-timeout-ms", 3000));
    }

    @AfterAll
    void stop() {
        app.close();
    }

    static Stream<Arguments> badBodies() {
        return Stream.of(
                arguments("malformed JSON", "{\"eventType\": \"node.added\",", 400, "malformed JSON at line 1, column"),
                arguments("trailing garbage", "{\"eventType\":\"node.added\"} x", 400, "malformed JSON"),
                arguments("a key given twice", "{\"eventType\":\"node.added\",\"eventType\":\"node.removed\"}", 400,
                        "malformed JSON: a key given twice at line 1, column"),
                arguments("a number out of range", "{\"eventType\":\"savings.threshold\",\"data\":{\"savingsImpact\":1e999999}}",
                        400, "'data.savingsImpact' is out of range"),
                arguments("JSON nested too deep", "{\"eventType\":\"node.added\",\"data\":" + "[".repeat(1200)
                        + "]".repeat(1200) + "}", 400, "JSON beyond a limit of this service: document nesting depth 1001, over 1000"),
                arguments("a number too long", "{\"eventType\":\"node.added\",\"n\":" + "9".repeat(1500) + "}", 400,
                        "JSON beyond a limit of this service: number value length 1500, over 1000"),
                arguments("an array", "[{\"eventType\":\"node.added\"}]", 400,
                        "request body must be a JSON object, not an array"),
                arguments("a string", "\"node.added\"", 400, "request body must be a JSON object, not a string"),
                arguments("empty body", "", 400, "request body is empty"),
                arguments("white space only", "  \n ", 400, "request body is empty"),
                arguments("no eventType", "{\"clusterId\":\"c-1\"}", 400, "missing required field 'eventType'"),
                arguments("empty eventType", "{\"eventType\":\"  \"}", 400, "'eventType' must not be empty"),
                arguments("numeric eventType", "{\"eventType\":42}", 400, "'eventType' must be a string, not a number"),
                arguments("null eventType", "{\"eventType\":null}", 400, "'eventType' must be a string, not null"),
                arguments("object eventType", "{\"eventType\":{}}", 400, "'eventType' must be a string, not an object"),
                arguments("eventType with a line break", "{\"eventType\":\"node.added\\nFAKE LOG LINE\"}", 400,
                        "'eventType' may hold only letters"),
                arguments("data not an object", "{\"eventType\":\"node.added\",\"data\":[1]}", 400,
                        "'data' must be an object, not an array"),
                arguments("an object as the node's name", "{\"eventType\":\"node.added\",\"data\":{\"nodeName\":{\"a\":1}}}", 400,
                        "'data.nodeName' must be a string, not an object"),
                arguments("a word as the savings impact", "{\"eventType\":\"savings.threshold\",\"data\":{\"savingsImpact\":\"abc\"}}",
                        400, "'data.savingsImpact' must be a number (or one written as a string), not a word"),
                arguments("unknown severity", "{\"eventType\":\"node.added\",\"severity\":\"LOUD\"}", 400,
                        "'severity' must be one of CRITICAL, ERROR, WARNING, INFO, SUCCESS"),
                arguments("console without Name", "{\"NotificationID\":\"n-1\",\"Severity\":\"CRITICAL\"}", 400,
                        "console notification is missing 'Name'"),
                arguments("console with empty Name", "{\"NotificationID\":\"n-2\",\"Name\":\"\"}", 400,
                        "console notification is missing 'Name'"),
                arguments("over-long id", "{\"eventType\":\"a\",\"id\":\"" + "x".repeat(300) + "\"}", 400,
                        "'id' is longer than 256 characters"),
                arguments("id with a NUL", "{\"eventType\":\"a\",\"id\":\"x\\u0000y\"}", 400,
                        "'id' holds a control character or invalid UTF-16"),
                arguments("id with a line separator (U+2028)", "{\"eventType\":\"a\",\"id\":\"x\\u2028y\"}", 400,
                        "'id' holds a control character or invalid UTF-16"),
                arguments("id with half a surrogate pair", "{\"eventType\":\"a\",\"id\":\"s\\ud800\"}", 400,
                        "'id' holds a control character or invalid UTF-16"),
                arguments("over the size limit", "{\"eventType\":\"node.added\",\"pad\":\"" + "x".repeat(BODY_LIMIT) + "\"}",
                        413, "request body is larger than the configured limit"));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("badBodies")
    void isRefusedWithAPreciseJsonError(String what, String body, int status, String error) throws Exception {
        HttpResponse<String> response = app.service.postEvent(body);

        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(new ObjectMapper().readTree(response.body()).get("error").asText()).contains(error);
        assertStillServing();
    }

    @Test
    void aFormBodyIsRefusedAsUnsupported() throws Exception {
        HttpResponse<String> response = app.service.postEvent("eventType=node.added",
                "Content-Type", "application/x-www-form-urlencoded");

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(new ObjectMapper().readTree(response.body()).get("error").asText())
                .isEqualTo("request body must be JSON, sent as application/json");
        assertStillServing();
    }

    @Test
    void aCompressedOrMultipartBodyIsRefusedAsUnsupported() throws Exception {
        HttpResponse<String> gzipped = app.service.postEvent("{\"eventType\":\"a\"}", "Content-Encoding", "gzip");
        HttpResponse<String> multipart = app.service.postEvent("--xx\r\nContent-Disposition: form-data; name=\"f\"; "
                + "filename=\"e.json\"\r\n\r\n{\"eventType\":\"a\"}\r\n--xx--\r\n", "Content-Type", "multipart/form-data; boundary=xx");

        assertThat(gzipped.statusCode()).isEqualTo(415);
        assertThat(new ObjectMapper().readTree(gzipped.body()).get("error").asText())
                .isEqualTo("Content-Encoding gzip is not supported: send the JSON uncompressed");
        assertThat(multipart.statusCode()).isEqualTo(415);
        assertThat(new ObjectMapper().readTree(multipart.body()).get("error").asText())
                .isEqualTo("request body must be JSON, sent as application/json");
        assertThat(app.service.postEvent("{\"eventType\":\"a\"}", "Content-Encoding", "identity").statusCode()).isEqualTo(200);
        assertStillServing();
    }

    @Test
    void aBodyCompressedByItsTransferCodingIsRefusedAsUnsupported() throws Exception {
        // the server undoes chunked, not gzip: read as JSON, the body would be "malformed"
        String request = "POST /castai/events HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n5\r\n\u001f\u008b\b\u0000\u0000\r\n0\r\n\r\n";
        try (Socket sender = app.service.openRaw(request)) {
            sender.setSoTimeout(10_000);
            assertThat(new String(sender.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1))
                    .startsWith("HTTP/1.1 415")
                    .contains("{\"error\":\"Transfer-Encoding gzip is not supported: send the JSON uncompressed\"}");
        }
        assertStillServing();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/castai/events", "/admin/dead-letters"})
    void aFormSentWithAMethodThatCannotHaveOneIsRefusedWithJson(String path) throws Exception {
        // Vert.x refuses to decode a GET's form with an IllegalStateException: was a 500 and an ERROR line
        HttpResponse<String> response = app.service.send("GET", path, "limit=5",
                "Authorization", "Bearer " + ADMIN_TOKEN, "Content-Type", "application/x-www-form-urlencoded");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(new ObjectMapper().readTree(response.body()).get("error").asText()).isEqualTo("bad request");
        assertStillServing();
    }

    @Test
    void aFormTheServerCannotDecodeIsRefusedWithJson() throws Exception {
        HttpResponse<String> response = app.service.postEvent("a=%zz&b=%", "Content-Type", "application/x-www-form-urlencoded");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(new ObjectMapper().readTree(response.body()).get("error").asText()).isEqualTo("bad request");
        assertStillServing();
    }

    @Test
    void aDeliveryIdHeaderWithAControlCharacterIsRefused() throws Exception {
        HttpResponse<String> response = app.service.postEvent("{\"eventType\":\"a\"}", "Idempotency-Key", "a\tb");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(new ObjectMapper().readTree(response.body()).get("error").asText())
                .isEqualTo("delivery id header holds a control character");
    }

    @Test
    void anotherMethodIsRefused() throws Exception {
        HttpResponse<String> response = app.service.get("/castai/events");

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
        assertThat(new ObjectMapper().readTree(response.body()).get("error").asText()).isEqualTo("only POST is accepted here");
    }

    @Test
    void aPathNoEndpointServesIsRefusedWithJson() throws Exception {
        long started = System.nanoTime();
        List<HttpResponse<String>> responses = List.of(app.service.get("/nothing/here"),
                app.service.send("POST", "/castai/event", "{\"eventType\":\"a\"}"), app.service.get("/"));
        // a slow machine may take over a second for the three: a line for each second begun
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        for (HttpResponse<String> response : responses) {
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(new ObjectMapper().readTree(response.body()).get("error").asText()).isEqualTo("no such endpoint");
        }
        assertThat(app.log.linesContaining("Rejected request to /nothing/here: no such endpoint")).isNotEmpty();
        assertThat(app.log.linesContaining("no such endpoint")).as("at most a line a second").hasSizeBetween(1, (int) (1 + seconds));
        // the endpoints themselves are untouched
        assertThat(app.service.get("/observe/health").statusCode()).isEqualTo(200);
        assertThat(app.service.get("/observe/metrics").body()).containsPattern("castai_events_rejected_total\\{reason=\"unknown_path\"} [1-9]");
        assertStillServing();
    }

    @Test
    void aQueryTheHealthEndpointCannotDecodeGetsAJson400AndOneLineWithoutTheQuery() throws Exception {
        app.reset();
        String answer = app.service.sendRaw("GET /observe/health?token=not-for-the-log&x=%zz HTTP/1.1\r\nHost: a\r\n"
                + "Connection: close\r\n\r\n", false);

        assertThat(answer).startsWith("HTTP/1.1 400");
        assertThat(answer).contains("application/json").endsWith("{\"error\":\"bad request\"}");
        assertThat(app.log.text()).doesNotContain("not-for-the-log").doesNotContain("\tat ");
        assertThat(app.log.linesContaining("Rejected request to /observe/health: bad request")).hasSize(1);
        assertStillServing();
    }

    @Test
    void aPathThatDoesNotDecodeGetsAJson400AndOneWarningNotAnError() throws Exception {
        app.reset();
        String answer = app.service.sendRaw("POST /castai/events/%zz HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                + "Content-Length: 2\r\nConnection: close\r\n\r\n{}", false);

        assertThat(answer).startsWith("HTTP/1.1 400");
        assertThat(answer).contains("application/json").endsWith("{\"error\":\"bad request\"}");
        assertThat(app.log.linesContaining("ERROR")).isEmpty();
        assertThat(app.log.linesContaining("Rejected a request: bad request (its path does not decode)")).hasSize(1);
        assertThat(app.service.get("/observe/metrics").body()).containsPattern("castai_events_rejected_total\\{reason=\"undecodable\"} [1-9]");
        assertStillServing();
    }

    @Test
    void aChunkSizeThatIsNotANumberIsTheSendersMistakeNotAnError() throws Exception {
        app.reset();
        app.service.sendRaw("POST /castai/events HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\nzz\r\n", false);

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> !app.log.linesContaining("Rejected request to /castai/events: bad request").isEmpty());
        assertThat(app.log.text()).doesNotContain("ERROR").doesNotContain("\tat ");
        assertStillServing();
    }

    @Test
    void aSenderThatHangsUpMidBodyIsCountedNotLoggedAsAnError() throws Exception {
        app.reset();
        double before = rejected("client_closed");
        app.service.sendRaw("POST /castai/events HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                + "Content-Length: 100\r\n\r\n{\"eventType\"", true);

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> rejected("client_closed") == before + 1);
        // anyone can open connections and drop them: no ERROR line, no stack trace per connection
        assertThat(app.log.text()).doesNotContain("ERROR").doesNotContain("\tat ");
        assertStillServing();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/castai/events", "/castai/routes/test", "/admin/dead-letters/replay", "/admin/dead-letters/discard"})
    void aSenderThatStallsMidBodyGetsAJson503AndItsConnectionClosed(String path) throws Exception {
        long started = System.nanoTime();
        // 12 of 100 bytes, then nothing: without a request timeout the connection was held for ever
        String credentials = path.startsWith("/admin/") ? "Authorization: Bearer " + ADMIN_TOKEN + "\r\n" : "";
        String answer = app.service.sendRaw("POST " + path + " HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                + credentials + "Content-Length: 100\r\n\r\n{\"eventType\"", false);

        assertThat(answer).startsWith("HTTP/1.1 503").contains("application/json")
                .endsWith("{\"error\":\"the request was not complete in time: retry\"}");
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).as("answered, and closed, before the 10 s read gave up")
                .isLessThan(java.time.Duration.ofSeconds(9));
        assertThat(rejected("timeout")).isPositive();
        assertStillServing();
    }

    @Test
    void anHttp2SenderThatStallsMidBodyGetsTheJson503Too() throws Exception {
        // the server also speaks HTTP/2 in the clear (h2c), where a Connection header is forbidden
        Vertx vertx = Vertx.vertx();
        try {
            HttpClient client = vertx.createHttpClient(new HttpClientOptions()
                    .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
            int port = java.net.URI.create(app.service.url("/")).getPort();
            record Answer(HttpVersion version, int status, String body) {
            }
            Answer answer = client.request(HttpMethod.POST, port, "127.0.0.1", "/castai/events")
                    .compose(request -> {
                        request.putHeader("Content-Type", "application/json").putHeader("Content-Length", "100");
                        request.write("{\"eventType\"");
                        return request.response();
                    })
                    // the body read as the answer arrives, on Vert.x's thread: asked later, it is gone
                    .compose(response -> response.body().map(body -> new Answer(response.version(), response.statusCode(),
                            body.toString())))
                    .toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(answer.version()).isEqualTo(HttpVersion.HTTP_2);
            assertThat(answer.status()).isEqualTo(503);
            assertThat(answer.body()).isEqualTo("{\"error\":\"the request was not complete in time: retry\"}");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertStillServing();
    }

    @Test
    void anHttp2BodyLongerThanItsContentLengthIsTheSendersMistakeNotAnError() throws Exception {
        // Netty fails the stream (Http2Exception): each was an unlimited ERROR line and a 500,
        // which anyone could cause where the intake is open or signed (before the body is read)
        double before = rejected("undecodable");
        double errorsBefore = rejected("error");
        Vertx vertx = Vertx.vertx();
        try {
            HttpClient client = vertx.createHttpClient(new HttpClientOptions()
                    .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
            int port = java.net.URI.create(app.service.url("/")).getPort();
            for (int i = 0; i < 3; i++) {
                Integer status = client.request(HttpMethod.POST, port, "127.0.0.1", "/castai/events")
                        .compose(request -> {
                            request.putHeader("Content-Type", "application/json").putHeader("Content-Length", "10");
                            return request.send("{\"eventType\":\"node.added\",\"id\":\"h2-longer\"}").map(response -> response.statusCode());
                        })
                        // the stream may be reset instead of answered: either is the sender's to see
                        .otherwise(reset -> -1)
                        .toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(status).isIn(400, -1);
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> rejected("undecodable") >= before + 3);
        assertThat(app.log.linesContaining("ERROR")).isEmpty();
        assertThat(rejected("error")).isEqualTo(errorsBefore);
        assertStillServing();
    }

    @Test
    void largeBodiesBeyondTheMemoryBudgetAreTurnedAwayBeforeTheyAreRead() throws Exception {
        try (ServiceFixture small = smallBodyBudget()) {
            String large = largeEvent("large-%s");
            String stall = stalledBody("POST");
            try (Socket stalled = small.service.openRaw(stall)) {
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(2))
                        .until(() -> small.service.postEvent(large.formatted("1")).statusCode() == 503);
                HttpResponse<String> busy = small.service.postEvent(large.formatted("2"));
                assertThat(busy.statusCode()).isEqualTo(503);
                assertThat(busy.headers().firstValue("Retry-After")).hasValue("1");
                assertThat(new ObjectMapper().readTree(busy.body()).get("error").asText()).isEqualTo("too many large requests at once: retry");
                assertThat(small.service.postEvent("{\"eventType\":\"node.added\",\"id\":\"small-1\"}").statusCode())
                        .as("an ordinary event still fits").isEqualTo(200);

                // the stalled request times out: its share is given back with the answer
                stalled.setSoTimeout(10_000);
                assertThat(new String(stalled.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1))
                        .startsWith("HTTP/1.1 503").endsWith("{\"error\":\"the request was not complete in time: retry\"}");
                assertThat(small.service.postEvent(large.formatted("3")).statusCode()).isEqualTo(200);
            }
            try (Socket stalled = small.service.openRaw(stall)) {
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(2))
                        .until(() -> small.service.postEvent(large.formatted("4")).statusCode() == 503);
            }
            // the stalled sender gone, its share is given back
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> small.service.postEvent(large.formatted("5")).statusCode() == 200);
            assertThat(small.log.linesContaining("Rejected request to intake: too many large requests at once: retry"))
                    .isNotEmpty();
            assertThat(small.service.get("/observe/metrics").body()).containsPattern("castai_events_rejected_total\\{reason=\"busy\"} [1-9]");
        }
    }

    @Test
    void anHttp2BodyWithoutALengthCountsAgainstTheMemoryBudgetAtTheBodyLimit() throws Exception {
        // HTTP/2 has no chunked encoding: a body without Content-Length is announced by nothing
        // but its DATA frames, and may be as large as the limit allows
        try (ServiceFixture small = smallBodyBudget()) {
            Vertx vertx = Vertx.vertx();
            try {
                HttpClient client = vertx.createHttpClient(new HttpClientOptions()
                        .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
                int port = java.net.URI.create(small.service.url("/")).getPort();
                client.request(HttpMethod.POST, port, "127.0.0.1", "/castai/events").compose(request -> {
                    // Vert.x's guard for HTTP/1.1; over HTTP/2 it sends no Transfer-Encoding (forbidden there)
                    request.putHeader("Content-Type", "application/json").setChunked(true);
                    return request.write("{\"eventType\"");
                }).toCompletionStage().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);

                String large = largeEvent("h2-%s");
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(2))
                        .until(() -> small.service.postEvent(large.formatted("1")).statusCode() == 503);
                assertThat(small.service.postEvent("{\"eventType\":\"node.added\",\"id\":\"h2-small\"}").statusCode())
                        .as("an ordinary event still fits").isEqualTo(200);
            } finally {
                vertx.close().toCompletionStage().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
            }
            // the stream gone with its connection, its share is given back
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> small.service.postEvent(largeEvent("h2-%s").formatted("2")).statusCode() == 200);
        }
    }

    /** Room for one body of the largest size (200,000 bytes) and a few small events, not two large ones. */
    private static ServiceFixture smallBodyBudget() throws java.io.IOException {
        return ServiceFixture.start(settings -> settings.property("intake.max-body-bytes", 200_000)
                .property("intake.max-inflight-bytes", 300_000).property("intake.request-timeout-ms", 3000));
    }

    /** {@code id}: a format for the event's id ({@code %s}, filled by the caller). */
    private static String largeEvent(String id) {
        return "{\"eventType\":\"node.added\",\"id\":\"" + id + "\",\"data\":{\"pad\":\"" + "x".repeat(190_000) + "\"}}";
    }

    /** A request that declares the largest body and sends a few bytes of it. */
    private static String stalledBody(String method) {
        return method + " /castai/events HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                + "Content-Length: 200000\r\n\r\n{\"eventType\"";
    }

    @Test
    void aBodySentWithAnotherMethodCountsAgainstTheMemoryBudgetToo() throws Exception {
        // the server reads a PUT's body whole before the route answers 405
        try (ServiceFixture small = smallBodyBudget()) {
            String large = largeEvent("put-%s");
            String stall = stalledBody("PUT");
            try (Socket stalled = small.service.openRaw(stall)) {
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(2))
                        .until(() -> small.service.postEvent(large.formatted("1")).statusCode() == 503);
                assertThat(small.service.get("/castai/events").statusCode())
                        .as("a request without a body takes none of it: the wrong method's answer").isEqualTo(405);
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> small.service.postEvent(large.formatted("2")).statusCode() == 200);
        }
    }

    @Test
    void aSenderThatResetsItsConnectionMidBodyIsCountedNotLoggedAsAnError() throws Exception {
        app.reset();
        double before = rejected("client_closed");
        Socket reset = app.service.openRaw("POST /castai/events HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                + "Content-Length: 100\r\n\r\n{\"eventType\"");
        // the request under way (a reset before its headers are read is no request): a busy machine's
        // event loop may take a while to read them, and the request timeout is 30 s
        Thread.sleep(2000);
        reset.setSoLinger(true, 0); // closed with a RST, not a FIN
        reset.close();

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> rejected("client_closed") >= before + 1);
        // and it stays at one: a reset comes twice (the socket's error, then the closed connection)
        org.awaitility.Awaitility.await().during(java.time.Duration.ofMillis(300)).atMost(java.time.Duration.ofSeconds(2))
                .until(() -> rejected("client_closed") == before + 1);
        assertThat(app.log.text()).doesNotContain("ERROR").doesNotContain("\tat ");
        assertStillServing();
    }

    @Test
    void aRejectionIsLoggedWithoutTheBody() {
        app.reset(); // the log of this request only: other tests log the same line
        app.service.postEvent("{\"eventType\":42,\"secretish\":\"do-not-log-me\"}");

        assertThat(app.log.linesContaining("Rejected event: 'eventType' must be a string, not a number")).isNotEmpty();
        assertThat(app.log.text()).doesNotContain("do-not-log-me");
    }

    @Test
    void rejectionsAreCounted() {
        double before = rejected("invalid");
        app.service.postEvent("[]");

        assertThat(rejected("invalid")).as("this one request, counted once").isEqualTo(before + 1);
    }

    /** castai_events_rejected_total for a reason, now (the service and its counters are shared by the class). */
    private double rejected(String reason) {
        Matcher counter = Pattern.compile("castai_events_rejected_total\\{reason=\"" + reason + "\"} ([0-9.E+]+)")
                .matcher(app.service.get("/observe/metrics").body());
        return counter.find() ? Double.parseDouble(counter.group(1)) : 0;
    }

    private void assertStillServing() {
        String fresh = "{\"eventType\":\"cluster.checked\",\"id\":\"" + System.nanoTime() + "\"}";
        assertThat(app.service.postEvent(fresh).statusCode()).isEqualTo(200);
    }
}
