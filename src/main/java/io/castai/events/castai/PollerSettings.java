package io.castai.events.castai;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which CAST AI pollers run. Read by each poller route's precondition, so a poller that is off
 * is not even created. All are off without an API key; the notifications poller is also off
 * until its schedule is set, because it acknowledges notifications in the console.
 */
public class PollerSettings {
    private static final Logger LOG = LoggerFactory.getLogger(PollerSettings.class);

    /** How long CAST AI keeps a notification (CASTAI-API: they expire after 24 hours). */
    private static final Duration NOTIFICATION_LIFETIME = Duration.ofHours(24);

    private final CastaiApi api;
    private final boolean auditEnabled;
    private final boolean savingsEnabled;
    private final String notificationsSchedule;
    private final Duration dedupWindow;

    public PollerSettings(CastaiApi api, boolean auditEnabled, boolean savingsEnabled, String notificationsSchedule,
                          Duration dedupWindow) {
        this.dedupWindow = dedupWindow;
        this.api = api;
        this.auditEnabled = auditEnabled;
        this.savingsEnabled = savingsEnabled;
        this.notificationsSchedule = notificationsSchedule == null ? "" : notificationsSchedule.trim();
    }

    public boolean isAuditActive() {
        return api.hasKey() && auditEnabled && !api.clusterIds().isEmpty();
    }

    public boolean isSavingsActive() {
        return api.hasKey() && savingsEnabled && !api.clusterIds().isEmpty();
    }

    public boolean isNotificationsActive() {
        return api.hasKey() && !notificationsSchedule.isEmpty();
    }

    /** The pollers that run, each with the clusters it polls ("" for the whole organization), as their runs name them. */
    public Map<String, List<String>> clustersByPoller() {
        Map<String, List<String>> running = new LinkedHashMap<>();
        if (isAuditActive()) {
            running.put("audit", api.clusterIds());
        }
        if (isNotificationsActive()) {
            running.put("notifications", api.clusterIdsOrOrganization());
        }
        if (isSavingsActive()) {
            running.put("savings", api.clusterIds());
        }
        return running;
    }

    /** Says once, at start-up, which pollers run. */
    public void logStatus() {
        if (!api.hasKey()) {
            LOG.info("CAST AI pollers are off: CASTAI_API_KEY is not set");
            return;
        }
        if (api.clusterIds().isEmpty() && (auditEnabled || savingsEnabled)) {
            LOG.info("CAST AI audit-log and savings pollers are off: CASTAI_CLUSTER_ID is not set");
        }
        LOG.info("CAST AI pollers: audit log {}, notifications {}, savings summary {}; clusters {}",
                onOff(isAuditActive()), onOff(isNotificationsActive()), onOff(isSavingsActive()), api.clusterIds());
        if (isNotificationsActive() && dedupWindow.compareTo(NOTIFICATION_LIFETIME) < 0) {
            // a notification whose acknowledgement keeps failing is listed again after the window
            LOG.warn("DEDUP_WINDOW ({}) is shorter than the 24 hours CAST AI keeps a notification: one whose "
                    + "acknowledgement keeps failing for longer is notified again", dedupWindow);
        }
    }

    private static String onOff(boolean on) {
        return on ? "on" : "off";
    }
}
