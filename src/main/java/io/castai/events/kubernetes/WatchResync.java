package io.castai.events.kubernetes;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.castai.events.channels.Shortened;
import io.castai.events.ops.Causes;
import io.castai.events.ops.ServiceMetrics;
import io.castai.events.outbox.OutboxException;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.RouteController;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resync's steps (routes/k8s-events.camel.yaml). camel-kubernetes' watch ends for good when
 * the API server closes it with an error (410 Gone) and says nothing when it is refused (403), and
 * an event whose store write failed is not offered again. So the namespace is listed now and then
 * and every event taken again (what was stored is a duplicate, dropped); and when the list holds an
 * event the watch never handed over though it is older than a resync period, the watch has
 * stopped working and is restarted.
 */
public class WatchResync {
    /** The watching route. */
    private static final String WATCH_ROUTE = "k8s-events";
    /** The resync in the poll metrics: one alert on their age covers every source that polls. */
    static final String POLLER = "kubernetes";
    /** Resyncs in a row with events listed, none from the source, before a WARN says so. */
    private static final int RESYNCS_BEFORE_SOURCE_WARNING = 3;
    private static final Logger LOG = LoggerFactory.getLogger(WatchResync.class);
    /** Exchange property set on the resync a few seconds after start (routes/k8s-events.camel.yaml). */
    static final String FIRST_RESYNC = "firstResync";

    private final KubernetesEvents events;
    private final String namespace;
    private final Duration period;
    private final ServiceMetrics metrics;
    /** uid → when the watch handed it over (System.nanoTime): the watch's sign of life. */
    private final Map<String, Long> seenByWatch = new ConcurrentHashMap<>();
    private int resyncsWithoutSourceEvents;
    private boolean sourceEverSeen;

    public WatchResync(KubernetesEvents events, String namespace, Duration period, ServiceMetrics metrics) {
        this.events = events;
        this.namespace = namespace;
        this.period = period;
        this.metrics = metrics;
    }

    /**
     * At start, when the source is on: its resync's last success is the start until one gets
     * through, as the pollers' is, so an alert on its age fires for a source that never worked.
     */
    public void watchedSince(CamelContext context, Instant start) {
        if (context.getRoute(WATCH_ROUTE) != null) {
            metrics.pollWatched(POLLER, "", start);
        }
    }

    /** The watch handed this event over (called before anything else is done with it). */
    public void seen(Event event) {
        seenByWatch.put(KubernetesEvents.key(event), System.nanoTime());
    }

    /** Before the list: when it was asked for (exchange property {@code listedAt}). */
    public void listing(Exchange exchange) {
        exchange.setProperty("listedAt", System.nanoTime());
    }

    /**
     * After the list (the body): sets exchange property {@code watchMissed} when an event older
     * than a resync period was never handed over by the watch (never on the first resync). Forgets what is no longer listed
     * (only what the watch handed over before the list was asked for).
     */
    public void check(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<Event> listed = exchange.getMessage().getBody(List.class);
        long listedAt = exchange.getProperty("listedAt", Long.class);
        Set<String> present = new HashSet<>();
        listed.forEach(event -> present.add(KubernetesEvents.key(event)));
        seenByWatch.entrySet().removeIf(e -> !present.contains(e.getKey()) && e.getValue() < listedAt);
        Instant settled = Instant.now().minus(period);
        // the first resync, seconds after start, finds the new watch still handing over what the
        // namespace held: too soon to call it dead
        boolean missed = !exchange.getProperty(FIRST_RESYNC, false, Boolean.class)
                && listed.stream().anyMatch(event -> !seenByWatch.containsKey(KubernetesEvents.key(event))
                && createdBefore(event, settled));
        exchange.setProperty("watchMissed", missed);
        sayIfNothingComesFromTheSource(listed);
    }

    private static boolean createdBefore(Event event, Instant settled) {
        String created = event.getMetadata().getCreationTimestamp();
        try {
            return created == null || OffsetDateTime.parse(created).toInstant().isBefore(settled);
        } catch (DateTimeParseException e) {
            return true;
        }
    }

    /** A source name that matches nothing would drop every event without a word; said once, after a few resyncs. */
    private synchronized void sayIfNothingComesFromTheSource(List<Event> listed) {
        if (events.source().isEmpty() || sourceEverSeen || listed.isEmpty()) {
            return;
        }
        if (listed.stream().anyMatch(events::isFromSource)) {
            sourceEverSeen = true;
        } else if (++resyncsWithoutSourceEvents == RESYNCS_BEFORE_SOURCE_WARNING) {
            LOG.warn("None of the Kubernetes events listed in namespace {} in {} resyncs was reported by '{}' "
                    + "(K8S_EVENTS_SOURCE): events from other sources are not notified; if CAST AI's come under "
                    + "another name, set K8S_EVENTS_SOURCE to it (empty: all)", namespace, RESYNCS_BEFORE_SOURCE_WARNING,
                    events.source());
        }
    }

    /** A fresh watch: the last one stopped handing events over. */
    public void restartWatch(Exchange exchange) throws Exception {
        if (!exchange.getContext().isStarted()) {
            return; // stopping: the watch stays stopped
        }
        LOG.info("Kubernetes events: the watch missed events in namespace {}; starting a new one", namespace);
        metrics.watchRestarted();
        RouteController routes = exchange.getContext().getRouteController();
        routes.stopRoute(WATCH_ROUTE);
        if (exchange.getContext().isStarted()) {
            routes.startRoute(WATCH_ROUTE);
        }
    }

    /**
     * Every listed event taken: the source gets through (a watch refused or ended is seen by its
     * restarts, or by this not being set when the list fails).
     */
    public void succeeded() {
        metrics.pollSucceeded(POLLER, "", Instant.now());
    }

    /** The events could not be listed, or one could not be stored: tried again at the next resync. */
    public void failed(Exchange exchange) {
        Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        metrics.pollFailed(POLLER, "", reason(failure));
        LOG.warn("Kubernetes events in namespace {} could not be listed and accepted ({}); the watch may be missing "
                + "events; trying again at the next resync", namespace, describe(failure));
    }

    /** In the words of the other pollers' failures: http_4xx, http_429, http_5xx, io_error, store, error. */
    static String reason(Exception failure) {
        KubernetesClientException api = apiFailure(failure);
        if (api != null && api.getCode() > 0) {
            return api.getCode() == 429 ? "http_429" : api.getCode() >= 500 ? "http_5xx" : "http_4xx";
        }
        if (Causes.find(failure, OutboxException.class) != null) {
            return "store";
        }
        return Causes.find(failure, IOException.class) != null ? "io_error" : "error";
    }

    private static KubernetesClientException apiFailure(Exception failure) {
        return failure instanceof KubernetesClientException k ? k
                : failure != null && failure.getCause() instanceof KubernetesClientException k ? k : null;
    }

    /** The API's status, else the failure's kind and what its first cause says ("Connection refused"). */
    static String describe(Exception failure) {
        KubernetesClientException api = apiFailure(failure);
        if (api != null && api.getCode() > 0) {
            return "HTTP " + api.getCode() + (api.getStatus() != null && api.getStatus().getReason() != null
                    ? " " + api.getStatus().getReason() : "");
        }
        if (failure == null) {
            return "unknown error";
        }
        Throwable root = Causes.innermost(failure);
        return failure.getClass().getSimpleName() + (root != failure && root.getMessage() != null
                ? ": " + root.getClass().getSimpleName() + ": " + Shortened.to(root.getMessage(), 200, "…") : "");
    }
}
