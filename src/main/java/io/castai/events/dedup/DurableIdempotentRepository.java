package io.castai.events.dedup;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.castai.events.intake.NotificationEvent;
import io.castai.events.ops.RefusalLog;
import io.castai.events.outbox.Outbox;
import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idempotent-consumer repository: the bounded Caffeine cache decides, and at start it is
 * filled with the ids the outbox accepted within the window, so a repeat after a restart is
 * still a repeat without a disk read per request. Should the cache ever drop a key inside the
 * window (more than DEDUP_MAX_ENTRIES ids in it), the store still finds the event a duplicate:
 * it accepts an id once per window.
 *
 * <p>An id is new until its event is accepted: between {@link #add} and {@link #confirm} (or
 * {@link #remove}, when accepting it failed) a repeat is neither new nor a duplicate, and
 * {@link #add} throws {@link EventInFlightException} for it (a 503 to a webhook sender).
 */
public class DurableIdempotentRepository extends ServiceSupport implements IdempotentRepository {
    private static final Logger LOG = LoggerFactory.getLogger(DurableIdempotentRepository.class);
    /**
     * Past it an id still in flight is taken as let go of (a path that neither confirmed nor
     * removed it would otherwise refuse its event for ever): well beyond a request's own timeout.
     */
    private static final Duration IN_FLIGHT_LIMIT = Duration.ofMinutes(2);
    private static final long IN_FLIGHT_LIMIT_NANOS = IN_FLIGHT_LIMIT.toNanos();

    private final RefusalLog otherContent = new RefusalLog(LOG, "repeated ids");
    private final BoundedIdempotentRepository recent;
    private final Outbox outbox;
    private final Duration window;
    private final long maxEntries;
    private final Clock clock;
    /** Ids being accepted, with when that began (System.nanoTime). */
    private final Map<String, Long> inFlight = new ConcurrentHashMap<>();

    public DurableIdempotentRepository(BoundedIdempotentRepository recent, long maxEntries, Outbox outbox,
                                       Duration window, Clock clock) {
        this.recent = recent;
        this.maxEntries = maxEntries;
        this.outbox = outbox;
        this.window = window;
        this.clock = clock;
    }

    @Override
    protected void doStart() {
        outbox.start();
        Instant now = clock.instant();
        Map<String, Instant> ids = outbox.acceptedSince(now.minus(window), maxEntries);
        // each for the rest of its own window, not a new one: a restart does not stretch it
        ids.forEach((id, acceptedAt) -> recent.add(id, windowLeft(acceptedAt, now)));
        LOG.info("Deduplication cached {} event id(s) accepted in the last {} (at most {}, DEDUP_MAX_ENTRIES; the store "
                + "decides for any beyond them)", ids.size(), window, maxEntries);
    }

    /**
     * After the store found an id the cache did not know to be a duplicate (accepted by another
     * replica, or before the cache let the id go): the cache, which added it as new, keeps it
     * for what is left of the earlier event's window only, not a window from now.
     */
    public void keepForItsWindow(String key) {
        Instant now = clock.instant();
        Duration remaining = outbox.acceptedAt(key).map(at -> windowLeft(at, now)).orElse(Duration.ZERO);
        if (remaining.isNegative() || remaining.isZero()) {
            recent.remove(key);
        } else {
            recent.expireAfter(key, remaining);
        }
    }

    /**
     * When the event with this id was accepted, if that was within the window: the intake would
     * answer it as a duplicate (for the routing dry-run; nothing is remembered or changed).
     */
    public Optional<Instant> acceptedWithinWindow(String key) {
        Instant now = clock.instant();
        return outbox.acceptedAt(key).filter(at -> windowLeft(at, now).compareTo(Duration.ZERO) > 0);
    }

    private Duration windowLeft(Instant acceptedAt, Instant now) {
        return window.minus(Duration.between(acceptedAt, now));
    }

    @Override
    public boolean add(String key) {
        return add(key, BoundedIdempotentRepository.UNKNOWN, null);
    }

    /** As {@link #add(String)}; a sender's repeat of an id with other content is said (the event is not notified). */
    @Override
    public boolean add(Exchange exchange, String key) {
        NotificationEvent event = exchange.getMessage().getBody(NotificationEvent.class);
        // only a tool posting the canonical shape chooses its ids: CAST AI's (webhook or polled) and
        // the Kubernetes source's are theirs, and one notification may come both ways, told apart
        return event == null || !NotificationEvent.ORIGIN_EVENT.equals(event.getOrigin()) ? add(key)
                : add(key, fingerprint(event), event);
    }

    private boolean add(String key, long fingerprint, NotificationEvent event) {
        long now = System.nanoTime();
        Long begun = inFlight.putIfAbsent(key, now);
        if (begun != null) {
            if (now - begun < IN_FLIGHT_LIMIT_NANOS || !inFlight.replace(key, begun, now)) {
                throw new EventInFlightException();
            }
            LOG.warn("Event id {} was still being accepted after {}: taken as no longer in flight", key, IN_FLIGHT_LIMIT);
        }
        Long earlier = recent.addOrGet(key, fingerprint);
        if (earlier == null) {
            return true;
        }
        inFlight.remove(key, now);
        if (event != null && earlier != BoundedIdempotentRepository.UNKNOWN && earlier != fingerprint) {
            // a retry is the same event; this is another under the same id, and is not notified
            String what = event.getTitle().equals(event.getType()) ? event.getType() : event.getType() + " '" + event.getTitle() + "'";
            otherContent.warn("Event id {} came again with other content ({}): answered as a duplicate and not "
                    + "notified; a sender must give each event an id of its own", key, what);
        }
        return false;
    }

    /**
     * What makes an event another one: its type, cluster, title and summary (not its time, which a
     * sender's retry may write anew, nor details such as a count). Never {@link BoundedIdempotentRepository#UNKNOWN}.
     */
    static long fingerprint(NotificationEvent event) {
        long hash = Objects.hash(event.getType(), event.getClusterId(), event.getTitle(), event.getSummary());
        return hash == BoundedIdempotentRepository.UNKNOWN ? 1 : hash;
    }

    @Override
    public boolean contains(String key) {
        return recent.contains(key);
    }

    /** Called with the event accepted (stored, or found a duplicate by the store). */
    @Override
    public boolean confirm(String key) {
        inFlight.remove(key);
        return true;
    }

    /** Called when accepting the event failed: the sender's retry is new again. */
    @Override
    public boolean remove(String key) {
        inFlight.remove(key);
        return recent.remove(key);
    }

    @Override
    public void clear() {
        recent.clear();
    }
}
