package io.castai.events;

import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.security.WebhookSignature;
import io.castai.events.support.ServiceFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Nobody without the token (or a valid signature) can inject an event. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InboundAuthTest {
    private static final String TOKEN = "intake-token-5ecre7";
    private static final String ADMIN_TOKEN = "admin-token-5ecre7";
    private static final String SIGNING_SECRET =
            "whsec_" + Base64.getEncoder().encodeToString("a-32-byte-signing-key-for-tests!".getBytes(StandardCharsets.UTF_8));
    private static final ObjectMapper JSON = new ObjectMapper();

    private ServiceFixture app;
    private int counter;

    @BeforeAll
    void start() throws Exception {
        app = ServiceFixture.start(settings -> settings
                .property("webhook.token", TOKEN)
                .property("webhook.signing-secret", SIGNING_SECRET)
                .property("admin.token", ADMIN_TOKEN));
    }

    @AfterAll
    void stop() {
        app.service.close();
        assertThat(app.log.text()).doesNotContain(TOKEN).doesNotContain(SIGNING_SECRET).doesNotContain(ADMIN_TOKEN);
        app.close();
    }

    @BeforeEach
    void reset() {
        app.reset();
    }

    @Test
    void theTokenIsAcceptedAsABearerAHeaderOrAQueryParameter() {
        assertAccepted(app.service.postEvent(nextEvent(), "Authorization", "Bearer " + TOKEN));
        assertAccepted(app.service.postEvent(nextEvent(), "X-Webhook-Token", TOKEN));
        assertAccepted(app.service.send("POST", "/castai/events?token=" + TOKEN, nextEvent()));
        app.slack.awaitRequests(3);
    }

    @Test
    void aQueryParameterOtherThanTheTokenStandsForNoHeader() {
        // pasted into a sender's URL, an Idempotency-Key made every later event without an id a duplicate
        String withoutId = "{\"eventType\":\"node.added\",\"clusterName\":\"prod-%s\",\"data\":{\"nodeName\":\"n-%s\"}}";
        assertAccepted(app.service.send("POST", "/castai/events?Idempotency-Key=same&webhook-id=same", withoutId.formatted("a", "1"),
                "Authorization", "Bearer " + TOKEN));
        assertAccepted(app.service.send("POST", "/castai/events?Idempotency-Key=same&webhook-id=same", withoutId.formatted("b", "2"),
                "Authorization", "Bearer " + TOKEN));
        // nor a signature to check, nor an encoding to refuse
        assertAccepted(app.service.send("POST", "/castai/events?webhook-signature=x&Content-Encoding=gzip", nextEvent(),
                "Authorization", "Bearer " + TOKEN));
        assertAccepted(app.service.send("POST", "/castai/events?token=" + TOKEN + "&Idempotency-Key=same",
                withoutId.formatted("c", "3")));
        // delivered before the next test resets the stand-in, not into it
        app.slack.awaitRequests(4);
    }

    @Test
    void whileATokenIsRotatedTheOldAndTheNewAreBothAccepted() throws Exception {
        String old = "old-intake-token-0123456789";
        String rotated = "new-intake-token-9876543210";
        String oldAdmin = "old-admin-token-0123456789";
        String newAdmin = "new-admin-token-9876543210";
        try (ServiceFixture rotating = ServiceFixture.start(settings -> settings
                .property("webhook.token", old + ", " + rotated).property("admin.token", oldAdmin + "," + newAdmin))) {
            assertAccepted(rotating.service.postEvent(nextEvent(), "Authorization", "Bearer " + old));
            assertAccepted(rotating.service.postEvent(nextEvent(), "X-Webhook-Token", rotated));
            assertRefused(rotating.service.postEvent(nextEvent(), "Authorization", "Bearer " + old + ", " + rotated),
                    "invalid credentials");
            for (String admin : List.of(oldAdmin, newAdmin)) {
                assertThat(rotating.service.send("GET", "/admin/dead-letters", null, "Authorization", "Bearer " + admin)
                        .statusCode()).isEqualTo(200);
            }
            assertThat(rotating.service.send("GET", "/admin/dead-letters", null, "Authorization", "Bearer " + old).statusCode())
                    .as("the intake's token is not the admin's").isEqualTo(401);
            // each token is a secret of its own to the log
            rotating.service.send("POST", "/castai/events/" + rotated, nextEvent());
            rotating.service.close();
            assertThat(rotating.log.text()).doesNotContain(old).doesNotContain(rotated).doesNotContain(oldAdmin)
                    .doesNotContain(newAdmin).contains("Rejected request to /castai/events/<secret>");
        }
    }

    @Test
    void withoutTheRightTokenNothingIsProcessed() throws Exception {
        assertRefused(app.service.postEvent(nextEvent()), "missing credentials: send Authorization: Bearer <token>");
        // a scheme other than Bearer is not a missing credential but a wrong one
        assertRefused(app.service.postEvent(nextEvent(), "Authorization", "Basic dXNlcjpwYXNz"),
                "invalid credentials: send Authorization: Bearer <token>");
        assertRefused(app.service.postEvent(nextEvent(), "Authorization", "Bearer wrong"), "invalid credentials");
        assertRefused(app.service.postEvent(nextEvent(), "X-Webhook-Token", TOKEN + "x"), "invalid credentials");
        assertRefused(app.service.send("POST", "/castai/events?token=nope", nextEvent()), "invalid credentials");

        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).until(() -> app.slack.requests().isEmpty());
        assertThat(app.service.get("/observe/metrics").body()).containsPattern("castai_events_rejected_total\\{reason=\"unauthorized\"} ([4-9]|[1-9][0-9]+)\\.");
    }

    @Test
    void aStrangersBodyIsRefusedBeforeItIsRead() throws Exception {
        // twice the body limit (1 MiB): read, it would be a 413; refused on its headers, a 401
        String large = "{\"eventType\":\"node.added\",\"pad\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";
        assertRefused(app.service.postEvent(large), "missing credentials: send Authorization: Bearer <token>");
        assertRefused(app.service.postEvent(large, "X-Webhook-Token", "wrong-token-123"), "invalid credentials");
        assertThat(app.log.linesContaining("Refused request to intake: missing credentials")).hasSize(1);
        // with a trailing slash it is the same endpoint, and named so
        assertRefused(app.service.send("POST", "/castai/events/", large), "missing credentials: send Authorization: Bearer <token>");
        assertThat(app.log.linesContaining("Refused request to intake: missing credentials")).hasSize(2);

        // the other endpoints that take a body: the routing dry-run (the intake's token) and the admin API (its own)
        assertRefused(app.service.send("POST", "/castai/routes/test", large), "missing credentials: send Authorization: Bearer <token>");
        assertRefused(app.service.send("POST", "/castai/routes/test", large, "Authorization", "Bearer " + ADMIN_TOKEN),
                "invalid credentials");
        assertThat(app.log.linesContaining("Refused request to routes-test: missing credentials")).hasSize(1);
        for (String path : List.of("/admin/dead-letters/replay", "/admin/dead-letters/discard", "/admin/dead-letters")) {
            assertRefused(app.service.send("POST", path, large), "missing credentials: send Authorization: Bearer <admin token>");
            assertRefused(app.service.send("POST", path, large, "Authorization", "Bearer " + TOKEN), "invalid credentials");
        }
        assertThat(app.log.linesContaining("Refused request to admin: invalid credentials")).hasSize(3);
        assertThat(app.service.send("POST", "/admin/dead-letters/replay?eventId=none", "", "Authorization", "Bearer " + ADMIN_TOKEN)
                .statusCode()).as("the admin token still opens it").isEqualTo(200);
    }

    @Test
    void aFloodOfRefusalsIsAnsweredInFullAndLoggedWithinALimit() throws Exception {
        // a service of its own: the flood uses up its line budget for the next 10 s
        try (ServiceFixture flooded = ServiceFixture.start(settings -> settings.property("webhook.token", TOKEN))) {
            for (int i = 0; i < 200; i++) {
                assertRefused(flooded.service.postEvent(nextEvent(), "Authorization", "Bearer wrong-" + i), "invalid credentials");
            }
            assertThat(flooded.log.linesContaining("Refused request to intake: invalid credentials"))
                    .as("at most 50 lines every 10 s").hasSizeBetween(50, 100);
            assertThat(flooded.service.get("/observe/metrics").body())
                    .as("every refusal counted").contains("castai_events_rejected_total{reason=\"unauthorized\"} 200.0");

            // stopped within the window, with no later line to say it: the stop says what was left out
            flooded.service.close();
            long written = flooded.log.linesContaining("Refused request to intake: invalid credentials").size();
            long saidLeftOut = 0;
            Matcher count = Pattern.compile("(\\d+) more refused (before this one )?were not logged").matcher(flooded.log.text());
            while (count.find()) {
                saidLeftOut += Long.parseLong(count.group(1));
            }
            assertThat(written + saidLeftOut).as("every refusal logged or counted in the log").isEqualTo(200);
        }
    }

    @Test
    void onlyTheTokenParameterIsReadFromTheQuery() throws Exception {
        // platform-http makes query parameters headers: a header's name in the query is no header
        assertRefused(app.service.send("POST", "/castai/events?X-Webhook-Token=" + TOKEN, nextEvent()),
                "missing credentials: send Authorization: Bearer <token>");
        assertRefused(app.service.send("POST", "/castai/events?%41uthorization=Bearer%20" + TOKEN, nextEvent()),
                "credentials go in the Authorization header, not in the URL");
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> app.slack.requests().isEmpty());
    }

    @Test
    void aTokenPutInThePathIsNotLogged() {
        assertThat(app.service.send("POST", "/castai/events/" + TOKEN, nextEvent()).statusCode()).isEqualTo(404);

        assertThat(app.log.linesContaining("Rejected request to /castai/events/<secret>: no such endpoint")).hasSize(1);
        assertThat(app.log.text()).doesNotContain(TOKEN);
    }

    @Test
    void aSignedRequestIsVerified() {
        String body = nextEvent();
        long now = Instant.now().getEpochSecond();
        String signature = signer().sign("msg_1", now, body.getBytes(StandardCharsets.UTF_8));

        assertAccepted(app.service.postEvent(body, "webhook-id", "msg_1", "webhook-timestamp", String.valueOf(now),
                "webhook-signature", "v1,bm90IGl0 " + signature));
        app.slack.awaitRequests(1);
    }

    @Test
    void aSignedRequestWithANonAsciiIdIsVerifiedOverTheIdsUtf8Bytes() {
        String body = nextEvent();
        long now = Instant.now().getEpochSecond();
        String id = "msg_été";
        String signature = signer().sign(id, now, body.getBytes(StandardCharsets.UTF_8));
        // the id's UTF-8 bytes on the wire (java.net.http would send each as '?'), one character per byte here
        String onTheWire = new String(id.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);

        String answer = app.service.sendRaw("POST /castai/events HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nwebhook-id: " + onTheWire + "\r\nwebhook-timestamp: " + now
                + "\r\nwebhook-signature: " + signature + "\r\nContent-Length: " + bytes.length + "\r\n\r\n"
                + new String(bytes, StandardCharsets.ISO_8859_1), false);
        assertThat(answer).startsWith("HTTP/1.1 200").contains("{\"received\":true}");
        app.slack.awaitRequests(1);
    }

    @Test
    void aStaleOrForgedSignatureIsRefused() throws Exception {
        String body = nextEvent();
        long stale = Instant.now().minus(Duration.ofMinutes(10)).getEpochSecond();
        String staleSignature = signer().sign("msg_2", stale, body.getBytes(StandardCharsets.UTF_8));
        assertRefused(app.service.postEvent(body, "webhook-id", "msg_2", "webhook-timestamp", String.valueOf(stale),
                "webhook-signature", staleSignature), "invalid webhook signature: timestamp outside the tolerance of 300 s");

        long now = Instant.now().getEpochSecond();
        String signedOther = signer().sign("msg_3", now, nextEvent().getBytes(StandardCharsets.UTF_8));
        assertRefused(app.service.postEvent(body, "webhook-id", "msg_3", "webhook-timestamp", String.valueOf(now),
                "webhook-signature", signedOther), "invalid webhook signature");

        // beyond the range of a date: as stale as any other, not a server error
        assertRefused(app.service.postEvent(body, "webhook-id", "msg_4", "webhook-timestamp", "99999999999999999",
                "webhook-signature", "v1,abc"), "invalid webhook signature: timestamp outside the tolerance of 300 s");

        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).until(() -> app.slack.requests().isEmpty());
    }

    @Test
    void madeUpSignatureHeadersAreRefusedBeforeTheBodyIsRead() throws Exception {
        // twice the body limit: read, it would be a 413; refused on its headers, a 401
        String large = "{\"eventType\":\"node.added\",\"pad\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";
        String now = String.valueOf(Instant.now().getEpochSecond());
        assertRefused(app.service.postEvent(large, "webhook-signature", "v1,abc"),
                "invalid webhook signature: webhook-id, webhook-timestamp and webhook-signature are all required");
        assertRefused(app.service.postEvent(large, "webhook-id", "m", "webhook-timestamp", "1", "webhook-signature", "v1,abc"),
                "invalid webhook signature: timestamp outside the tolerance of 300 s");
        assertRefused(app.service.postEvent(large, "webhook-id", "m", "webhook-timestamp", now, "webhook-signature", "x"),
                "invalid webhook signature");
        assertThat(app.log.linesContaining("Refused request to intake: invalid webhook signature")).hasSize(3);
    }

    @Test
    void requestsLetInOnTheirSignatureHeadersCannotTakeTheWholeBodyBudget() throws Exception {
        // anyone can make well-formed signature headers: such requests share half of the budget,
        // so senders with the token still get in while strangers hold theirs open (an ordinary
        // event: a large one counts for three quarters of the budget, its parsing and rendering)
        try (ServiceFixture small = ServiceFixture.start(settings -> settings.property("webhook.token", TOKEN)
                .property("webhook.signing-secret", SIGNING_SECRET).property("intake.max-body-bytes", 200_000)
                .property("intake.max-inflight-bytes", 400_000).property("intake.request-timeout-ms", 3000))) {
            String now = String.valueOf(Instant.now().getEpochSecond());
            String stall = "POST /castai/events HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                    + "webhook-id: m\r\nwebhook-timestamp: " + now + "\r\nwebhook-signature: v1,abc\r\n"
                    + "Content-Length: 200000\r\n\r\n{";
            String large = "{\"eventType\":\"node.added\",\"id\":\"signed-%s\",\"pad\":\"" + "x".repeat(190_000) + "\"}";
            try (Socket stalled = small.service.openRaw(stall)) {
                String body = large.formatted("1");
                await().atMost(Duration.ofSeconds(2)).until(() -> small.service.postEvent(body, "webhook-id", "s1",
                        "webhook-timestamp", now, "webhook-signature", signer().sign("s1", Long.parseLong(now),
                                body.getBytes(StandardCharsets.UTF_8))).statusCode() == 503);
                assertAccepted(small.service.postEvent(nextEvent(), "Authorization", "Bearer " + TOKEN));
            }
        }
    }

    @Test
    void withOnlyASigningSecretAnUnsignedRequestIsRefusedWhateverTokenItCarries() throws Exception {
        try (ServiceFixture signedOnly = ServiceFixture.start(settings -> settings.property("webhook.signing-secret", SIGNING_SECRET))) {
            String unsigned = nextEvent();
            assertRefused(signedOnly.service.postEvent(unsigned), "missing webhook signature");
            assertRefused(signedOnly.service.postEvent(unsigned, "Authorization", "Bearer " + TOKEN), "missing webhook signature");

            String body = nextEvent();
            long now = Instant.now().getEpochSecond();
            assertAccepted(signedOnly.service.postEvent(body, "webhook-id", "msg_5", "webhook-timestamp", String.valueOf(now),
                    "webhook-signature", signer().sign("msg_5", now, body.getBytes(StandardCharsets.UTF_8))));
            signedOnly.slack.awaitRequests(1);
            await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).until(() -> signedOnly.slack.requests().size() == 1);
        }
    }

    private static WebhookSignature signer() {
        return new WebhookSignature(SIGNING_SECRET, Duration.ofMinutes(5), Clock.systemUTC());
    }

    private String nextEvent() {
        return "{\"id\":\"auth-" + (++counter) + "\",\"eventType\":\"node.added\","
                + "\"data\":{\"nodeName\":\"n\",\"instanceType\":\"m5.large\",\"lifecycle\":\"spot\"}}";
    }

    private static void assertAccepted(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"received\":true}");
    }

    private static void assertRefused(HttpResponse<String> response, String error) throws Exception {
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo(error);
        assertThat(response.body()).doesNotContain(TOKEN);
    }
}
