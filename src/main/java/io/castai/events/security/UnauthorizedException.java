package io.castai.events.security;

/** A request without valid credentials; its message is safe to return (it names no secret). */
public class UnauthorizedException extends RuntimeException {
    public UnauthorizedException(String message) {
        super(message, null, false, false);
    }
}
