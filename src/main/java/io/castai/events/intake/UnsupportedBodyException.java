package io.castai.events.intake;

/** A request body in a form the intake does not read (compressed, multipart, a form): a 415; the message is safe to return. */
public class UnsupportedBodyException extends RuntimeException {
    /** A form or multipart body, whichever step finds it. */
    public static final String NOT_JSON = "request body must be JSON, sent as application/json";

    public UnsupportedBodyException(String message) {
        super(message, null, false, false);
    }
}
