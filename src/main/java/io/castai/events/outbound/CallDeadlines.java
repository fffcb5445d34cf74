package io.castai.events.outbound;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** One timer thread for every outbound call's deadline; a call that ends in time takes its own out at once. */
final class CallDeadlines {
    private static final ScheduledThreadPoolExecutor DEADLINES = new ScheduledThreadPoolExecutor(1, task -> {
        Thread thread = new Thread(task, "outbound-call-deadlines");
        thread.setDaemon(true);
        return thread;
    });

    static {
        DEADLINES.setRemoveOnCancelPolicy(true);
    }

    private CallDeadlines() {
    }

    static ScheduledFuture<?> schedule(Runnable atDeadline, long millis) {
        return DEADLINES.schedule(atDeadline, millis, TimeUnit.MILLISECONDS);
    }
}
