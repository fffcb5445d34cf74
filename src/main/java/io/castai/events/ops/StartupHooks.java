package io.castai.events.ops;

import io.castai.events.delivery.PagerDutyChannel;
import io.castai.events.delivery.SlackChannel;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

/** Runs once the service has started: JSON bodies for the server's own errors, channel status lines. */
public class StartupHooks extends MainListenerSupport {
    @Override
    public void afterStart(BaseMainSupport main) {
        CamelContext camelContext = main.getCamelContext();
        JsonHttpErrors.install(camelContext, camelContext.getRegistry().findSingleByType(ServiceMetrics.class));
        camelContext.getRegistry().findByType(SlackChannel.class).forEach(SlackChannel::logStatus);
        camelContext.getRegistry().findByType(PagerDutyChannel.class).forEach(PagerDutyChannel::logStatus);
    }
}
