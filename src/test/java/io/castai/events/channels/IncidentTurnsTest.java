package io.castai.events.channels;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class IncidentTurnsTest {
    private final DefaultCamelContext context = new DefaultCamelContext();
    private final IncidentTurns turns = new IncidentTurns();

    @Test
    void anIncidentHasOneSendAtATimeAndIsFreeAgainWhenItsExchangeIsDone() {
        Exchange first = new DefaultExchange(context);
        assertThat(turns.tryTake("pagerduty\nnode-1", first)).isTrue();

        assertThat(turns.tryTake("pagerduty\nnode-1", new DefaultExchange(context))).as("taken: not waited for").isFalse();
        Exchange other = new DefaultExchange(context);
        assertThat(turns.tryTake("pagerduty\nnode-2", other)).as("another incident goes on").isTrue();

        done(first); // the first delivery ends (sent, failed or superseded)
        Exchange second = new DefaultExchange(context);
        assertThat(turns.tryTake("pagerduty\nnode-1", second)).isTrue();

        done(second);
        done(other);
        assertThat(turns.inUse()).as("no incident is remembered once its deliveries are done").isZero();
    }

    /** What the exchange's unit of work does as it ends. */
    private static void done(Exchange exchange) {
        exchange.getExchangeExtension().handoverCompletions().forEach(completion -> completion.onComplete(exchange));
    }
}
