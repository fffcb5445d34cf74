package io.castai.events.ops;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.castai.events.security.LogRedaction;

/**
 * {@code %redactedMsg} in logback.xml: the message, with the secrets the service knows written
 * {@code <secret>}; cut first to what the pattern keeps (10,000 characters) and a margin for a
 * secret across the cut, so a sender's 1 MiB field costs no more than a long line.
 */
public class RedactedMessage extends MessageConverter {
    static final int KEPT = 10_000 + 2_048;

    @Override
    public String convert(ILoggingEvent event) {
        String message = super.convert(event);
        return LogRedaction.redact(message != null && message.length() > KEPT ? message.substring(0, KEPT) : message);
    }
}
