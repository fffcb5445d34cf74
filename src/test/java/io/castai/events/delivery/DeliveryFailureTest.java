package io.castai.events.delivery;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The retry rules as a table: every status code a channel may answer with. */
class DeliveryFailureTest {
    private static final String SECRET_URL = "https://hooks.slack.com/services/T0/B0/SECRET";

    @ParameterizedTest(name = "HTTP {0} -> retryable={1}, reason={2}")
    @CsvSource({
            "400, false, http_4xx", "401, false, http_4xx", "403, false, http_4xx", "404, false, http_4xx",
            "410, false, http_4xx", "413, false, http_4xx", "422, false, http_4xx",
            "429, true, http_429", "408, true, http_try_later", "425, true, http_try_later",
            "500, true, http_5xx", "502, true, http_5xx", "503, true, http_5xx", "504, true, http_5xx",
            "302, false, http_other"})
    void statusCodesAreClassified(int status, boolean retryable, String reason) {
        DeliveryFailure failure = DeliveryFailure.classify(httpFailure(status, Map.of(), "channel_not_found"));

        assertThat(failure.retryable()).isEqualTo(retryable);
        assertThat(failure.reason()).isEqualTo(reason);
        assertThat(failure.description()).isEqualTo("HTTP " + status + ": channel_not_found").doesNotContain("SECRET");
    }

    @Test
    void ioErrorsAreRetryableAndNameNoUrl() {
        DeliveryFailure failure = DeliveryFailure.classify(
                new IOException("wrapped", new ConnectException("Connect to " + SECRET_URL + " failed")));

        assertThat(failure.retryable()).isTrue();
        assertThat(failure.reason()).isEqualTo("io_error");
        assertThat(failure.description()).doesNotContain("SECRET");
    }

