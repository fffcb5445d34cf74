package io.castai.events.channels;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

/**
 * One sending route per channel that is on, made from its type's route template
 * (routes/channel-&lt;type&gt;.camel.yaml): route {@code channel-<name>} consuming
 * {@code seda:channel-<name>}, so one channel's retries or pauses never hold up another.
 * Runs once the YAML routes (and so the templates) are loaded, before anything starts.
 */
public class ChannelRoutes extends MainListenerSupport {
    @Override
    public void afterConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        Channels channels = context.getRegistry().findSingleByType(Channels.class);
        context.getRegistry().findSingleByType(EmailChannel.class).bindSenders(context);
        for (ChannelConfig channel : channels.all()) {
            if (channel.type() == ChannelType.LOG || !channel.isOn()) {
                continue;
            }
            TemplatedRouteBuilder route = TemplatedRouteBuilder.builder(context, channel.type().id() + "-channel")
                    .routeId("channel-" + channel.name())
                    .parameter("channel", channel.name());
            if (channel.type() == ChannelType.EMAIL) {
                route.parameter("host", channel.text("host"))
                        .parameter("port", String.valueOf(channel.integer("port")))
                        .parameter("protocol", "smtps".equals(channel.text("tls")) ? "smtps" : "smtp");
            }
            route.add();
        }
    }
}
