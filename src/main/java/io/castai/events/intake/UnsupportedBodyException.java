package io.castai.events.intake;

/** A request body in a form the intake does not read (compressed, multipart, a form): a 415; the message is safe to return. */
public class UnsupportedBodyException extends RuntimeException {
    public UnsupportedBodyException(String message) {
        super(message, null, false, false);
    }
}
