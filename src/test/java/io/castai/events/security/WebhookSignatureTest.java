package io.castai.events.security;

import java.time.Clock;
import java.time.Duration;

import io.castai.events.channels.ConfigurationException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A signing secret that cannot sign is refused at start-up, not on every signed request. */
class WebhookSignatureTest {
    @Test
    void aSecretWithoutAKeyIsRefused() {
        assertThatThrownBy(() -> new WebhookSignature("whsec_", Duration.ofMinutes(5), Clock.systemUTC()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("WEBHOOK_SIGNING_SECRET (webhook.signing-secret): holds no key: whsec_ followed by base64");
        assertThatThrownBy(() -> new WebhookSignature("whsec_not base64!", Duration.ofMinutes(5), Clock.systemUTC()))
                .hasMessage("WEBHOOK_SIGNING_SECRET (webhook.signing-secret): must be whsec_ followed by base64");
    }
}
