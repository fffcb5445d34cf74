package io.castai.events.delivery;

import java.util.ArrayList;
import java.util.List;

import io.castai.events.outbox.Delivery;
import io.castai.events.outbox.Outbox;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.seda.SedaEndpoint;

/**
 * What the retry timer claims on each tick: for every channel, no more due deliveries than its
 * queue has room for, so a channel with a backlog neither hides another channel's retries
 * behind its own nor keeps the timer waiting on its full queue; and those of channels no route
 * serves any more (removed from channels.yaml), which become dead letters.
 */
public class DueDeliveries {
    static final String CHANNEL_ROUTE = "channel-";

    private final Outbox outbox;
    private final int perTick;

    public DueDeliveries(Outbox outbox, int perTick) {
        this.outbox = outbox;
        this.perTick = perTick;
    }

    public List<Delivery> claim(CamelContext context) {
        List<Delivery> claimed = new ArrayList<>();
        List<String> routed = new ArrayList<>();
        for (Route route : context.getRoutes()) {
            if (route.getRouteId().startsWith(CHANNEL_ROUTE) && route.getEndpoint() instanceof SedaEndpoint queue) {
                String channel = route.getRouteId().substring(CHANNEL_ROUTE.length());
                routed.add(channel);
                int room = Math.min(perTick, queue.getQueue().remainingCapacity());
                if (room > 0) {
                    claimed.addAll(outbox.claimDue(channel, room));
                }
            }
        }
        claimed.addAll(outbox.claimDueExcept(routed, perTick));
        return claimed;
    }
}
