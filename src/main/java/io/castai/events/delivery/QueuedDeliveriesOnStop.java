package io.castai.events.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;

import io.castai.events.ops.ContextEventNotifier;
import io.castai.events.outbox.HeldLease;
import io.castai.events.outbox.Outbox;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.CamelContextStoppingEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the context starts to stop, before its routes do: the retry timer is stopped, the store
 * told this replica serves no channel any more (a replica without a channel sweeps its
 * deliveries into dead letters only when none serves it), and the deliveries waiting in the channels' queues are taken out and their leases let go, so another
 * replica sends them at once instead of when the leases run out (they are all in the outbox; a
 * single instance sends them at its next start). What is queued after this, while the intake stops, is purged with its lease
 * (purgeWhenStopping in routes/channel-*.yaml).
 */
public class QueuedDeliveriesOnStop extends ContextEventNotifier {
    /** The retry timer's route (routes/delivery-retries.camel.yaml). */
    private static final String RETRY_TIMER_ROUTE = "delivery-retries";
    private static final Logger LOG = LoggerFactory.getLogger(QueuedDeliveriesOnStop.class);

    public QueuedDeliveriesOnStop() {
        super(CamelContextStoppingEvent.class);
    }

    @Override
    public void notify(CamelEvent event) {
        CamelContext context = ((CamelContextStoppingEvent) event).getContext();
        // first the retry timer: it would claim the deliveries let go below and queue them again
        try {
            context.getRouteController().stopRoute(RETRY_TIMER_ROUTE);
        } catch (Exception e) {
            LOG.warn("Stopping: could not stop the retry timer first ({}); queued deliveries may keep their leases",
                    e.getMessage());
        }
        try {
            context.getRegistry().findSingleByType(DueDeliveries.class).stopServing();
        } catch (RuntimeException e) {
            LOG.warn("Stopping: could not withdraw this replica's channels from the store ({}); they lapse within 90 s",
                    e.getMessage());
        }
        List<HeldLease> held = new ArrayList<>();
        for (Route route : context.getRoutes()) {
            BlockingQueue<Exchange> queue = ChannelQueues.queueOf(route);
            if (queue != null) {
                String channel = ChannelQueues.channelOf(route);
                List<Exchange> queued = new ArrayList<>();
                queue.drainTo(queued);
                for (Exchange delivery : queued) {
                    held.add(new HeldLease(delivery.getProperty(DeliveryReport.EVENT_ID, String.class), channel,
                            delivery.getProperty(DeliveryReport.LEASED_UNTIL, 0L, Long.class)));
                }
            }
        }
        if (!held.isEmpty()) {
            try {
                context.getRegistry().findSingleByType(Outbox.class).letGo(held);
                LOG.info("Stopping: {} queued deliveries left pending in the outbox, their leases let go", held.size());
            } catch (RuntimeException e) {
                LOG.warn("Stopping: {} queued deliveries left pending in the outbox; their leases run out on their own ({})",
                        held.size(), e.getMessage());
            }
        }
    }
}
