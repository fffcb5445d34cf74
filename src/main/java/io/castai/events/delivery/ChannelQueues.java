package io.castai.events.delivery;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.seda.SedaEndpoint;

/** The in-memory queue in front of each channel's workers (route channel-&lt;name&gt;, seda). */
final class ChannelQueues {
    static final String CHANNEL_ROUTE = "channel-";

    private ChannelQueues() {
    }

    /** How many more deliveries the channel's queue takes just now; 0 when no route serves it. */
    static int room(CamelContext context, String channel) {
        Route route = context.getRoute(CHANNEL_ROUTE + channel);
        return route == null ? 0 : room(route);
    }

    static int room(Route route) {
        return route.getEndpoint() instanceof SedaEndpoint queue ? queue.getQueue().remainingCapacity() : 0;
    }

    /** The channel a route serves, or null when it is no channel route. */
    static String channelOf(Route route) {
        return route.getRouteId().startsWith(CHANNEL_ROUTE) && route.getEndpoint() instanceof SedaEndpoint
                ? route.getRouteId().substring(CHANNEL_ROUTE.length()) : null;
    }
}
