package io.castai.events.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.LongStream;

import io.castai.events.intake.NotificationEvent;
import io.castai.events.outbox.Outbox;
import io.castai.events.outbox.OutboxStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;

/**
 * The service's own counters, in the Micrometer registry that {@code /observe/metrics} exposes
 * (Prometheus names: {@code castai_events_received_total}, ...). Labels are channel names and
 * failure reasons and an event's origin only: never a URL, key or event content.
 */
public class ServiceMetrics {
    private final CamelContext camelContext;
    private volatile MeterRegistry registry;
    private final Map<String, Counter> received = new ConcurrentHashMap<>();
    private final Map<String, Counter> duplicates = new ConcurrentHashMap<>();
    /** Per poller and cluster: when a run of it last succeeded (epoch seconds). */
    private final Map<String, AtomicLong> lastPollSuccess = new ConcurrentHashMap<>();

    public ServiceMetrics(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    /** A new event accepted, by where it came from (origin: event, console, api, kubernetes). */
    public void received(NotificationEvent event) {
        counter(received, "castai.events.received", "events accepted, by where they came from", event).increment();
    }

    /**
     * A duplicate dropped, by origin: the Kubernetes source's resync takes every listed event
     * again, so its duplicates are many and expected; a sender's retries show under theirs.
     */
    public void duplicate(NotificationEvent event) {
        counter(duplicates, "castai.events.duplicate", "events dropped as already taken, by where they came from", event)
                .increment();
    }

    /** Looked up once per origin: the intake counts every event. */
    private Counter counter(Map<String, Counter> byOrigin, String name, String description, NotificationEvent event) {
        String origin = event == null || event.getOrigin() == null ? "unknown" : event.getOrigin();
        return byOrigin.computeIfAbsent(origin, o -> counter(name, description, "origin", o));
    }

    public void rejected(String reason) {
        counter("castai.events.rejected", "requests refused, by why", "reason", reason).increment();
    }

    public void delivered(String channel) {
        counter("castai.events.delivered", "notifications a channel took", "channel", channel).increment();
    }

    public void deliveryRetried(String channel, String reason) {
        counter("castai.events.retried", "deliveries put off to try again, by why", "channel", channel, "reason", reason)
                .increment();
    }

    /** One delivery attempt and how it ended: delivered, or a failure reason. */
    public void attempt(String channel, String outcome) {
        counter("castai.delivery.attempts", "delivery attempts, by how they ended", "channel", channel, "outcome", outcome)
                .increment();
    }

    /**
     * From acceptance to the channel's 2xx, in buckets (so Prometheus can give a percentile): from
     * a quick first attempt to one retried for an hour.
     */
    public void deliveryLatency(String channel, Duration latency) {
        Timer.builder("castai.delivery.latency").tag("channel", channel)
                .description("from an event's acceptance to its channel taking it")
                .serviceLevelObjectives(LATENCY_BUCKETS).register(registry()).record(latency);
    }

    private static final Duration[] LATENCY_BUCKETS = LongStream.of(50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000,
            30_000, 60_000, 300_000, 900_000, 3_600_000).mapToObj(Duration::ofMillis).toArray(Duration[]::new);

    /**
     * A counter with its HELP text. Micrometer hands back the one already registered under these
     * tags, so this is a lookup after the first call.
     */
    private Counter counter(String name, String description, String... tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry());
    }

