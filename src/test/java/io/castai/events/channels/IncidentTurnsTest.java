package io.castai.events.channels;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class IncidentTurnsTest {
    private final DefaultCamelContext context = new DefaultCamelContext();
    private final IncidentTurns turns = new IncidentTurns();

    @Test
    void aSecondDeliveryForTheSameIncidentWaitsUntilTheFirstExchangeIsDone() throws Exception {
        Exchange first = new DefaultExchange(context);
        turns.take("pagerduty\nnode-1", first);

        Exchange second = new DefaultExchange(context);
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> take("pagerduty\nnode-1", second));
        Exchange other = new DefaultExchange(context);
        turns.take("pagerduty\nnode-2", other);

        Thread.sleep(200); // the second must still be waiting: nothing has ended the first
        assertThat(waiting).isNotDone();
        done(first); // the first delivery ends (sent, failed or superseded)
        waiting.get(5, TimeUnit.SECONDS);

        done(second);
        done(other);
        assertThat(turns.inUse()).as("no incident is remembered once its deliveries are done").isZero();
    }

    /** What the exchange's unit of work does as it ends. */
    private static void done(Exchange exchange) {
        exchange.getExchangeExtension().handoverCompletions().forEach(completion -> completion.onComplete(exchange));
    }

    private void take(String incident, Exchange exchange) {
        try {
            turns.take(incident, exchange);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
