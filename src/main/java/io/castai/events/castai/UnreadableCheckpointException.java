package io.castai.events.castai;

/**
 * A poller's saved checkpoint that cannot be read: its message (what to do about it) is the log
 * line's, not an "I/O error" that would point at CAST AI.
 */
public class UnreadableCheckpointException extends IllegalStateException {
    public UnreadableCheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
