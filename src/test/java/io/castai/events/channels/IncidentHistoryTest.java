package io.castai.events.channels;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import io.castai.events.support.LogCapture;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A delivery seen by this process counts at once; one only the store holds (a restart, another replica) counts too. */
class IncidentHistoryTest {
    private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");

    /** The store's part, as a map: what the outbox keeps is tested on both stores in OutboxTest. */
    private final Map<String, EventOrder> stored = new ConcurrentHashMap<>();
    private boolean storeFails;
    private final IncidentHistory.Store store = new IncidentHistory.Store() {
        @Override
        public CompletableFuture<Integer> incidentEventDelivered(String incident, EventOrder order) {
            if (storeFails) {
                return CompletableFuture.failedFuture(new IllegalStateException("disk full"));
            }
            stored.merge(incident, order, (a, b) -> a.isAfter(b) ? a : b);
            return CompletableFuture.completedFuture(1);
        }

        @Override
        public Optional<EventOrder> latestIncidentEvent(String incident) {
            if (storeFails) {
                throw new IllegalStateException("no connection");
            }
            return Optional.ofNullable(stored.get(incident));
        }
    };

    @Test
    void anEventBeforeTheLatestDeliveredIsOvertakenAndOneAfterItIsNot() {
        IncidentHistory history = new IncidentHistory(store);
        history.delivered("pd\nnode-a", accepted(T0));

        assertThat(history.laterDelivered("pd\nnode-a", accepted(T0.minusSeconds(1)))).isTrue();
        assertThat(history.laterDelivered("pd\nnode-a", accepted(T0))).as("itself, sent again").isFalse();
        assertThat(history.laterDelivered("pd\nnode-a", accepted(T0.plusSeconds(1)))).as("a new incident of the node").isFalse();
        assertThat(history.laterDelivered("pd\nnode-b", accepted(T0.minusSeconds(1)))).isFalse();
        assertThat(stored).containsEntry("pd\nnode-a", accepted(T0));
    }

    @Test
    void eventsWithTimesOfTheirOwnAreOrderedByThemThenByWhenTheyWereAccepted() {
        IncidentHistory history = new IncidentHistory(store);
        history.delivered("pd\nnode-a", new EventOrder(T0, T0.plusSeconds(10)));

        assertThat(history.laterDelivered("pd\nnode-a", new EventOrder(T0.minusSeconds(1), T0.plusSeconds(20))))
                .as("happened before, accepted after (a sender's retry)").isTrue();
        assertThat(history.laterDelivered("pd\nnode-a", new EventOrder(T0, T0.plusSeconds(9)))).as("same instant, accepted before").isTrue();
        assertThat(history.laterDelivered("pd\nnode-a", new EventOrder(T0, T0.plusSeconds(11)))).isFalse();
    }

    @Test
    void anEventWithoutATimeOfItsOwnIsOrderedByWhenItWasAccepted() {
        IncidentHistory history = new IncidentHistory(store);
        // a trigger without a time, accepted at T0; the node's removal stamped before T0 but accepted after it
        history.delivered("pd\nnode-a", accepted(T0));
        assertThat(history.laterDelivered("pd\nnode-a", new EventOrder(T0.minusSeconds(30), T0.plusSeconds(60))))
                .as("a sender's time is not compared with the service's").isFalse();

        history.delivered("pd\nnode-b", new EventOrder(T0, T0.plusSeconds(10)));
        assertThat(history.laterDelivered("pd\nnode-b", accepted(T0.plusSeconds(5)))).isTrue();
        assertThat(history.laterDelivered("pd\nnode-b", accepted(T0.plusSeconds(15)))).isFalse();
    }

    @Test
    void anEventsOwnTimeCountsNeverLaterThanItsAcceptanceNorMoreThanADayBefore() {
        assertThat(EventOrder.of("2026-11-29T10:00:00+01:00", T0.plusSeconds(5)))
                .isEqualTo(new EventOrder(T0.minusSeconds(3600), T0.plusSeconds(5)));
        assertThat(EventOrder.of("2026-11-29T11:00:00Z", T0)).as("a clock ahead").isEqualTo(new EventOrder(T0, T0));
        assertThat(EventOrder.of("0001-01-01T00:00:00Z", T0)).as("a zero time").isEqualTo(accepted(T0));
        assertThat(EventOrder.of("2026-11-29 09:00:00Z", T0)).as("not ISO 8601").isEqualTo(accepted(T0));
        assertThat(EventOrder.of("2026-11-29T09:00:00", T0)).as("no zone").isEqualTo(accepted(T0));
        assertThat(EventOrder.of(null, T0)).isEqualTo(accepted(T0));
    }

    @Test
    void aDeliveryAnotherProcessMadeIsFoundInTheStore() {
        new IncidentHistory(store).delivered("pd\nnode-a", accepted(T0));
        IncidentHistory afterRestart = new IncidentHistory(store);
        assertThat(afterRestart.laterDelivered("pd\nnode-a", accepted(T0.minusSeconds(1)))).isTrue();

        // this process delivered to it earlier; another one later: the later counts
        IncidentHistory here = new IncidentHistory(store);
        here.delivered("pd\nnode-b", accepted(T0));
        new IncidentHistory(store).delivered("pd\nnode-b", accepted(T0.plusSeconds(60)));
        assertThat(here.laterDelivered("pd\nnode-b", accepted(T0.plusSeconds(30)))).isTrue();
    }

    @Test
    void aStoreThatCannotKeepItLeavesItInMemoryAndSaysWhatIsLost() {
        storeFails = true;
        IncidentHistory history = new IncidentHistory(store);
        try (LogCapture log = LogCapture.attach()) {
            history.delivered("pd\nnode-a", accepted(T0));
            assertThat(log.linesContaining("Could not keep the delivery to PagerDuty incident pd node-a in the store "
                    + "(java.lang.IllegalStateException: disk full): after a restart")).hasSize(1);
        }
        assertThat(history.laterDelivered("pd\nnode-a", accepted(T0.minusSeconds(1)))).isTrue();
    }

    @Test
    void aStoreThatCannotBeReadLeavesTheAnswerToMemoryRatherThanFailTheDelivery() {
        IncidentHistory history = new IncidentHistory(store);
        history.delivered("pd\nnode-a", accepted(T0));
        storeFails = true;
        try (LogCapture log = LogCapture.attach()) {
            assertThat(history.laterDelivered("pd\nnode-a", accepted(T0.minusSeconds(1)))).as("this process's own delivery").isTrue();
            assertThat(history.laterDelivered("pd\nnode-b", accepted(T0))).as("sent: the store cannot say").isFalse();
            assertThat(log.linesContaining("Could not read the deliveries to PagerDuty incident pd node-b from the store "
                    + "(java.lang.IllegalStateException: no connection): this one is sent")).hasSize(1);
        }
    }

    /** An event without a time of its own, accepted then. */
    private static EventOrder accepted(Instant at) {
        return new EventOrder(null, at);
    }
}
