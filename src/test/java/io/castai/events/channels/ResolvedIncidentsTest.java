package io.castai.events.channels;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import io.castai.events.support.LogCapture;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A resolve seen by this process counts at once; one only the store holds (a restart, another replica) counts too. */
class ResolvedIncidentsTest {
    private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");

    /** The store's part, as a map: what the outbox keeps is tested on both stores in OutboxTest. */
    private final Map<String, Instant> stored = new ConcurrentHashMap<>();
    private boolean storeFails;
    private final ResolvedIncidents.Store store = new ResolvedIncidents.Store() {
        @Override
        public CompletableFuture<Integer> incidentResolved(String incident, Instant acceptedAt) {
            if (storeFails) {
                return CompletableFuture.failedFuture(new IllegalStateException("disk full"));
            }
            stored.merge(incident, acceptedAt, (a, b) -> a.isAfter(b) ? a : b);
            return CompletableFuture.completedFuture(1);
        }

        @Override
        public Optional<Instant> incidentResolvedBy(String incident) {
            if (storeFails) {
                throw new IllegalStateException("no connection");
            }
            return Optional.ofNullable(stored.get(incident));
        }
    };

    @Test
    void aTriggerAcceptedBeforeTheResolveIsSupersededAndOneAcceptedAfterItIsNot() {
        ResolvedIncidents resolved = new ResolvedIncidents(store);
        resolved.resolved("pd\nnode-a", T0);

        assertThat(resolved.resolvedAfter("pd\nnode-a", T0.minusSeconds(1))).isTrue();
        assertThat(resolved.resolvedAfter("pd\nnode-a", T0.plusSeconds(1))).as("a new incident of the node").isFalse();
        assertThat(resolved.resolvedAfter("pd\nnode-b", T0.minusSeconds(1))).isFalse();
        assertThat(stored).containsEntry("pd\nnode-a", T0);
    }

    @Test
    void aResolveAnotherProcessDeliveredIsFoundInTheStore() {
        new ResolvedIncidents(store).resolved("pd\nnode-a", T0);
        ResolvedIncidents afterRestart = new ResolvedIncidents(store);
        assertThat(afterRestart.resolvedAfter("pd\nnode-a", T0.minusSeconds(1))).isTrue();

        // this process resolved it earlier; another one later: the later counts
        ResolvedIncidents here = new ResolvedIncidents(store);
        here.resolved("pd\nnode-b", T0);
        new ResolvedIncidents(store).resolved("pd\nnode-b", T0.plusSeconds(60));
        assertThat(here.resolvedAfter("pd\nnode-b", T0.plusSeconds(30))).isTrue();
    }

    @Test
    void aStoreThatCannotKeepItLeavesItInMemoryAndSaysWhatIsLost() {
        storeFails = true;
        ResolvedIncidents resolved = new ResolvedIncidents(store);
        try (LogCapture log = LogCapture.attach()) {
            resolved.resolved("pd\nnode-a", T0);
            assertThat(log.linesContaining("Could not keep the resolve of PagerDuty incident pd node-a in the store "
                    + "(java.lang.IllegalStateException: disk full): after a restart")).hasSize(1);
        }
        assertThat(resolved.resolvedAfter("pd\nnode-a", T0.minusSeconds(1))).isTrue();
    }

    @Test
    void aStoreThatCannotBeReadLeavesTheAnswerToMemoryRatherThanFailTheTrigger() {
        ResolvedIncidents resolved = new ResolvedIncidents(store);
        resolved.resolved("pd\nnode-a", T0);
        storeFails = true;
        try (LogCapture log = LogCapture.attach()) {
            assertThat(resolved.resolvedAfter("pd\nnode-a", T0.minusSeconds(1))).as("this process's own resolve").isTrue();
            assertThat(resolved.resolvedAfter("pd\nnode-b", T0)).as("sent: the store cannot say").isFalse();
            assertThat(log.linesContaining("Could not read the resolves of PagerDuty incident pd node-b from the store "
                    + "(java.lang.IllegalStateException: no connection): its trigger is sent")).hasSize(1);
        }
    }
}
