package io.castai.events.outbox;

import java.util.Map;

import io.castai.events.ops.MonitoringHealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * DOWN while writes to the store fail as a whole (a full disk, an I/O error, the database away):
 * the intake then refuses every event with a 503, and only this says why. Shown by
 * /observe/health, for monitoring; neither liveness nor readiness, as {@link BacklogHealthCheck}:
 * a restart frees no disk, and an unready pod would leave its Service (webhooks would find no
 * endpoint instead of a 503 to retry on).
 */
public class StoreHealthCheck extends MonitoringHealthCheck {
    private final Outbox outbox;

    public StoreHealthCheck(Outbox outbox) {
        super("store");
        this.outbox = outbox;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        String failure = outbox.storeFailure();
        if (failure == null) {
            builder.up();
        } else {
            builder.message("writes to the store fail: " + failure);
            builder.down();
        }
    }
}
