package io.castai.events.ops;

import java.util.ArrayList;
import java.util.List;

/**
 * A failure's chain of causes, walked a bounded depth: a cycle of causes (initCause allows one)
 * must not hang an error path. A wrapper (CamelExecutionException, a pool's timeout) says
 * nothing by itself; what is inside does.
 */
public final class Causes {
    /** Causes followed at most. */
    private static final int MAX_DEPTH = 20;

    private Causes() {
    }

    /** The failure and its causes, outermost first (empty for null). */
    public static List<Throwable> chain(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable cause = failure; cause != null && chain.size() < MAX_DEPTH; cause = cause.getCause()) {
            chain.add(cause);
        }
        return chain;
    }

    /** The innermost cause of {@code failure} (itself when it has none; within the bound); null for null. */
    public static Throwable innermost(Throwable failure) {
        List<Throwable> chain = chain(failure);
        return chain.isEmpty() ? null : chain.get(chain.size() - 1);
    }

    /** The outermost failure of {@code type} in the chain, or null. */
    public static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable cause : chain(failure)) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }
}
