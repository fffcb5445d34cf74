package io.castai.events.ops;

import java.util.concurrent.RejectedExecutionException;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StoppedPollRunFilterTest {
    private static final String ERROR_HANDLER = "org.apache.camel.processor.errorhandler.DefaultErrorHandler";
    private final StoppedPollRunFilter filter = new StoppedPollRunFilter();

    @Test
    void theErrorHandlersLineForAPollRunStoppedUnderItIsLeftOut() {
        // a leader stepping down while its poll run waited for a slow store
        assertThat(filter.decide(event(ERROR_HANDLER, "DefaultQuartzScheduler-castai-events_Worker-10",
                new IllegalStateException("Failed delivery", new RejectedExecutionException()))))
                .isEqualTo(FilterReply.DENY);
    }

    @Test
    void theErrorHandlersOtherLinesStay() {
        assertThat(filter.decide(event(ERROR_HANDLER, "DefaultQuartzScheduler-castai-events_Worker-10",
                new IllegalStateException("the store is away")))).isEqualTo(FilterReply.NEUTRAL);
        // a refusal on another thread is not a poll run's
        assertThat(filter.decide(event(ERROR_HANDLER, "vert.x-worker-thread-3", new RejectedExecutionException())))
                .isEqualTo(FilterReply.NEUTRAL);
        assertThat(filter.decide(event("org.quartz.core.JobRunShell", "DefaultQuartzScheduler-castai-events_Worker-1",
                new RejectedExecutionException()))).isEqualTo(FilterReply.DENY);
    }

    private static LoggingEvent event(String logger, String thread, Throwable failure) {
        LoggingEvent event = new LoggingEvent(ERROR_HANDLER, new LoggerContext().getLogger(logger), Level.ERROR,
                "Failed delivery for (MessageId: 1). Exhausted after delivery attempt: 1", failure, null);
        event.setThreadName(thread);
        return event;
    }
}
