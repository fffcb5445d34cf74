package io.castai.events.outbox;

import io.castai.events.ops.Causes;

/**
 * The outbox could not be read or written (disk full, file unreadable, PostgreSQL away): the
 * event is not accepted, the background work tries again later.
 */
public class OutboxException extends RuntimeException {
    public OutboxException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The outbox failure in a failure's causes (Camel wraps what a bean expression throws), or null. */
    public static OutboxException in(Throwable failure) {
        return Causes.find(failure, OutboxException.class);
    }

    /** One line for the log: what could not be done, and the database's own reason (never a URL). */
    public static String describe(Throwable failure) {
        OutboxException outbox = in(failure);
        if (outbox == null) {
            return failure == null ? "unknown error" : failure.getClass().getSimpleName();
        }
        Throwable cause = outbox.getCause();
        String reason = cause == null || cause.getMessage() == null ? "" : cause.getMessage().lines().findFirst().orElse("");
        // a message that gives the reason already (cannot open the outbox (...): [SQLITE_NOTADB] ...) says it once
        return outbox.getMessage() + (reason.isEmpty() || outbox.getMessage().contains(reason) ? "" : " (" + reason + ")");
    }
}
