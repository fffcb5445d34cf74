package io.castai.events.kubernetes;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
    /** uid → the resourceVersion last handled: what a resync or a restarted watch need not take again. */
    private final Map<String, String> handled = new ConcurrentHashMap<>();
    private volatile boolean toldNoneFromSource;

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

    /** Whether the event was not yet handled at this version (a restarted watch, or a resync, lists it again). */
    public boolean isNew(Event event) {
        String version = handled.get(key(event));
        return version == null || !version.equals(version(event));
    }

    /** The event in exchange property {@code k8sEvent} was accepted (or is not CAST AI's): not taken again at this version. */
    public void handled(Exchange exchange) {
        Event event = exchange.getProperty("k8sEvent", Event.class);
        handled.put(key(event), version(event));
    }

    /**
     * Of the events a resync listed, those not handled at their version: the watch missed them
     * (exchange property {@code watchMissed}: the watch is restarted). Events gone from the list
     * are forgotten.
     */
    public List<Event> missedByTheWatch(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<Event> listed = exchange.getMessage().getBody(List.class);
        Set<String> present = new HashSet<>();
        listed.forEach(event -> present.add(key(event)));
        handled.keySet().retainAll(present);
        if (!source.isEmpty() && !listed.isEmpty() && listed.stream().noneMatch(this::isFromSource) && !toldNoneFromSource) {
            // a source name that matches nothing would otherwise drop every event without a word
            toldNoneFromSource = true;
            LOG.warn("None of the {} Kubernetes events in namespace {} was reported by '{}' (K8S_EVENTS_SOURCE); "
                    + "they are not notified. Set K8S_EVENTS_SOURCE to their source, or empty for all", listed.size(),
                    namespace, source);
        }
        List<Event> missed = listed.stream().filter(this::isNew).toList();
        exchange.setProperty("watchMissed", !missed.isEmpty());
        return missed;
    }

    private static String key(Event event) {
        String uid = event.getMetadata().getUid();
        return uid != null ? uid : event.getMetadata().getNamespace() + "/" + event.getMetadata().getName();
    }

    private static String version(Event event) {
        return String.valueOf(event.getMetadata().getResourceVersion());
    }

    /** After a resync found what the watch missed: a fresh watch, in case the last one ended. */
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
        return new NotificationEvent(
                "k8s:" + key(event),
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
