package io.castai.events.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;

import io.castai.events.outbox.Delivery;
import io.castai.events.outbox.Outbox;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the retry timer claims on each tick: for every channel, no more due deliveries than its
 * queue has room for (less a quarter of it, kept for the intake; and no more text than its bound
 * of messages' length leaves room for, but one; a channel paced after a 429, no more than its
 * pace's free slots), so a channel with a backlog
 * neither hides another channel's retries behind its own nor keeps the timer waiting on its full
 * queue. Every 30 s also those of
 * channels no route serves any more (removed from channels.yaml), which become dead letters,
 * once they have been due for the orphan grace ({@code delivery.orphan-grace}), and no replica
 * serves their channel: replicas sharing a store may run different channels.yaml for a while (a
 * rollout), so each says every 30 s which channels it serves, for three times that. There is no
 * hurry: they can only date from before the start, or be replayed.
 */
public class DueDeliveries {
    private static final Duration ORPHAN_SWEEP = Duration.ofSeconds(30);
    /** How long a replica's word that it serves a channel holds: three sweeps, so one late write does not lapse it. */
    private static final Duration SERVING = ORPHAN_SWEEP.multipliedBy(3);
    private static final Logger LOG = LoggerFactory.getLogger(DueDeliveries.class);

    private final Outbox outbox;
    private final ChannelPause pause;
    private final int perTick;
    /** The text claimed at once for channels no route serves (a channel's queue has a bound of its own). */
    private final long orphanChars;
    private final Duration orphanGrace;
    private final Clock clock;
    /** This replica, in the store's record of who serves which channel. */
    private final String replica = UUID.randomUUID().toString();
    private Instant nextOrphanSweep = Instant.MIN;
    private Instant nextServing = Instant.MIN;
    /** Whether the store was ever told this replica serves its channels: nothing to withdraw before. */
    private volatile boolean saidServing;

    public DueDeliveries(Outbox outbox, ChannelPause pause, int perTick, long orphanChars, Duration orphanGrace, Clock clock) {
        this.outbox = outbox;
        this.pause = pause;
        this.perTick = perTick;
        this.orphanChars = orphanChars;
        this.orphanGrace = orphanGrace;
        this.clock = clock;
    }

    /** On stop, once the timer has stopped: a replica that serves the channels this one did may sweep them at once. */
    public void stopServing() {
        // a start-up that failed (the database away) never said it: no WARN of a withdrawal that failed
        if (saidServing) {
            outbox.stopServing(replica);
        }
    }

    /** The timer's claim (its one thread); a failure throws only when nothing was claimed. */
    public List<Delivery> claim(CamelContext context) {
        List<Delivery> claimed = new ArrayList<>();
        List<String> routed = ChannelQueues.routedChannels(context);
        RuntimeException failure = null;
        RuntimeException servingFailure = null;
        // said whatever becomes of the claims below: a channel whose claim keeps failing is
        // still this replica's, not another's to sweep into dead letters
        if (!clock.instant().isBefore(nextServing)) {
            try {
                // before the attempt: one cut off after its commit may have said it all the same
                saidServing = true;
                outbox.serveChannels(replica, routed, SERVING);
                nextServing = clock.instant().plus(ORPHAN_SWEEP);
            } catch (RuntimeException e) {
                failure = e;
                servingFailure = e;
            }
        }
        for (Route route : context.getRoutes()) {
            BlockingQueue<Exchange> queue = ChannelQueues.queueOf(route);
            if (queue != null) {
                String channel = ChannelQueues.channelOf(route);
                // a quarter of the queue stays free for what the intake hands over meanwhile: an
                // offer that finds the queue full waits the offer timeout, a tick of them the timer
                try {
                    int capacity = queue.size() + queue.remainingCapacity();
                    int room = Math.min(Math.min(perTick, pause.allowance(channel)), queue.remainingCapacity() - capacity / 4);
                    long charsRoom = queue instanceof SizeBoundedQueue bounded ? bounded.charsRoom() : Long.MAX_VALUE;
                    if (room > 0 && charsRoom > 0) {
                        // one longer than the room only into an empty queue: it would be refused, let go and
                        // claimed again at every tick, ahead of the channel's other due deliveries
                        claimed.addAll(outbox.claimDue(channel, room, charsRoom,
                                queue instanceof SizeBoundedQueue bounded ? bounded.holdsNothing() : queue.isEmpty()));
                    }
                } catch (RuntimeException e) {
                    // what other channels claimed is handed over all the same
                    failure = failure == null ? e : failure;
                }
            }
        }
        if (failure == null && !clock.instant().isBefore(nextOrphanSweep)) {
            try {
                claimed.addAll(outbox.claimOverdueExcept(routed, orphanGrace, perTick, orphanChars));
                nextOrphanSweep = clock.instant().plus(ORPHAN_SWEEP);
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        if (failure != null) {
            if (claimed.isEmpty()) {
                throw failure;
            }
            LOG.warn(failure == servingFailure ? "Could not say in the store which channels this replica serves: {}"
                    : "Could not claim every channel's due deliveries: {}", failure.getMessage());
        }
        return claimed;
    }
}
