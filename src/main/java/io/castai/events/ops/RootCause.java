package io.castai.events.ops;

/** The innermost cause of a failure: a wrapper (CamelExecutionException, a pool's timeout) says nothing by itself. */
public final class RootCause {
    /** Causes followed at most: a cycle of causes must not hang an error path. */
    private static final int MAX_DEPTH = 20;

    private RootCause() {
    }

    /** The innermost cause of {@code failure} (itself when it has none); null for null. */
    public static Throwable of(Throwable failure) {
        Throwable cause = failure;
        for (int depth = 0; depth < MAX_DEPTH && cause != null && cause.getCause() != null && cause.getCause() != cause; depth++) {
            cause = cause.getCause();
        }
        return cause;
    }
}
