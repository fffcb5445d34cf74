package io.castai.events;

import io.castai.events.channels.ConfigurationException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The outbound call limits must leave a delivery's lease time to outlast its send. */
class OutboundCallSettingsTest {
    private final BaseConfiguration configuration = new BaseConfiguration();

    @Test
    void aCallTimeoutUnderHalfTheLeaseIsTaken() {
        assertThat(configuration.outboundCallLimits(30_000, 1_048_576, "2m").callTimeoutMillis()).isEqualTo(30_000);
    }

    @Test
    void aCallTimeoutOfHalfTheLeaseOrMoreStopsStartUp() {
        assertThatThrownBy(() -> configuration.outboundCallLimits(60_000, 1_048_576, "2m"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("HTTP_CALL_TIMEOUT_MS (http.call-timeout-ms): must be under half of DELIVERY_LEASE "
                        + "(delivery.lease), so that a delivery's lease outlasts its send");
    }

    @Test
    void noTimeLimitOrATinyAnswerLimitIsRefused() {
        assertThatThrownBy(() -> configuration.outboundCallLimits(0, 1_048_576, "2m"))
                .hasMessage("HTTP_CALL_TIMEOUT_MS (http.call-timeout-ms): must be above 0");
        assertThatThrownBy(() -> configuration.outboundCallLimits(30_000, 4096, "2m"))
                .hasMessage("HTTP_MAX_ANSWER_BYTES (http.max-answer-bytes): must be 65536 or more");
    }
}
