package io.castai.events.ops;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.castai.events.security.LogRedaction;

/** {@code %redactedMsg} in logback.xml: the message, with the secrets the service knows written {@code <secret>}. */
public class RedactedMessage extends MessageConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return LogRedaction.redact(super.convert(event));
    }
}
