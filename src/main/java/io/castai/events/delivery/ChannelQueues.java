package io.castai.events.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.component.seda.SedaEndpoint;

/**
 * The in-memory queue in front of each channel's workers (route channel-&lt;name&gt;, seda). One
 * instance per CamelContext: it remembers each channel's queue, so a request does not look the
 * route up (CamelContext.getRoute copies the route list under a lock).
 */
final class ChannelQueues {
    static final String CHANNEL_ROUTE = "channel-";

    private final Map<String, BlockingQueue<Exchange>> queues = new ConcurrentHashMap<>();

    /** How many more deliveries the channel's queue takes just now; 0 when no route serves it, or it is full by text. */
    int room(CamelContext context, String channel) {
        if (channel == null) {
            return 0;
        }
        BlockingQueue<Exchange> queue = queues.get(channel);
        if (queue == null) {
            Route route = context.getRoute(CHANNEL_ROUTE + channel);
            queue = route == null ? null : queueOf(route);
            if (queue == null) {
                return 0;
            }
            queues.put(channel, queue);
        }
        return queue instanceof SizeBoundedQueue bounded && bounded.charsRoom() == 0 ? 0 : queue.remainingCapacity();
    }

    /** The queue of a channel route, or null when it is no channel route. */
    static BlockingQueue<Exchange> queueOf(Route route) {
        return route.getRouteId().startsWith(CHANNEL_ROUTE) && route.getEndpoint() instanceof SedaEndpoint seda
                ? seda.getQueue() : null;
    }

    /** The channels this process has a route for. */
    static List<String> routedChannels(CamelContext context) {
        List<String> channels = new ArrayList<>();
        for (Route route : context.getRoutes()) {
            if (queueOf(route) != null) {
                channels.add(channelOf(route));
            }
        }
        return channels;
    }

    /** The channel a channel route serves. */
    static String channelOf(Route route) {
        return route.getRouteId().substring(CHANNEL_ROUTE.length());
    }
}
