package io.castai.events.cluster;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.castai.events.outbox.Outbox;
import io.castai.events.outbox.OutboxException;
import io.castai.events.outbox.Store;
import org.apache.camel.cluster.CamelClusterEventListener;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A leader lets go of its lease before it runs out, even while renewing it hangs. */
class StoreLeaseClusterViewTest {
    @TempDir
    Path dataDir;

    /** A store that answers renewals at once, until told to hang in them (as a slow database does). */
    private final class SlowStoreOutbox extends Outbox {
        volatile long hangMillis;
        /** After hanging, the renewal goes through (a slow store) instead of failing. */
        volatile boolean slowButWorking;
        final AtomicLong lastGoodRenewal = new AtomicLong();
        /** Counted down when a renewal starts to hang. */
        final CountDownLatch hanging = new CountDownLatch(1);
        final AtomicLong released = new AtomicLong();

        SlowStoreOutbox() {
            super(Store.sqlite(dataDir), Clock.systemUTC(), Duration.ofMinutes(2), Duration.ofHours(24));
        }

        @Override
        public boolean holdLease(String name, String owner, Duration ttl) {
            long hang = hangMillis;
            if (hang > 0) {
                hanging.countDown();
                try {
                    Thread.sleep(hang);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (!slowButWorking) {
                    throw new OutboxException("the store did not answer", null);
                }
            }
            lastGoodRenewal.set(System.nanoTime());
            return true;
        }

        @Override
        public void releaseLease(String name, String owner) {
            released.set(System.nanoTime());
        }
    }

    private SlowStoreOutbox outbox;
    private DefaultCamelContext context;
    private CamelClusterView view;

    /** A replica leading: takeover 6 s, so the lease lasts 4 s, renewed every second, let go 1 s before it runs out. */
    @BeforeEach
    void lead() throws Exception {
        outbox = new SlowStoreOutbox();
        StoreLeaseClusterService service = new StoreLeaseClusterService(outbox, Duration.ofSeconds(6));
        context = new DefaultCamelContext();
        context.addService(service);
        context.start();
        view = service.getView("castai-pollers");
        view.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> view.getLeader().isPresent());
    }

    @AfterEach
    void stop() throws Exception {
        context.close();
    }

    @Test
    void aLeaderWhoseRenewalHangsStepsDownBeforeItsLeaseRunsOut() {
        // the moment the view says it no longer leads, taken when it says so (not by polling)
        AtomicLong steppedDown = new AtomicLong();
        view.addEventListener((CamelClusterEventListener.Leadership) (changed, leader) -> {
            if (leader == null) {
                steppedDown.compareAndSet(0, System.nanoTime());
            }
        });
        outbox.hangMillis = 10_000;
        await().atMost(Duration.ofSeconds(8)).until(() -> steppedDown.get() != 0);
        long leaseEnd = outbox.lastGoodRenewal.get() + TimeUnit.SECONDS.toNanos(4);
        assertThat(steppedDown.get()).as("stepped down before the lease ran out").isLessThan(leaseEnd);
        assertThat(view.getLeader()).isEmpty();
    }

    @Test
    void aRenewalInFlightWhenTheReplicaStopsIsDoneBeforeTheLeaseIsGivenUp() throws Exception {
        outbox.slowButWorking = true;
        outbox.hangMillis = 1500;
        long before = outbox.lastGoodRenewal.get();
        assertThat(outbox.hanging.await(5, TimeUnit.SECONDS)).as("a renewal (every second) is in the slow store").isTrue();
        view.stop();

        assertThat(view.getLeader()).as("the renewal that came back after the stop made no leader").isEmpty();
        assertThat(outbox.lastGoodRenewal.get()).as("the renewal in flight went through").isGreaterThan(before);
        assertThat(outbox.released.get()).as("given up after that renewal, not before it (which it would undo)")
                .isGreaterThan(outbox.lastGoodRenewal.get());
    }
}
