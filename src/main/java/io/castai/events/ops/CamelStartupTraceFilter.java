package io.castai.events.ops;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Leaves out Camel's own report of a start-up that failed on a mistake in the configuration
 * ("Error starting CamelContext", a stack trace of some 130 lines): App says the same in one
 * line naming the setting ({@code Not started: ...}), and the trace before it buried that line.
 * And, after any failed start, Camel 4.17's WARN with a trace (~30 lines) from stopping a channel's
 * seda consumer that never started: purgeWhenStopping empties a queue not made yet
 * (NullPointerException in SedaEndpoint.purgeQueue); nothing is lost, there was no queue.
 * The same for a start that failed on the outbox (a damaged file): App's line gives the
 * database's own reason. Any other failure's trace is kept.
 */
public class CamelStartupTraceFilter extends Filter<ILoggingEvent> {
    private static final String MISTAKE = "io.castai.events.channels.ConfigurationException";
    /** A start that failed on the outbox: App says why in one line too (only that report is left out). */
    private static final String STORE_FAILURE = "io.castai.events.outbox.OutboxException";
    private static final String FAILED_START = "Error starting CamelContext";
    /** Causes followed at most: a cycle of causes must not hang logging. */
    private static final int MAX_DEPTH = 20;

    @Override
    public FilterReply decide(ILoggingEvent event) {
        if (!event.getLoggerName().startsWith("org.apache.camel.")) {
            return FilterReply.NEUTRAL;
        }
        boolean failedStart = event.getMessage() != null && event.getMessage().startsWith(FAILED_START);
        IThrowableProxy cause = event.getThrowableProxy();
        for (int depth = 0; cause != null && depth < MAX_DEPTH; depth++, cause = cause.getCause()) {
            if (MISTAKE.equals(cause.getClassName()) || unstartedQueuePurged(cause)
                    || failedStart && STORE_FAILURE.equals(cause.getClassName())) {
                return FilterReply.DENY;
            }
        }
        return FilterReply.NEUTRAL;
    }

    private static boolean unstartedQueuePurged(IThrowableProxy cause) {
        StackTraceElementProxy[] frames = cause.getStackTraceElementProxyArray();
        return "java.lang.NullPointerException".equals(cause.getClassName()) && frames != null && frames.length > 0
                && "org.apache.camel.component.seda.SedaEndpoint".equals(frames[0].getStackTraceElement().getClassName())
                && "purgeQueue".equals(frames[0].getStackTraceElement().getMethodName());
    }
}
