package io.castai.events.kubernetes;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.castai.events.intake.NotificationEvent;
import io.castai.events.intake.Severity;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.apache.camel.Exchange;
import org.apache.camel.spi.RouteController;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kubernetes event (events.k8s.io/v1, as camel-kubernetes' events consumer delivers it) as an
 * internal event of type {@code k8s.<reason>}: what {@code kubectl get events -n castai-agent}
 * shows. Keyed by the event's uid, so an event Kubernetes updates (its count going up) notifies
 * once within the dedup window.
 */
public class KubernetesEvents {
    /** The watching route (routes/k8s-events.camel.yaml). */
    private static final String WATCH_ROUTE = "k8s-events";
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesEvents.class);

    private final String clusterName;
    private final String source;
    private final String namespace;

    public KubernetesEvents(String clusterName, String source, String namespace) {
        this.clusterName = clusterName == null || clusterName.isBlank() ? null : clusterName.trim();
        this.source = source == null ? "" : source.trim();
        this.namespace = namespace;
    }

    /**
     * Whether the event was reported by the source this service listens to: the component of
     * {@code kubectl get events --field-selector=source=...} (events.k8s.io/v1 keeps it as
     * deprecatedSource.component, and client-go's recorder also sets it as reportingController).
     */
    public boolean isFromSource(Event event) {
        return source.isEmpty() || source.equals(event.getReportingController())
                || event.getDeprecatedSource() != null && source.equals(event.getDeprecatedSource().getComponent());
    }

    /** After a resync: a fresh watch, in case the last one ended (its first answers are duplicates, dropped). */
    public void restartWatch(Exchange exchange) throws Exception {
        if (!exchange.getContext().isStarted()) {
            return; // stopping: the watch stays stopped
        }
        RouteController routes = exchange.getContext().getRouteController();
        routes.stopRoute(WATCH_ROUTE);
        routes.startRoute(WATCH_ROUTE);
    }

    /** The events could not be listed: refused, unreachable, or the store failed on one of them. */
    public void resyncFailed(Exchange exchange) {
        Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        LOG.warn("Kubernetes events in namespace {} could not be listed and accepted ({}); the watch may be missing "
                + "events; trying again at the next resync", namespace, describe(failure));
    }

    private static String describe(Exception failure) {
        KubernetesClientException api = failure instanceof KubernetesClientException k ? k
                : failure != null && failure.getCause() instanceof KubernetesClientException k ? k : null;
        if (api != null && api.getCode() > 0) {
            return "HTTP " + api.getCode() + (api.getStatus() != null && api.getStatus().getReason() != null
                    ? " " + api.getStatus().getReason() : "");
        }
        return failure == null ? "unknown error" : failure.getClass().getSimpleName();
    }

    public NotificationEvent toEvent(Event event) {
        String reason = event.getReason() == null || event.getReason().isBlank() ? "Unknown" : event.getReason();
        ObjectReference regarding = event.getRegarding();
        String object = regarding == null ? "" : lower(regarding.getKind()) + "/" + regarding.getName();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("namespace", event.getMetadata().getNamespace());
        details.put("object", object);
        details.put("reportingController", event.getReportingController());
        if (event.getDeprecatedSource() != null) {
            details.put("source", event.getDeprecatedSource().getComponent());
        }
        details.put("count", event.getSeries() != null ? event.getSeries().getCount() : event.getDeprecatedCount());
        details.values().removeIf(v -> v == null);
        String note = event.getNote() == null ? reason : event.getNote();
        String uid = event.getMetadata().getUid();
        String key = uid != null ? uid : event.getMetadata().getNamespace() + "/" + event.getMetadata().getName();
        return new NotificationEvent(
                "k8s:" + key,
                "k8s." + reason.replaceAll("[^A-Za-z0-9_.:-]", "_"),
                "Warning".equalsIgnoreCase(event.getType()) ? Severity.WARNING : Severity.INFO,
                null,
                clusterName,
                timestamp(event),
                reason,
                note,
                details,
                NotificationEvent.ORIGIN_KUBERNETES);
    }

    private static String timestamp(Event event) {
        if (event.getEventTime() != null && event.getEventTime().getTime() != null) {
            return event.getEventTime().getTime();
        }
        return event.getDeprecatedLastTimestamp() != null ? event.getDeprecatedLastTimestamp()
                : event.getMetadata().getCreationTimestamp();
    }

    private static String lower(String kind) {
        return kind == null ? "object" : kind.toLowerCase(Locale.ROOT);
    }
}
