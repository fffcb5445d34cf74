package io.castai.events.intake;

import io.castai.events.ops.ServiceMetrics;
import io.castai.events.support.LogCapture;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class IntakeResponsesTest {
    @Test
    void anUnexpectedFailureIsLoggedWithWhereTheServiceThrewItAndNotItsMessage() {
        RuntimeException failure = new RuntimeException("https://hooks.slack.com/services/T/B/secret");

        assertThat(IntakeResponses.thrownAt(failure))
                .startsWith(" at io.castai.events.intake.IntakeResponsesTest.anUnexpectedFailure")
                .doesNotContain("secret");
    }

    @Test
    void anUnexpectedFailureIsLoggedAsItsInnermostCauseWithTheRouteThatFailedNotAsAnEventLost() {
        DefaultCamelContext context = new DefaultCamelContext();
        Exchange exchange = new DefaultExchange(context);
        exchange.getExchangeExtension().setFromRouteId("admin-dead-letters");
        exchange.setProperty(ExchangePropertyKey.EXCEPTION_CAUGHT,
                new CamelExecutionException("secret-in-message", exchange, new OutOfMemoryError("Java heap space")));

        try (LogCapture log = LogCapture.attach()) {
            new IntakeResponses(new ServiceMetrics(context)).failed(exchange);

            assertThat(log.linesContaining("Could not answer")).singleElement().asString()
                    .contains("route admin-dead-letters: java.lang.OutOfMemoryError at io.castai.events.intake.IntakeResponsesTest")
                    .doesNotContain("secret");
        }
        assertThat(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(500);
        assertThat(exchange.getMessage().getBody(String.class)).isEqualTo("{\"error\":\"internal error\"}");
    }
}
