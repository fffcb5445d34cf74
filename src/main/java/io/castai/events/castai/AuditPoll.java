package io.castai.events.castai;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.castai.events.intake.NotificationEvent;
import io.castai.events.outbox.Outbox;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.util.ObjectHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit-log poller's steps, called from routes/poll-audit.camel.yaml for one cluster:
 * {@link #nextPage} prepares {@code GET /v1/audit} from the checkpoint, {@link #readPage} turns
 * the answer into events, {@link #commitPage} saves the checkpoint once they are accepted.
 */
public class AuditPoll {
    /** Exchange property: true while the window has pages left to read. */
    public static final String MORE_PAGES = "morePages";
    private static final String WINDOW = "auditWindow";
    private static final String NEXT_CURSOR = "auditNextCursor";
    /** The cursor the run resumed at, from the checkpoint ("" for a window's first page). */
    private static final String RESUMED_AT = "auditResumedAt";
    private static final Logger LOG = LoggerFactory.getLogger(AuditPoll.class);

    private final CastaiApi api;
    private final PolledEvents events;
    private final Outbox store;
    private final Path legacyCheckpointDir;
    private final Duration lookback;
    private final Duration lag;
    private final Duration overlap;
    private final Duration dedupWindow;
    private volatile boolean toldOverlapSkipped;
    private final ReducedPageLimits pageLimits;
    private final Clock clock;

    public AuditPoll(CastaiApi api, PolledEvents events, Outbox store, Path dataDir, Duration lookback, Duration lag,
                     Duration overlap, Duration dedupWindow, int pageLimit, Clock clock) {
        this.api = api;
        this.events = events;
        this.store = store;
        this.legacyCheckpointDir = dataDir.resolve("castai-audit");
        this.lookback = lookback;
        this.lag = lag;
        this.overlap = overlap;
        this.dedupWindow = dedupWindow;
        this.pageLimits = new ReducedPageLimits(pageLimit, "audit log", "CASTAI_AUDIT_PAGE_LIMIT");
        this.clock = clock;
    }

    /**
     * Starts a run for the cluster in the body: resume an unfinished window, or open the next
     * one. A window ends {@code lag} before now, and the next one starts {@code overlap} before
     * that end: an entry CAST AI wrote late, or stamped by a clock behind ours, still falls in a
     * window read after it appeared (the ones read twice are duplicates, dropped by id).
     */
    public void begin(Exchange exchange) {
        String clusterId = exchange.getMessage().getBody(String.class);
        exchange.setProperty(PollerBackoff.POLLER, "audit");
        exchange.setProperty(PollerBackoff.CLUSTER, clusterId);
        Instant now = clock.instant().minus(lag).truncatedTo(ChronoUnit.SECONDS);
        AuditCheckpoint window = lastCheckpoint(clusterId)
                .map(last -> last.restartsWindow() ? new AuditCheckpoint(last.from(), now, "")
                        : last.windowDone() ? new AuditCheckpoint(nextFrom(last.to(), now), now, "") : last)
                .orElseGet(() -> new AuditCheckpoint(now.minus(lookback), now, ""));
        exchange.setProperty(WINDOW, window);
        exchange.setProperty(RESUMED_AT, window.cursor());
        exchange.setProperty(MORE_PAGES, window.to().isAfter(window.from()));
        PageRun.start(exchange, window.cursor());
    }

    /**
     * Where the next window starts: the overlap before the last one's end, but no earlier than
     * the entries deduplication still remembers (the poller was stopped or backing off, or
     * DEDUP_WINDOW is short): read again after that, they would notify again.
     */
    private Instant nextFrom(Instant lastEnd, Instant now) {
        // an entry stamped t was accepted no earlier than t + lag (a window reaching t was read a
        // lag after t at the soonest), and is remembered for a dedup window from then; a minute spare
        Instant remembered = now.minus(dedupWindow).plus(Duration.ofMinutes(1));
        Instant from = lastEnd.minus(overlap);
        if (!from.isBefore(remembered)) {
            return from;
        }
        from = remembered.isAfter(lastEnd) ? lastEnd : remembered;
        if (!toldOverlapSkipped) {
            toldOverlapSkipped = true;
            LOG.info("CAST AI audit log: the next window starts {} before the last one ended, not CASTAI_AUDIT_OVERLAP ({}): "
                    + "entries read before that were forwarded longer ago than deduplication remembers (DEDUP_WINDOW {}), "
                    + "and would notify again", Duration.between(from, lastEnd), overlap, dedupWindow);
        }
        return from;
    }

    public void nextPage(Exchange exchange) {
        AuditCheckpoint window = exchange.getProperty(WINDOW, AuditCheckpoint.class);
        Map<String, String> query = new LinkedHashMap<>();
        query.put("clusterId", exchange.getProperty(PollerBackoff.CLUSTER, String.class));
        query.put("fromDate", window.from().toString());
        query.put("toDate", window.to().toString());
        query.put("page.limit", String.valueOf(pageLimits.of(exchange.getProperty(PollerBackoff.CLUSTER, String.class))));
        query.put("page.cursor", window.cursor());
        api.get(exchange, "/v1/audit", query);
    }

    /**
     * The page's entries, oldest first, as events (by the instant they name: "…:05+01:00" is
     * earlier than "…:30Z"); the next cursor is kept for {@link #commitPage}.
     */
    public List<NotificationEvent> readPage(Exchange exchange) throws IOException {
        String clusterId = exchange.getProperty(PollerBackoff.CLUSTER, String.class);
        JsonNode page = pageLimits.read(exchange.getMessage().getBody(String.class), clusterId);
        List<NotificationEvent> entries = new ArrayList<>();
        UnreadableAnswerException.itemsOf(page, "audit log").forEach(item -> entries.add(events.fromAuditEntry(item, clusterId)));
        entries.sort(Comparator.comparing(AuditPoll::instantOf, Comparator.nullsLast(Comparator.naturalOrder())));
        exchange.setProperty(NEXT_CURSOR, page.path("nextCursor").asText(""));
        return entries;
    }

    /**
     * The doCatch of a page call CAST AI refused; the failure is always thrown on, to the
     * poller's error handling (a WARN, and a backoff that grows while it lasts). A refusal of the
     * request itself (a 4xx other than a refused key, a timeout or a rate limit) of the page the
     * run resumed at, by the cursor saved in the checkpoint, means that cursor is one CAST AI no
     * longer knows (expired, or from before a change on its side): retried, it would be refused
     * for ever. So the next run reads the window again from its first page, on to now; the
     * entries read before are duplicates, dropped by id, unless forwarded longer ago than
     * deduplication remembers. A cursor refused right after CAST AI gave it is no stale one: the
     * run backs off and resumes at it, and only if it is refused then is the window read again.
     */
    public void pageRefused(Exchange exchange) throws Exception {
        Exception caught = exchange.getProperty(ExchangePropertyKey.EXCEPTION_CAUGHT, Exception.class);
        HttpOperationFailedException refusal = ObjectHelper.getException(HttpOperationFailedException.class, caught);
        AuditCheckpoint window = exchange.getProperty(WINDOW, AuditCheckpoint.class);
        int status = refusal == null ? 0 : refusal.getStatusCode();
        boolean savedCursorRefused = status >= 400 && status < 500 && status != 401 && status != 403 && status != 408
                && status != 429 && !window.windowDone() && window.cursor().equals(exchange.getProperty(RESUMED_AT, String.class));
        if (savedCursorRefused) {
            String clusterId = exchange.getProperty(PollerBackoff.CLUSTER, String.class);
            store.saveCheckpoint(checkpointName(clusterId), AuditCheckpoint.restartAt(window.from()).toJson());
            LOG.warn("CAST AI audit log refused the saved page cursor (HTTP {}) for cluster {}; the next run reads again "
                    + "from {}, the start of that window (entries forwarded within DEDUP_WINDOW are not sent twice)",
                    status, clusterId, window.from());
        }
        throw caught;
    }

    /** Called once the page's entries are accepted: the checkpoint moves past them. */
    public void commitPage(Exchange exchange) {
        AuditCheckpoint window = exchange.getProperty(WINDOW, AuditCheckpoint.class);
        String cursor = exchange.getProperty(NEXT_CURSOR, "", String.class);
        String clusterId = exchange.getProperty(PollerBackoff.CLUSTER, String.class);
        PageRun.Next then = PageRun.after(exchange, cursor);
        if (then == PageRun.Next.CYCLED) {
            // a cursor given before in this run: reading on would loop forever, so the window ends here
            LOG.warn("CAST AI audit log returned a cursor it had already returned in this run, for cluster {}; "
                    + "window ends here", clusterId);
            cursor = "";
        } else if (then == PageRun.Next.PAGE_LIMIT) {
            LOG.info("CAST AI audit log: {} pages read for cluster {} in this run; the next run goes on from here",
                    PageRun.MAX_PAGES, clusterId);
        }
        if (cursor.isEmpty()) {
            pageLimits.caughtUp(clusterId);
        }
        AuditCheckpoint next = new AuditCheckpoint(window.from(), window.to(), cursor);
        store.saveCheckpoint(checkpointName(clusterId), next.toJson());
        exchange.setProperty(WINDOW, next);
        exchange.setProperty(MORE_PAGES, then == PageRun.Next.PAGE);
    }

    private Optional<AuditCheckpoint> lastCheckpoint(String clusterId) {
        String name = checkpointName(clusterId);
        Optional<AuditCheckpoint> saved = store.checkpoint(name).map(json -> AuditCheckpoint.fromJson(json, name));
        if (saved.isPresent()) {
            return saved;
        }
        Path legacy = legacyCheckpointDir.resolve(clusterId.replaceAll("[^A-Za-z0-9._-]", "_") + ".json");
        Optional<AuditCheckpoint> migrated = AuditCheckpoint.loadLegacy(legacy);
        // moved into the store, and the file set aside: read again once the store's row is
        // deleted (to start over from the lookback), it would resume a window long past
        migrated.ifPresent(checkpoint -> {
            store.saveCheckpoint(name, checkpoint.toJson());
            try {
                Files.move(legacy, legacy.resolveSibling(legacy.getFileName() + ".migrated"), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                LOG.warn("CAST AI audit log: the checkpoint file {} of an earlier version, now in the store, could not be "
                        + "renamed ({}); delete it", legacy, e.getMessage());
            }
        });
        return migrated;
    }

    private static Instant instantOf(NotificationEvent entry) {
        try {
            return OffsetDateTime.parse(String.valueOf(entry.getTimestamp())).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String checkpointName(String clusterId) {
        return "audit/" + clusterId;
    }
}