    /**
     * The outbox's gauges: as a whole, and for each of these channels (to alert on one channel's
     * backlog or dead letters; a channel met later in the store is not added).
     */
    public void watchOutbox(Outbox outbox, Collection<String> channels) {
        Supplier<Map<String, OutboxStats>> byChannel = new Cached<>(outbox::statsByChannel);
        Supplier<OutboxStats> stats = () -> OutboxStats.total(byChannel.get().values());
        MeterRegistry r = registry();
        OutboxStats none = new OutboxStats(0, 0, 0);
        for (String channel : channels) {
            Gauge.builder("castai.outbox.channel.pending", byChannel, s -> s.get().getOrDefault(channel, none).pending())
                    .tag("channel", channel).description("deliveries waiting for this channel").strongReference(true).register(r);
            Gauge.builder("castai.outbox.channel.oldest.pending.age.seconds", byChannel,
                            s -> s.get().getOrDefault(channel, none).oldestPendingAgeSeconds())
                    .tag("channel", channel).description("age of this channel's oldest pending delivery").strongReference(true)
                    .register(r);
            Gauge.builder("castai.outbox.channel.dead.letters", byChannel, s -> s.get().getOrDefault(channel, none).dead())
                    .tag("channel", channel).description("this channel's deliveries given up on").strongReference(true).register(r);
        }
        Gauge.builder("castai.outbox.pending", stats, s -> s.get().pending())
                .description("deliveries waiting for their channel").strongReference(true).register(r);
        Gauge.builder("castai.outbox.oldest.pending.age.seconds", stats, s -> s.get().oldestPendingAgeSeconds())
                .description("age of the oldest pending delivery").strongReference(true).register(r);
        Gauge.builder("castai.outbox.dead.letters", stats, s -> s.get().dead())
                .description("deliveries given up on, kept for replay").strongReference(true).register(r);
    }

    /**
     * A query's answer kept for a second: one scrape reads several gauges of it. A failure is kept
     * as long: with the database away each read waits for a connection, and a scrape that waited
     * once per gauge would outlast Prometheus' scrape timeout, and every metric be lost with it.
     */
    private static final class Cached<T> implements Supplier<T> {
        private static final long ONE_SECOND = 1_000_000_000L;
        private final Supplier<T> query;
        private volatile Reading<T> last;

        Cached(Supplier<T> query) {
            this.query = query;
        }

        @Override
        public T get() {
            Reading<T> reading = last;
            // the monotonic clock: after the wall clock stepped back an hour, the gauges stood still that hour
            if (reading == null || System.nanoTime() - reading.at() > ONE_SECOND) {
                try {
                    reading = new Reading<>(query.get(), null, System.nanoTime());
                } catch (RuntimeException e) {
                    reading = new Reading<>(null, e, System.nanoTime());
                }
                last = reading;
            }
            if (reading.failure() != null) {
                throw reading.failure();
            }
            return reading.value();
        }

        private record Reading<T>(T value, RuntimeException failure, long at) {
        }
    }

    /** A CAST AI poll run that failed, by poller (audit, notifications, savings) and why. */
    /** {@code cluster}: "" for the whole organization (notifications) and the Kubernetes resync. */
    public void pollFailed(String poller, String cluster, String reason) {
        counter("castai.poll.failures", "CAST AI poll runs (and Kubernetes resyncs) that failed, by cluster and why",
                "poller", poller, "cluster", cluster, "reason", reason).increment();
    }

    /**
     * A poller that runs, for a cluster: its last-success gauge is there from the start, at the
     * start's time, so one that never gets through (a mistyped cluster id) ages like one that
     * stopped; had it no series, an alert on the age would not see it.
     */
    public void pollWatched(String poller, String cluster, Instant start) {
        lastSuccessOf(poller, cluster).compareAndSet(0, start.getEpochSecond());
    }

    /**
     * A CAST AI poll run that succeeded, for a poller and cluster ("" for the whole organization):
     * an alert on its age finds a poller that stopped getting through, whatever the reason.
     */
    public void pollSucceeded(String poller, String cluster, Instant at) {
        lastSuccessOf(poller, cluster).set(at.getEpochSecond());
    }

    private AtomicLong lastSuccessOf(String poller, String cluster) {
        return lastPollSuccess.computeIfAbsent(poller + "\n" + cluster, key -> {
            AtomicLong seconds = new AtomicLong();
            Gauge.builder("castai.poll.last.success", seconds, AtomicLong::get).baseUnit("seconds")
                    .tags("poller", poller, "cluster", cluster)
                    .description("when a poll run last succeeded (Unix time; the service's start, if none has since)")
                    .strongReference(true).register(registry());
            return seconds;
        });
    }

    /** The Kubernetes events source started a new watch: the last one stopped handing events over. */
    public void watchRestarted() {
        counter("castai.k8s.watch.restarts", "Kubernetes event watches found stopped and started again").increment();
    }

    public void deliveryFailed(String channel, String reason) {
        counter("castai.events.failed", "deliveries given up on, by why", "channel", channel, "reason", reason).increment();
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
