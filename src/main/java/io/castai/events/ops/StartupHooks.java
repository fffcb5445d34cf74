package io.castai.events.ops;

import io.castai.events.delivery.PagerDutyChannel;
import io.castai.events.delivery.SlackChannel;
import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedStartupListener;

/** Runs once the service has fully started: JSON bodies for the server's own errors, channel status lines. */
public class StartupHooks implements ExtendedStartupListener {
    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // the HTTP server and its router exist only once everything has started
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext camelContext, boolean alreadyStarted) {
        JsonHttpErrors.install(camelContext, camelContext.getRegistry().findSingleByType(ServiceMetrics.class));
        camelContext.getRegistry().findByType(SlackChannel.class).forEach(SlackChannel::logStatus);
        camelContext.getRegistry().findByType(PagerDutyChannel.class).forEach(PagerDutyChannel::logStatus);
    }
}
