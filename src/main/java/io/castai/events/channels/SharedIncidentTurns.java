package io.castai.events.channels;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * PagerDuty incidents' turns among the replicas of one store, beside each process's own
 * ({@link IncidentTurns}): one replica retrying a trigger while another sends its resolve could
 * otherwise reach PagerDuty after the resolve, and leave the incident open.
 */
public interface SharedIncidentTurns {
    /** A process alone on its store: its own turns are all there are. */
    SharedIncidentTurns PROCESS_ONLY = new SharedIncidentTurns() {
        @Override
        public boolean take(String incident) {
            return true;
        }

        @Override
        public CompletionStage<?> letGo(String incident) {
            return CompletableFuture.completedFuture(null); // nothing was taken
        }
    };

    /** Takes the incident's turn among the replicas; false when another replica holds it. */
    boolean take(String incident);

    /**
     * Lets go of a turn {@link #take} gave, without waiting for the store: the stage completes once
     * it has. A later {@link #take} of this process is written after it (the store's one writer
     * keeps their order), and another replica's waits a moment longer at most.
     */
    CompletionStage<?> letGo(String incident);
}
