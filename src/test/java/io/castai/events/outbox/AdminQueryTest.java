package io.castai.events.outbox;

import java.util.Map;
import java.util.Set;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** An admin request's parameters are read from its query string, percent-decoded only. */
class AdminQueryTest {
    private static final Set<String> NAMES = Set.of("eventId", "channel");

    @Test
    void aPlusIsItselfAndAPercentEscapeIsDecoded() {
        assertThat(read("eventId=a+b&channel=slack%2Dops").values()).isEqualTo(Map.of("eventId", "a+b", "channel", "slack-ops"));
        assertThat(read("eventId=a%2Bb%20c").values()).isEqualTo(Map.of("eventId", "a+b c"));
    }

    @Test
    void whatWouldWidenTheRequestIsRefused() {
        assertThat(read("eventId=").mistake()).isEqualTo("a parameter, when given, must not be empty");
        assertThat(read("eventId=%ZZ").mistake()).isEqualTo("parameters must be percent-encoded correctly");
        assertThat(read("eventid=x").mistake()).isEqualTo("unknown or repeated parameter; usage");
        assertThat(read("eventId=x&eventId=y").mistake()).isEqualTo("unknown or repeated parameter; usage");
    }

    private static DeadLetterAdmin.Query read(String rawQuery) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setHeader(Exchange.HTTP_RAW_QUERY, rawQuery);
        return DeadLetterAdmin.Query.read(exchange, NAMES, "usage");
    }
}
