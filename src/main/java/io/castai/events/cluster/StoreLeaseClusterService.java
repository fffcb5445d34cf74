package io.castai.events.cluster;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.UUID;

import io.castai.events.outbox.Outbox;
import org.apache.camel.support.cluster.AbstractCamelClusterService;

/**
 * A Camel cluster service whose leader is the replica holding a lease row in the outbox's store:
 * what camel-master ({@code master:castai-pollers:quartz:...}) asks before it starts a poller.
 * With the single-instance SQLite store the one process always wins; with PostgreSQL exactly one
 * replica holds each namespace's lease, renews it, and gives it up on shutdown. When the holder
 * dies its lease runs out and another replica takes it: within the takeover time.
 */
public class StoreLeaseClusterService extends AbstractCamelClusterService<StoreLeaseClusterView> {
    private final Outbox outbox;
    private final Duration takeover;
    private final String memberId;

    public StoreLeaseClusterService(Outbox outbox, Duration takeover) {
        super("store-lease");
        this.outbox = outbox;
        this.takeover = takeover;
        // host@pid plus a random part: a restarted pod with the same name is another member
        this.memberId = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Override
    protected StoreLeaseClusterView createView(String namespace) {
        return new StoreLeaseClusterView(this, namespace, outbox, memberId, takeover);
    }
}
