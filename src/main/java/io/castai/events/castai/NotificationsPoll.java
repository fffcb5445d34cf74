package io.castai.events.castai;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.intake.InvalidEventException;
import io.castai.events.intake.NotificationEvent;
import io.castai.events.outbox.Outbox;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notifications poller's steps (routes/poll-notifications.camel.yaml): read unacknowledged
 * notifications page by page, and acknowledge each page once its notifications are accepted.
 */
public class NotificationsPoll {
    private static final String CURSOR = "notificationsCursor";
    private static final String PAGE_IDS = "notificationIds";
    /** The ids this run has acknowledged (as CAST AI sent them). */
    private static final String ACKED = "notificationsAcked";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(NotificationsPoll.class);

    private final CastaiApi api;
    private final PolledEvents events;
    private final Outbox outbox;
    private final ReducedPageLimits pageLimits;
    /** Notifications already said to be skipped: each is warned about once, not at every poll (bounded). */
    private final Set<String> skipped = Collections.newSetFromMap(Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > 1000;
        }
    }));

    public NotificationsPoll(CastaiApi api, PolledEvents events, Outbox outbox, int pageLimit) {
        this.api = api;
        this.events = events;
        this.outbox = outbox;
        this.pageLimits = new ReducedPageLimits(pageLimit, "notifications", "CASTAI_NOTIFICATIONS_PAGE_LIMIT");
    }

    /** The clusters to filter on; an empty one means the whole organization. */
    public List<String> scopes() {
        return api.clusterIdsOrOrganization();
    }

    public void begin(Exchange exchange) {
        exchange.setProperty(PollerBackoff.POLLER, "notifications");
        exchange.setProperty(PollerBackoff.CLUSTER, exchange.getMessage().getBody(String.class));
        exchange.setProperty(CURSOR, "");
        exchange.setProperty(AuditPoll.MORE_PAGES, true);
        exchange.setProperty(ACKED, new HashSet<String>());
        PageRun.start(exchange, "");
    }

    public void nextPage(Exchange exchange) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("filter.isAcked", "false");
        query.put("filter.clusterId", exchange.getProperty(PollerBackoff.CLUSTER, String.class));
        query.put("page.limit", String.valueOf(pageLimits.of(exchange.getProperty(PollerBackoff.CLUSTER, String.class))));
        query.put("page.cursor", exchange.getProperty(CURSOR, String.class));
        api.get(exchange, "/v1/notifications", query);
    }

    @SuppressWarnings("unchecked")
    public List<NotificationEvent> readPage(Exchange exchange) throws IOException {
        JsonNode page = pageLimits.read(exchange.getMessage().getBody(String.class),
                exchange.getProperty(PollerBackoff.CLUSTER, String.class));
        List<NotificationEvent> notifications = new ArrayList<>();
        // the event's id (trimmed, as stored) → the id CAST AI acknowledges, as it sent it
        Map<String, String> ids = new LinkedHashMap<>();
        for (JsonNode item : UnreadableAnswerException.itemsOf(page, "notifications")) {
            try {
                NotificationEvent notification = events.fromApiNotification(item);
                notifications.add(notification);
                if (item.path("id").isTextual() && !item.path("id").asText().isBlank()) {
                    ids.put(notification.getId(), item.path("id").asText());
                }
            } catch (InvalidEventException e) {
                // one odd notification must not hold up the rest of the page (it would, every poll, until it expired)
                String id = item.path("id").asText();
                if (skipped.add(id)) {
                    LOG.warn("CAST AI notification {} skipped and left unacknowledged: {}", id, e.getMessage());
                } else {
                    LOG.debug("CAST AI notification {} skipped again: {}", id, e.getMessage());
                }
            }
        }
        String cursor = page.path("nextCursor").asText("");
        PageRun.Next then = PageRun.after(exchange, cursor);
        if (then == PageRun.Next.DONE) {
            pageLimits.caughtUp(exchange.getProperty(PollerBackoff.CLUSTER, String.class));
        }
        if (then == PageRun.Next.CYCLED) {
            LOG.warn("CAST AI notifications returned a cursor they had already returned in this run; this run ends here");
        }
        Set<String> acked = exchange.getProperty(ACKED, Set.class);
        boolean lagging = !ids.isEmpty() && acked.containsAll(ids.values());
        if (lagging) {
            // the unacknowledged list has not caught up with this run's acks yet: reading it from
            // the start again would only find them again (and again, up to the page limit)
            LOG.debug("CAST AI still lists {} notifications this run acknowledged; the next run reads on", ids.size());
        }
        ids.values().removeAll(acked);
        exchange.setProperty(PAGE_IDS, ids);
        exchange.setProperty(CURSOR, cursor);
        // what is left unacknowledged comes first again at the next run
        exchange.setProperty(AuditPoll.MORE_PAGES, then == PageRun.Next.PAGE && !lagging);
        return notifications;
    }

    /**
     * True when the page held notifications to acknowledge: those the store holds. A duplicate is
     * not proof of that: the same notification may be in flight by webhook, its store write not
     * yet done (and should it fail, the sender's retry is all that is left). What is not yet
     * stored is acknowledged at a later poll.
     */
    @SuppressWarnings("unchecked")
    public boolean hasAcks(Exchange exchange) {
        Map<String, String> page = exchange.getProperty(PAGE_IDS, Map.class);
        if (page == null) {
            page = Map.of();
        }
        Set<String> held = outbox.stored(List.copyOf(page.keySet()));
        List<String> stored = page.entrySet().stream().filter(id -> held.contains(id.getKey())).map(Map.Entry::getValue).toList();
        exchange.setProperty(PAGE_IDS, stored);
        return !stored.isEmpty();
    }

    /** {@code POST /v1/notifications/ack} with the page's ids: they were handed to their channels. */
    @SuppressWarnings("unchecked")
    public void ack(Exchange exchange) throws JsonProcessingException {
        List<String> ids = exchange.getProperty(PAGE_IDS, List.class);
        api.post(exchange, "/v1/notifications/ack", JSON.writeValueAsString(Map.of("ids", ids)));
        exchange.getProperty(ACKED, Set.class).addAll(ids);
        // acknowledged, they leave the unacknowledged list the cursor points into (a cursor that
        // is an offset would skip as many): the next page is read from the start again
        if (Boolean.TRUE.equals(exchange.getProperty(AuditPoll.MORE_PAGES, Boolean.class))) {
            exchange.setProperty(CURSOR, "");
            PageRun.restart(exchange);
        }
    }
}
