package io.castai.events.outbox;

/** The outbox could not be read or written (disk full, file unreadable): the event is not accepted. */
public class OutboxException extends RuntimeException {
    public OutboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
