package io.castai.events.channels;

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
        public void letGo(String incident) {
            // nothing was taken
        }
    };

    /** Takes the incident's turn among the replicas; false when another replica holds it. */
    boolean take(String incident);

    /** Lets go of a turn {@link #take} gave. */
    void letGo(String incident);
}
