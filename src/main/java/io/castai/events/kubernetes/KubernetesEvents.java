package io.castai.events.kubernetes;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import io.castai.events.channels.RoutingRule;
import io.castai.events.intake.NotificationEvent;
import io.castai.events.intake.Severity;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.events.v1.Event;

/**
 * A Kubernetes event (events.k8s.io/v1, as camel-kubernetes' events consumer delivers it) as an
 * internal event of type {@code k8s.<reason>}: what {@code kubectl get events -n castai-agent}
 * shows. Keyed by the event's uid, so an event Kubernetes updates (its count going up) notifies
 * once within the dedup window.
 */
public class KubernetesEvents {
    private final String clusterName;
    private final String source;
    private final List<Pattern> sources;

    /** {@code source}: comma-separated names, {@code *} standing for any characters; empty: every source. */
    public KubernetesEvents(String clusterName, String source) {
        this.clusterName = clusterName == null || clusterName.isBlank() ? null : clusterName.trim();
        this.source = source == null ? "" : source.trim();
        this.sources = Arrays.stream(this.source.split(",")).map(String::trim).filter(name -> !name.isEmpty())
                .map(RoutingRule::glob).toList();
    }

    /** The sources events are taken from, as configured; empty: all. */
    public String source() {
        return source;
    }

    /**
     * Whether the event was reported by a source this service listens to: the component of
     * {@code kubectl get events --field-selector=source=...} (events.k8s.io/v1 keeps it as
     * deprecatedSource.component, and client-go's recorder also sets it as reportingController).
     * CAST AI's components report under names like {@code castai} and {@code autoscaler.cast.ai}.
     */
    public boolean isFromSource(Event event) {
        return sources.isEmpty() || matches(event.getReportingController())
                || event.getDeprecatedSource() != null && matches(event.getDeprecatedSource().getComponent());
    }

    private boolean matches(String reporter) {
        return reporter != null && sources.stream().anyMatch(name -> name.matcher(reporter).matches());
    }

    static String key(Event event) {
        String uid = event.getMetadata().getUid();
        return uid != null ? uid : event.getMetadata().getNamespace() + "/" + event.getMetadata().getName();
    }

    public NotificationEvent toEvent(Event event) {
        String reason = event.getReason() == null || event.getReason().isBlank() ? "Unknown" : event.getReason();
        ObjectReference regarding = event.getRegarding();
        String object = regarding == null ? "" : lower(regarding.getKind()) + "/" + regarding.getName();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("namespace", event.getMetadata().getNamespace());
        details.put("object", object);
        if (regarding != null && "Node".equals(regarding.getKind())) {
            // as the other sources name a node: dedupBy: node, and the node in Slack's and PagerDuty's fields
            details.put("nodeName", regarding.getName());
        }
        details.put("reportingController", event.getReportingController());
        if (event.getDeprecatedSource() != null) {
            details.put("source", event.getDeprecatedSource().getComponent());
        }
        details.put("count", event.getSeries() != null ? event.getSeries().getCount() : event.getDeprecatedCount());
        details.values().removeIf(v -> v == null);
        String note = event.getNote() == null ? reason : event.getNote();
        return new NotificationEvent(
                "k8s:" + key(event),
                NotificationEvent.typeNamed("k8s.", reason),
                "Warning".equalsIgnoreCase(event.getType()) ? Severity.WARNING : Severity.INFO,
                null,
                clusterName,
                timestamp(event),
                reason,
                note,
                details,
                NotificationEvent.ORIGIN_KUBERNETES);
    }

    /** When it last happened: a series' latest observation, not its first (eventTime). */
    private static String timestamp(Event event) {
        if (event.getSeries() != null && event.getSeries().getLastObservedTime() != null
                && event.getSeries().getLastObservedTime().getTime() != null) {
            return event.getSeries().getLastObservedTime().getTime();
        }
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
