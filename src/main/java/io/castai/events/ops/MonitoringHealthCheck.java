package io.castai.events.ops;

import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * A check shown by /observe/health, for monitoring, and neither liveness nor readiness: what it
 * watches (the CAST AI key, the backlog, the store) is not mended by a restart, and an unready
 * pod would leave its Service (one replica: webhooks find no endpoint; several on one store: all
 * unready at once).
 */
public abstract class MonitoringHealthCheck extends AbstractHealthCheck {
    protected MonitoringHealthCheck(String id) {
        super("castai", id);
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public boolean isReadiness() {
        return false;
    }
}
