package io.castai.events.intake;

/** A request body that is not an event we accept; its message is safe to return to the sender. */
public class InvalidEventException extends RuntimeException {
    public InvalidEventException(String message) {
        super(message, null, false, false);
    }
}
