package io.castai.events.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.castai.events.outbox.Outbox;
import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.support.cluster.AbstractCamelClusterView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One namespace's leadership. Every {@code takeover / 6} the replica tries to take or renew the
 * lease for {@code takeover * 2 / 3}; so a dead leader's lease has run out, and been taken, within
 * {@code takeover}. A leader whose renewal fails, or hangs (a slow store), steps down an interval
 * before its lease can run out, by its own clock: a second thread watches the time, since the
 * renewing one may be stuck in the call. (The lease's expiry is written by each replica's clock:
 * clocks apart by more than an interval can still overlap leaders briefly.)
 */
class StoreLeaseClusterView extends AbstractCamelClusterView {
    private static final Logger LOG = LoggerFactory.getLogger(StoreLeaseClusterView.class);

    private final Outbox outbox;
    private final String memberId;
    private final Duration ttl;
    private final Duration interval;
    private final CamelClusterMember local = new LocalMember();
    private ScheduledExecutorService executor;
    private volatile boolean leader;
    /** System.nanoTime() when the lease last renewed was asked for: elapsed time, untouched by clock steps. */
    private volatile long heldSince;
    private boolean stopped;

    StoreLeaseClusterView(CamelClusterService service, String namespace, Outbox outbox, String memberId,
                          Duration takeover) {
        super(service, namespace);
        this.outbox = outbox;
        this.memberId = memberId;
        this.ttl = takeover.multipliedBy(2).dividedBy(3);
        this.interval = takeover.dividedBy(6);
    }

    @Override
    protected void doStart() {
        synchronized (this) {
            stopped = false;
        }
        executor = getCamelContext().getExecutorServiceManager()
                .newScheduledThreadPool(this, "lease-" + getNamespace(), 2);
        executor.scheduleWithFixedDelay(this::renew, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        long check = Math.max(interval.toMillis() / 4, 10);
        executor.scheduleWithFixedDelay(this::stepDownBeforeExpiry, check, check, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() throws InterruptedException {
        synchronized (this) {
            stopped = true; // a renewal still in flight does not make this replica leader again
        }
        if (executor != null) {
            getCamelContext().getExecutorServiceManager().shutdownNow(executor);
            // let a renewal in flight finish before the lease is given up: it would write it back
            executor.awaitTermination(5, TimeUnit.SECONDS);
            executor = null;
        }
        if (leader) {
            stepDown("this replica is stopping");
            try {
                outbox.releaseLease(getNamespace(), memberId);
            } catch (RuntimeException e) {
                LOG.warn("Could not give up the {} lease ({}); it runs out by itself", getNamespace(), e.getMessage());
            }
        }
    }

    private void renew() {
        // the lease written runs from here (the store is given this replica's time)
        long attempt = System.nanoTime();
        boolean held;
        try {
            held = outbox.holdLease(getNamespace(), memberId, ttl);
        } catch (RuntimeException e) {
            return; // stepDownBeforeExpiry lets go in time
        }
        synchronized (this) {
            if (stopped) {
                return;
            }
            if (held) {
                heldSince = attempt;
                if (!leader && !nearExpiry()) {
                    leader = true;
                    LOG.info("This replica ({}) now runs the {} (lease in the store)", memberId, getNamespace());
                    fireLeadershipChangedEvent(local);
                }
            } else if (leader) {
                stepDown("another replica holds the lease");
            }
        }
    }

    /** Runs beside the renewal: a lease not renewed in time is let go, however long the renewal hangs. */
    private synchronized void stepDownBeforeExpiry() {
        if (leader && nearExpiry()) {
            stepDown("the lease could not be renewed in time (the store is away or slow)");
        }
    }

    private boolean nearExpiry() {
        return System.nanoTime() - heldSince >= ttl.minus(interval).toNanos();
    }

    private synchronized void stepDown(String why) {
        leader = false;
        LOG.info("This replica ({}) no longer runs the {}: {}", memberId, getNamespace(), why);
        fireLeadershipChangedEvent(Optional.empty());
    }

    @Override
    public Optional<CamelClusterMember> getLeader() {
        return leader ? Optional.of(local) : Optional.empty();
    }

    @Override
    public CamelClusterMember getLocalMember() {
        return local;
    }

    @Override
    public List<CamelClusterMember> getMembers() {
        return List.of(local);
    }

    private final class LocalMember implements CamelClusterMember {
        @Override
        public boolean isLeader() {
            return leader;
        }

        @Override
        public boolean isLocal() {
            return true;
        }

        @Override
        public String getId() {
            return memberId;
        }
    }
}
