package io.castai.events.ops;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Leaves out what camel-quartz and Quartz log when a poll run's route is stopped under it (a replica
 * that lost the pollers' lease steps down mid-run, or the service stops): Camel's error handler
 * refuses to work for a stopping route (RejectedExecutionException), which CamelJob logged as an
 * ERROR and Quartz's JobRunShell again, each with a stack trace (and the route's error handler
 * first, when the run was waiting for the store as it stopped). Nothing is lost: the run moved no
 * checkpoint, and the next leader reads from it. The step-down is one INFO line of its own.
 */
public class StoppedPollRunFilter extends Filter<ILoggingEvent> {
    private static final String REFUSED = "java.util.concurrent.RejectedExecutionException";
    private static final String ERROR_HANDLER = "org.apache.camel.processor.errorhandler.DefaultErrorHandler";
    /** The threads of camel-quartz's scheduler, which run the poll routes. */
    private static final String QUARTZ_WORKER = "DefaultQuartzScheduler";
    /** Causes followed at most: a cycle of causes must not hang logging. */
    private static final int MAX_DEPTH = 20;

    @Override
    public FilterReply decide(ILoggingEvent event) {
        String logger = event.getLoggerName();
        boolean quartzs = "org.apache.camel.component.quartz.CamelJob".equals(logger) || "org.quartz.core.JobRunShell".equals(logger);
        // a run stopped while it waited for a slow store: the route's error handler says it first
        boolean runsErrorHandler = ERROR_HANDLER.equals(logger) && event.getThreadName() != null
                && event.getThreadName().startsWith(QUARTZ_WORKER);
        if (!quartzs && !runsErrorHandler) {
            return FilterReply.NEUTRAL;
        }
        String message = event.getFormattedMessage();
        if (message != null && message.contains(REFUSED)) {
            return FilterReply.DENY; // CamelJob's ERROR names the cause in its message, without the exception
        }
        IThrowableProxy cause = event.getThrowableProxy();
        for (int depth = 0; cause != null && depth < MAX_DEPTH; depth++, cause = cause.getCause()) {
            if (REFUSED.equals(cause.getClassName())) {
                return FilterReply.DENY;
            }
        }
        return FilterReply.NEUTRAL;
    }
}
