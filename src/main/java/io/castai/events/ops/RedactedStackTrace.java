package io.castai.events.ops;

import ch.qos.logback.classic.pattern.ExtendedThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.castai.events.security.LogRedaction;

/**
 * {@code %redactedEx} in logback.xml: a logged exception's stack trace (as logback writes it by
 * default), with the secrets the service knows written {@code <secret>}: an exception's message
 * may quote a request URL with its token.
 */
public class RedactedStackTrace extends ExtendedThrowableProxyConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return LogRedaction.redact(super.convert(event));
    }
}
