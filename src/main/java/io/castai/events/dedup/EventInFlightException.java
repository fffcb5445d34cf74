package io.castai.events.dedup;

/**
 * A repeat of an event whose first copy is still being accepted (routed and stored): it is no
 * duplicate yet, as that copy may still fail, and answered "duplicate" its sender would stop
 * retrying an event that may never be stored. The sender is told to retry instead.
 */
public class EventInFlightException extends RuntimeException {
    private static final String MESSAGE = "the same event is being accepted right now: retry";

    public EventInFlightException() {
        super(MESSAGE, null, false, false);
    }
}
