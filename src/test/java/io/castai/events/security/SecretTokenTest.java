package io.castai.events.security;

import java.util.List;

import io.castai.events.channels.ConfigurationException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A token a sender put in the URL's path is written <secret> where that path is logged, however it was encoded. */
class SecretTokenTest {
    @Test
    void aTokenInThePathIsMaskedAsSentAndPercentEncoded() {
        List<SecretToken> tokens = List.of(SecretToken.of("WebTok+5ECRET/with=chars"), SecretToken.of("plain-token-42"));

        assertThat(SecretToken.maskedIn("/castai/events/plain-token-42", tokens)).isEqualTo("/castai/events/<secret>");
        assertThat(SecretToken.maskedIn("/castai/events/WebTok%2B5ECRET%2Fwith%3Dchars", tokens)).isEqualTo("/castai/events/<secret>");
        assertThat(SecretToken.maskedIn("/castai/events/other", tokens)).isEqualTo("/castai/events/other");
    }

    @Test
    void whileATokenIsRotatedEachOfTheListedOnesMatchesAndNothingElse() {
        SecretToken rotating = SecretToken.of("old-token-1, new-token-2");

        assertThat(rotating.matches("old-token-1")).as("the first").isTrue();
        assertThat(rotating.matches("new-token-2")).as("the last").isTrue();
        assertThat(rotating.matches("old-token-1, new-token-2")).isFalse();
        assertThat(rotating.matches("other")).isFalse();
        assertThat(rotating.matches(null)).isFalse();
    }

    @Test
    void aTokenListThatListsNoTokenStopsStartUpRatherThanOpenTheIntake() {
        // "$OLD,$NEW" with both unset
        assertThatThrownBy(() -> Secrets.resolveSecret("WEBHOOK_TOKEN", " , ")).isInstanceOf(ConfigurationException.class)
                .hasMessage("WEBHOOK_TOKEN lists no token (only commas and blanks)");
        assertThat(Secrets.resolveSecret("ADMIN_TOKEN", "old-admin-token-1, new-admin-token-2")).isNotNull();
    }
}
