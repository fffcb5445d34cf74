package io.castai.events.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.slf4j.Logger;

/**
 * The lines of what can come in floods: refusals anyone can cause at will (a wrong token, a bad
 * body, an unknown path, a stalled request), a failing channel's attempts. At most {@code lines}
 * every {@code seconds}, the first line after a window that had more saying how many were left
 * out. Each is still answered and counted (castai_events_rejected_total,
 * castai_delivery_attempts_total); a flood fills no disk and drowns no other line.
 */
public final class RefusalLog {
    /**
     * Every log made, so that a timer and the stop can say what each left out: the end of a flood
     * brings no next line to say it. Weak: a log goes with whatever kept it.
     */
    private static final Set<RefusalLog> ALL = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    /** The limit of most refusal lines: a burst of a misconfigured sender's refusals is seen whole. */
    private static final int LINES = 50;
    private static final int SECONDS = 10;

    private final Logger log;
    private final int lines;
    private final long windowNanos;
    private final LongSupplier nanoTime;
    /** What the lines are about, for the count of those left out ("refused"). */
    private final String what;
    private long windowStart;
    private int written;
    private long leftOut;
    /** Whether an ERROR line was among those left out (the count is then said at ERROR). */
    private boolean leftOutError;

    public RefusalLog(Logger log) {
        this(log, LINES, SECONDS, System::nanoTime);
    }

    /** {@code what}: the lines left out, as the next line counts them ("failed requests"). */
    public RefusalLog(Logger log, String what) {
        this(log, LINES, SECONDS, System::nanoTime, what);
    }

    public RefusalLog(Logger log, int lines, int seconds, LongSupplier nanoTime) {
        this(log, lines, seconds, nanoTime, "refused");
    }

    public RefusalLog(Logger log, int lines, int seconds, LongSupplier nanoTime, String what) {
        this.what = what;
        this.log = log;
        this.lines = lines;
        this.windowNanos = TimeUnit.SECONDS.toNanos(seconds);
        this.nanoTime = nanoTime;
        // the first window starts at the first line: one begun when the log was made (at start-up)
        // could end in the middle of the first flood, and let up to twice the limit through
        this.windowStart = nanoTime.getAsLong() - windowNanos;
        ALL.add(this);
    }

    /** Every log's count of lines left out, once its window has passed (a timer, routes/log-counts.camel.yaml). */
    public static void sayAllLeftOut() {
        all().forEach(RefusalLog::sayLeftOut);
    }

    /** Every log's count of lines left out, window or not: the service is stopping, no later line will come. */
    public static void sayAllLeftOutNow() {
        all().forEach(log -> log.sayLeftOut(true));
    }

    private static List<RefusalLog> all() {
        synchronized (ALL) {
            return new ArrayList<>(ALL);
        }
    }

    /** As {@code Logger.warn(format, args)}, within the limit. */
    public void warn(String format, Object... args) {
        String leftOut = nextLine(false);
        if (leftOut != null) {
            log.warn(format + "{}", withCount(args, leftOut));
        }
    }

    /** As {@code Logger.error(format, args)}, within the limit (shared with {@link #warn}). */
    public void error(String format, Object... args) {
        String leftOut = nextLine(true);
        if (leftOut != null) {
            log.error(format + "{}", withCount(args, leftOut));
        }
    }

    private static Object[] withCount(Object[] args, String leftOut) {
        Object[] withCount = Arrays.copyOf(args, args.length + 1);
        withCount[args.length] = leftOut;
        return withCount;
    }

    /**
     * For a line whose arguments cost something to make: null when it is to be left out, else
     * what to end it with ("", or how many were left out before it).
     */
    public String nextLine() {
        return nextLine(false);
    }

    private String nextLine(boolean error) {
        long before;
        synchronized (this) {
            long now = nanoTime.getAsLong();
            if (now - windowStart >= windowNanos) {
                windowStart = now;
                written = 0;
            }
            if (written >= lines) {
                leftOut++;
                leftOutError |= error;
                return null;
            }
            written++;
            before = leftOut;
            leftOut = 0;
            leftOutError = false;
        }
        return before == 0 ? "" : " (" + before + " more " + what + " before this one were not logged: " + limit() + ")";
    }

    /**
     * Says how many lines were left out once their window has passed, if no line has said it yet:
     * when a flood ends (or every delivery of it is dead), no next line comes to say it. Called
     * now and then by a timer ({@link #sayAllLeftOut}).
     */
    public void sayLeftOut() {
        sayLeftOut(false);
    }

    private void sayLeftOut(boolean windowOrNot) {
        long count;
        boolean error;
        synchronized (this) {
            long now = nanoTime.getAsLong();
            if (leftOut == 0 || (!windowOrNot && now - windowStart < windowNanos)) {
                return;
            }
            count = leftOut;
            error = leftOutError;
            leftOut = 0;
            leftOutError = false;
            windowStart = now;
            written = 1;
        }
        String line = count + " more " + what + " were not logged: " + limit();
        if (error) {
            log.error(line);
        } else {
            log.warn(line);
        }
    }

    private String limit() {
        return "at most " + lines + (lines == 1 ? " line" : " lines") + " every " + TimeUnit.NANOSECONDS.toSeconds(windowNanos) + " s";
    }
}
