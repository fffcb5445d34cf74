package io.castai.events.channels;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import io.castai.events.support.LogCapture;

import static org.assertj.core.api.Assertions.assertThat;

class IncidentTurnsTest {
    private final DefaultCamelContext context = new DefaultCamelContext();
    private final IncidentTurns turns = new IncidentTurns(SharedIncidentTurns.PROCESS_ONLY);

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

    @Test
    void aTurnAnotherReplicaHoldsIsNotTakenHereAndOneTakenIsLetGoOfWhenDone() {
        Set<String> heldElsewhere = new HashSet<>(Set.of("pagerduty\nnode-1"));
        List<String> letGo = new ArrayList<>();
        IncidentTurns shared = new IncidentTurns(new SharedIncidentTurns() {
            @Override
            public boolean take(String incident) {
                if ("pagerduty\nstore-away".equals(incident)) {
                    throw new IllegalStateException("no connection");
                }
                return heldElsewhere.add(incident);
            }

            @Override
            public CompletionStage<?> letGo(String incident) {
                letGo.add(incident);
                heldElsewhere.remove(incident);
                return CompletableFuture.completedFuture(null);
            }
        });

        assertThat(shared.tryTake("pagerduty\nnode-1", new DefaultExchange(context))).as("another replica's").isFalse();
        assertThat(shared.tryTake("pagerduty\nstore-away", new DefaultExchange(context))).as("the store cannot say").isFalse();
        assertThat(shared.inUse()).as("nothing held here for either").isZero();

        Exchange sending = new DefaultExchange(context);
        assertThat(shared.tryTake("pagerduty\nnode-2", sending)).isTrue();
        assertThat(shared.tryTake("pagerduty\nnode-2", new DefaultExchange(context))).as("this process's own").isFalse();
        done(sending);
        assertThat(letGo).containsExactly("pagerduty\nnode-2");
        assertThat(shared.inUse()).isZero();
    }

    /**
     * The release among the replicas is not waited for, yet it is handed to the store before this
     * process's turn is free: a take of this process in between would be written first and then
     * undone by the release, leaving another replica free to send meanwhile. Its failure is logged.
     */
    @Test
    void aTurnIsLetGoOfAmongTheReplicasWithoutWaitingAndBeforeItIsFreeHere() {
        CompletableFuture<Object> storeAnswer = new CompletableFuture<>();
        List<Boolean> freeHereWhileLettingGo = new ArrayList<>();
        IncidentTurns[] turnsOf = new IncidentTurns[1];
        turnsOf[0] = new IncidentTurns(new SharedIncidentTurns() {
            @Override
            public boolean take(String incident) {
                return true;
            }

            @Override
            public CompletionStage<?> letGo(String incident) {
                Exchange meanwhile = new DefaultExchange(context);
                freeHereWhileLettingGo.add(turnsOf[0].tryTake(incident, meanwhile));
                return storeAnswer;
            }
        });
        try (LogCapture log = LogCapture.attach()) {
            Exchange sending = new DefaultExchange(context);
            assertThat(turnsOf[0].tryTake("pagerduty\nnode-3", sending)).isTrue();
            done(sending);

            assertThat(freeHereWhileLettingGo).as("still this delivery's while the release is handed over").containsExactly(false);
            assertThat(turnsOf[0].inUse()).as("free here before the store has answered").isZero();
            assertThat(log.linesContaining("Could not let go")).isEmpty();

            storeAnswer.completeExceptionally(new IllegalStateException("connection lost"));
            assertThat(log.linesContaining("Could not let go of the turn of PagerDuty incident pagerduty node-3"))
                    .singleElement().asString().contains("connection lost").contains("until the turn's lease runs out");
        }
    }

    /** What the exchange's unit of work does as it ends. */
    private static void done(Exchange exchange) {
        exchange.getExchangeExtension().handoverCompletions().forEach(completion -> completion.onComplete(exchange));
    }
}
