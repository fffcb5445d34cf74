package io.castai.events.security;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import io.castai.events.channels.ConfigurationException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A signing secret that cannot sign is refused at start-up, not on every signed request. */
class WebhookSignatureTest {
    /** The specification's example: its secret, and its message's time. */
    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final long AT = 1614265330;
    private final WebhookSignature signature = new WebhookSignature(SECRET, Duration.ofMinutes(5),
            Clock.fixed(Instant.ofEpochSecond(AT), ZoneOffset.UTC));

    /**
     * The Standard Webhooks specification's own example, checked with its own answer: a test that
     * signs with this class cannot see a mistake in the format it shares with every sender.
     */
    @Test
    void theSpecificationsExampleVerifiesAndAnotherIdDoesNot() {
        long at = AT;
        byte[] body = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
        String expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

        assertThat(signature.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", at, body)).isEqualTo(expected);
        assertThatCode(() -> signature.verify("msg_p5jXN8AQM9LWM0D4loKWxJek", String.valueOf(at), expected, body))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> signature.verify("msg_another", String.valueOf(at), expected, body))
                .isInstanceOf(UnauthorizedException.class).hasMessage("invalid webhook signature");
    }

    @Test
    void aSignatureStampedOutsideTheToleranceIsRefusedEitherSide() {
        long now = AT;
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        // a captured request replayed later, or one stamped ahead to be replayed later
        for (long at : new long[] {now - 360, now + 360}) {
            String signed = signature.sign("msg_1", at, body);
            assertThatThrownBy(() -> signature.verify("msg_1", String.valueOf(at), signed, body))
                    .isInstanceOf(UnauthorizedException.class).hasMessageContaining("outside the tolerance of 300 s");
        }
        long within = now - 240;
        assertThatCode(() -> signature.verify("msg_1", String.valueOf(within), signature.sign("msg_1", within, body), body))
                .doesNotThrowAnyException();
    }

    @Test
    void aSecretWithoutAKeyIsRefused() {
        assertThatThrownBy(() -> new WebhookSignature("whsec_", Duration.ofMinutes(5), Clock.systemUTC()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("WEBHOOK_SIGNING_SECRET (webhook.signing-secret): holds no key: whsec_ followed by base64");
        assertThatThrownBy(() -> new WebhookSignature("whsec_not base64!", Duration.ofMinutes(5), Clock.systemUTC()))
                .hasMessage("WEBHOOK_SIGNING_SECRET (webhook.signing-secret): must be whsec_ followed by base64");
    }
}
