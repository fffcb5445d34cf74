package io.castai.events.ops;

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
