package io.castai.events.ops;

import java.time.Duration;
import java.util.function.Supplier;

import io.castai.events.outbox.Outbox;
import io.castai.events.outbox.OutboxStats;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;

/**
 * The service's own counters, in the Micrometer registry that {@code /observe/metrics} exposes
 * (Prometheus names: {@code castai_events_received_total}, ...). Labels are channel names and
 * failure reasons only: never a URL, key or event content.
 */
public class ServiceMetrics {
    private final CamelContext camelContext;
    private volatile MeterRegistry registry;

    public ServiceMetrics(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    public void received() {
        registry().counter("castai.events.received").increment();
    }

    public void duplicate() {
        registry().counter("castai.events.duplicate").increment();
    }

    public void rejected(String reason) {
        registry().counter("castai.events.rejected", "reason", reason).increment();
    }

    public void delivered(String channel) {
        registry().counter("castai.events.delivered", "channel", channel).increment();
    }

    public void deliveryRetried(String channel, String reason) {
        registry().counter("castai.events.retried", "channel", channel, "reason", reason).increment();
    }

    /** One delivery attempt and how it ended: delivered, or a failure reason. */
    public void attempt(String channel, String outcome) {
        registry().counter("castai.delivery.attempts", "channel", channel, "outcome", outcome).increment();
    }

    /** From acceptance to the channel's 2xx. */
    public void deliveryLatency(String channel, Duration latency) {
        registry().timer("castai.delivery.latency", "channel", channel).record(latency);
    }

    /** Backlog gauges read from the outbox (at most once a second); held strongly, as Micrometer holds gauges' state weakly. */
    public void watchOutbox(Outbox outbox) {
        Supplier<OutboxStats> stats = new CachedStats(outbox);
        MeterRegistry r = registry();
        Gauge.builder("castai.outbox.pending", stats, s -> s.get().pending())
                .description("deliveries waiting for their channel").strongReference(true).register(r);
        Gauge.builder("castai.outbox.oldest.pending.age.seconds", stats, s -> s.get().oldestPendingAgeSeconds())
                .description("age of the oldest pending delivery").strongReference(true).register(r);
        Gauge.builder("castai.outbox.dead.letters", stats, s -> s.get().dead())
                .description("deliveries given up on, kept for replay").strongReference(true).register(r);
    }

    private static final class CachedStats implements Supplier<OutboxStats> {
        private final Outbox outbox;
        private volatile OutboxStats last;
        private volatile long readAt;

        CachedStats(Outbox outbox) {
            this.outbox = outbox;
        }

        @Override
        public OutboxStats get() {
            long now = System.currentTimeMillis();
            if (last == null || now - readAt > 1000) {
                last = outbox.stats();
                readAt = now;
            }
            return last;
        }
    }

    public void deliveryFailed(String channel, String reason) {
        registry().counter("castai.events.failed", "channel", channel, "reason", reason).increment();
    }

    /** Camel Main binds the Prometheus registry while starting, so it is looked up on first use. */
    private MeterRegistry registry() {
        MeterRegistry found = registry;
        if (found == null) {
            synchronized (this) {
                found = registry;
                if (found == null) {
                    found = camelContext.getRegistry().findSingleByType(MeterRegistry.class);
                    registry = found = found != null ? found : new SimpleMeterRegistry();
                }
            }
        }
        return found;
    }
}