    @Test
    void anUnknownHostIsNamedLessItsSecretLabels() {
        // a mistyped host is the usual cause: without its name the line did not say what to fix
        assertThat(DeliveryFailure.classify(new java.net.UnknownHostException("hooks.slack.con: Name or service not known"))
                .description()).isEqualTo("I/O error: unknown host hooks.slack.con (UnknownHostException)");
        assertThat(DeliveryFailure.classify(new java.net.UnknownHostException("eo1a2b3c4d5e.m.pipedream.nett"),
                text -> text.replace("eo1a2b3c4d5e", "<secret>")).description())
                .isEqualTo("I/O error: unknown host <secret>.m.pipedream.nett (UnknownHostException)");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // per-user ids the log's masking does not know (shorter than its 12, or letters only)
            "k3x9q2m7zt.hooks.example.com | ….hooks.example.com",
            "a1b2c3d4.relay.example.com | ….relay.example.com",
            "abcdefghijklmnopqrstu.lambda-url.us-east-1.on.aws | ….lambda-url.….on.aws",
            "hooks.slack.con | hooks.slack.con",
            "hooks.example.c0m | hooks.example.c0m",
            "10.0.0.12 | 10.0.0.12"})
    void anUnknownHostsLabelsThatMayBeIdsAreLeftOut(String host, String named) {
        assertThat(DeliveryFailure.classify(new java.net.UnknownHostException(host + ": Name or service not known"))
                .description()).isEqualTo("I/O error: unknown host " + named + " (UnknownHostException)");
    }

    @ParameterizedTest(name = "Location {0}")
    @CsvSource(delimiter = '|', value = {
            "https://hooks.slack.com/services/T0/B0/SECRET | HTTP 301, redirected to https://hooks.slack.com/…",
            "https://eo1a2b3c4d5e.example.net:8443/ | HTTP 301, redirected to https://<secret>.example.net:8443/",
            "https://example.net?token=SECRET | HTTP 301, redirected to https://example.net/…",
            "/services/T0/B0/SECRET | HTTP 301, redirected within the same host",
            "//other.example.net/services/T0/B0/SECRET | HTTP 301, redirected to //other.example.net/…",
            "https://exa mple.net/ | HTTP 301, redirected to an address that is not a valid URI"})
    void aRedirectNamesItsSchemeAndHostOnly(String location, String description) {
        HttpOperationFailedException moved = new HttpOperationFailedException(SECRET_URL, 301, "Moved Permanently",
                location, Map.of("Location", location), "");

        DeliveryFailure failure = DeliveryFailure.classify(moved, text -> text.replace("eo1a2b3c4d5e", "<secret>"));

        assertThat(failure.retryable()).isFalse();
        assertThat(failure.description()).isEqualTo(description).doesNotContain("SECRET");
    }

    @Test
    void anEndpointThatStoppedAnsweringIsATimeoutNotAnIoError() {
        // counted as io_error, an alert on reason="timeout" never fired for a slow endpoint
        DeliveryFailure slow = DeliveryFailure.classify(new java.net.SocketTimeoutException("Read timed out"));

        assertThat(slow.retryable()).isTrue();
        assertThat(slow.reason()).isEqualTo("timeout");
        assertThat(slow.description()).isEqualTo("I/O error: no answer in time (SocketTimeoutException)");
    }

    @Test
    void anythingElseIsPermanent() {
        assertThat(DeliveryFailure.classify(new IllegalArgumentException(SECRET_URL)).retryable()).isFalse();
        assertThat(DeliveryFailure.classify(new IllegalArgumentException(SECRET_URL)).description()).doesNotContain("SECRET");
    }

    @Test
    void retryAfterIsReadInSecondsOrAsADate() {
        assertThat(DeliveryFailure.classify(httpFailure(429, Map.of("retry-after", "30"), "")).retryAfter())
                .isEqualTo(Duration.ofSeconds(30));
        String inAMinute = ZonedDateTime.now().plusSeconds(60).format(DateTimeFormatter.RFC_1123_DATE_TIME);
        assertThat(DeliveryFailure.classify(httpFailure(503, Map.of("Retry-After", inAMinute), "")).retryAfter())
                .isBetween(Duration.ofSeconds(50), Duration.ofSeconds(61));
        assertThat(DeliveryFailure.parseRetryAfter("soon")).isNull();
        assertThat(DeliveryFailure.classify(httpFailure(500, Map.of(), "")).retryAfter()).isNull();
        // a date already past (a clock behind) or a negative number asks for no wait, never a negative one
        String aMinuteAgo = ZonedDateTime.now().minusSeconds(60).format(DateTimeFormatter.RFC_1123_DATE_TIME);
        assertThat(DeliveryFailure.parseRetryAfter(aMinuteAgo)).isZero();
        assertThat(DeliveryFailure.parseRetryAfter("-5")).isZero();
    }

    @Test
    void longResponseBodiesAreCutShort() {
        String description = DeliveryFailure.classify(httpFailure(400, Map.of(), "x".repeat(5000))).description();

        assertThat(description.length()).isLessThan(220);
    }

    @Test
    void aBinaryAnswerIsKeptWithoutControlCharacters() {
        String description = DeliveryFailure.classify(httpFailure(500, Map.of(), "\u001f\u008b\u0008\u0000gz\u0007ip")).description();

        assertThat(description).isEqualTo("HTTP 500: ????gz?ip");
    }

    private static HttpOperationFailedException httpFailure(int status, Map<String, String> headers, String body) {
        return new HttpOperationFailedException(SECRET_URL, status, "status", null, headers, body);
    }

    @Test
    void smtpRepliesAreClassifiedLikeHttpStatuses() throws Exception {
        DeliveryFailure later = DeliveryFailure.classify(new SMTPSendFailedException("DATA", 451,
                "451 4.3.0 try again later", null, null, null, null));
        assertThat(later.retryable()).isTrue();
        assertThat(later.reason()).isEqualTo("smtp_4xx");
        assertThat(later.description()).isEqualTo("SMTP 451: 451 4.3.0 try again later");

        DeliveryFailure rejected = DeliveryFailure.classify(new SMTPSendFailedException("RCPT", 550,
                "550 5.1.1 no such user", null, null, null, null));
        assertThat(rejected.retryable()).isFalse();
        assertThat(rejected.reason()).isEqualTo("smtp_5xx");
        // as Angus Mail reports a refused recipient: the address in a chained exception, the reply without it
        DeliveryFailure refusedRecipient = DeliveryFailure.classify(new jakarta.mail.SendFailedException("Invalid Addresses",
                new org.eclipse.angus.mail.smtp.SMTPAddressFailedException(new jakarta.mail.internet.InternetAddress("nobody@example.com"),
                        "RCPT TO:<nobody@example.com>", 550, "550 5.1.1 no such user")));
        assertThat(refusedRecipient.retryable()).isFalse();
        assertThat(refusedRecipient.description()).isEqualTo("SMTP 550 for nobody@example.com: 550 5.1.1 no such user");

        // one recipient refused for now, another for good: the mail goes to nobody until a person acts
        var forNow = new org.eclipse.angus.mail.smtp.SMTPAddressFailedException(new jakarta.mail.internet.InternetAddress(
                "oncall@example.com"), "RCPT TO:<oncall@example.com>", 450, "450 4.2.1 mailbox busy");
        forNow.setNextException(new org.eclipse.angus.mail.smtp.SMTPAddressFailedException(new jakarta.mail.internet.InternetAddress(
                "nobody@example.com"), "RCPT TO:<nobody@example.com>", 550, "550 5.1.1 no such user"));
        DeliveryFailure mixed = DeliveryFailure.classify(new jakarta.mail.SendFailedException("Invalid Addresses", forNow));
        assertThat(mixed.retryable()).isFalse();
        assertThat(mixed.description()).isEqualTo("SMTP 550 for nobody@example.com: 550 5.1.1 no such user");
        // one refused for good after 24 refused for now: past the depth a failure's causes are followed to
        var busy = new org.eclipse.angus.mail.smtp.SMTPAddressFailedException(new jakarta.mail.internet.InternetAddress(
                "r0@example.com"), "RCPT TO:<r0@example.com>", 450, "450 4.2.1 mailbox busy");
        var last = busy;
        for (int i = 1; i < 25; i++) {
            var next = new org.eclipse.angus.mail.smtp.SMTPAddressFailedException(new jakarta.mail.internet.InternetAddress(
                    "r" + i + "@example.com"), "RCPT TO:<r" + i + "@example.com>", i == 24 ? 550 : 450, i == 24 ? "550 5.1.1 no such user" : "450 busy");
            last.setNextException(next);
            last = next;
        }
        DeliveryFailure manyRecipients = DeliveryFailure.classify(new jakarta.mail.SendFailedException("Invalid Addresses", busy));
        assertThat(manyRecipients.retryable()).isFalse();
        assertThat(manyRecipients.description()).isEqualTo("SMTP 550 for r24@example.com: 550 5.1.1 no such user");

        DeliveryFailure refused = DeliveryFailure.classify(new AuthenticationFailedException("535 bad credentials"));
        assertThat(refused.retryable()).isFalse();
        assertThat(refused.reason()).isEqualTo("smtp_auth");
        // a temporary failure to check them is tried again, and the reply (it may quote them) is not kept
        DeliveryFailure notNow = DeliveryFailure.classify(new AuthenticationFailedException("454 4.7.0 try later; you sent AUTH PLAIN AG1haWxlcgBzZWNyZXQ="));
        assertThat(notNow.retryable()).isTrue();
        assertThat(notNow.reason()).isEqualTo("smtp_4xx");
        assertThat(notNow.description()).isEqualTo("SMTP server could not check the credentials now (454)");

        DeliveryFailure down = DeliveryFailure.classify(new MessagingException("Couldn't connect",
                new java.net.ConnectException("Connection refused")));
        assertThat(down.retryable()).isTrue();
        assertThat(down.reason()).isEqualTo("io_error");
    }

    /** What Angus Mail throws for a greeting other than 220, and for a connection dropped after the mail's last line. */
    @Test
    void smtpFailuresWithoutAPermanentReplyAreRetried() {
        DeliveryFailure greeting = DeliveryFailure.classify(new MessagingException(
                "Could not connect to SMTP host: 127.0.0.1, port: 2526, response: 421"));
        assertThat(greeting.retryable()).isTrue();
        assertThat(greeting.reason()).isEqualTo("smtp_4xx");
        assertThat(greeting.description()).isEqualTo("SMTP error: Could not connect to SMTP host: 127.0.0.1, port: 2526, response: 421");

        DeliveryFailure noService = DeliveryFailure.classify(new MessagingException(
                "Could not connect to SMTP host: 127.0.0.1, port: 2526, response: 554"));
        assertThat(noService.retryable()).as("a 5xx greeting").isFalse();
        DeliveryFailure unsupported = DeliveryFailure.classify(new MessagingException(
                "STARTTLS is required but host does not support STARTTLS"));
        assertThat(unsupported.retryable()).as("a setting the server cannot meet").isFalse();

        DeliveryFailure dropped = DeliveryFailure.classify(new SMTPSendFailedException("DATA", -1, "[EOF]", null, null, null, null));
        assertThat(dropped.retryable()).isTrue();
        assertThat(dropped.reason()).isEqualTo("smtp_no_reply");
    }
}
