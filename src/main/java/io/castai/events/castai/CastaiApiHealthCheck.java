package io.castai.events.castai;

import java.util.Map;
import java.util.Set;

import io.castai.events.ops.MonitoringHealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * DOWN while the CAST AI API refuses the key for a polled cluster: shown by /observe/health, for
 * monitoring, and neither a liveness check (a restart would not fix a wrong key) nor a readiness
 * one (the pod would leave its Service, and the console's webhooks would find no endpoint).
 */
public class CastaiApiHealthCheck extends MonitoringHealthCheck {
    private final PollerBackoff backoff;

    public CastaiApiHealthCheck(PollerBackoff backoff) {
        super("castai-api");
        this.backoff = backoff;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Set<String> refused = backoff.refusals();
        if (refused.isEmpty()) {
            builder.up();
        } else {
            builder.message("CAST AI API refused the key for " + refused + " (poller:cluster)");
            builder.detail("refused", String.join(",", refused));
            builder.down();
        }
    }
}
