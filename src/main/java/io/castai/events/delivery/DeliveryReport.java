package io.castai.events.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

import io.castai.events.channels.Channels;
import io.castai.events.intake.NotificationEvent;
import io.castai.events.ops.RefusalLog;
import io.castai.events.ops.ServiceMetrics;
import io.castai.events.outbox.ChannelMessage;
import io.castai.events.outbox.Delivery;
import io.castai.events.outbox.Outbox;
import io.castai.events.outbox.OutboxException;
import io.castai.events.security.LogRedaction;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records how each delivery attempt ended, in the outbox (delivered, retry later, or dead) and
 * in the metrics, with one log line for every failure. Also turns a delivery claimed from the
 * outbox back into the exchange a channel route expects.
 */
public class DeliveryReport {
    /** Exchange property naming the channel a delivery is for (slack, pagerduty, ...). */
    public static final String CHANNEL = "channel";
    /** Exchange property holding the id of the event being delivered. */
    public static final String EVENT_ID = "eventId";
    /** Exchange property holding the message text dispatch chose for the channel. */
    public static final String MESSAGE = "message";
    /** Exchange property: when the delivery was first queued, for the latency metric. */
    public static final String QUEUED_AT = "queuedAt";
    /**
     * Exchange property: when the delivery's event was accepted, which orders one event's
     * deliveries against another's (a replay queues a delivery again, its event stays as old).
     */
    public static final String ACCEPTED_AT = "acceptedAt";
    /** Exchange property holding the event being routed. */
    public static final String EVENT = "event";
    /** Exchange property: true when the event being routed was stored earlier (dispatch-recovery). */
    public static final String RECOVERED = "recovered";
    /** Exchange property: the lease (epoch ms) this process holds on the delivery. */
    static final String LEASED_UNTIL = "leasedUntil";
    /** Exchange property: false when a claimed delivery has no channel route to go to. */
    public static final String ROUTABLE = "routable";

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryReport.class);
    /** Where log channels write their messages. */
    private static final Logger MESSAGES = LoggerFactory.getLogger("castai.events");

    private final Outbox outbox;
    private final Channels channels;
    private final DeliveryRetryPolicy policy;
    private final ChannelPause pause;
    private final ServiceMetrics metrics;
    private final Clock clock;
    private final ChannelQueues queues = new ChannelQueues();
    private final Map<String, RefusalLog> retryLines = new ConcurrentHashMap<>();
    private final Map<String, RefusalLog> deadLetterLines = new ConcurrentHashMap<>();

    public DeliveryReport(Outbox outbox, Channels channels, DeliveryRetryPolicy policy, ChannelPause pause,
                          ServiceMetrics metrics, Clock clock) {
        this.outbox = outbox;
        this.channels = channels;
        this.policy = policy;
        this.pause = pause;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * A claimed delivery (retry, or left over from a previous run) as the channel route's
     * exchange. When no route serves its channel any more (removed from channels.yaml) the delivery
     * is dead, not left to circle, and {@link #ROUTABLE} is false.
     */
    public void prepareRetry(Exchange exchange) {
        Delivery delivery = exchange.getMessage().getBody(Delivery.class);
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setBody(delivery.event());
        exchange.setProperty(EVENT_ID, delivery.event().getId());
        exchange.setProperty(CHANNEL, delivery.channel());
        exchange.setProperty(MESSAGE, delivery.message());
        exchange.setProperty(QUEUED_AT, delivery.createdAt());
        exchange.setProperty(ACCEPTED_AT, delivery.acceptedAt());
        exchange.setProperty(LEASED_UNTIL, delivery.leasedUntil());
        boolean routable = exchange.getContext().getRoute(ChannelQueues.CHANNEL_ROUTE + delivery.channel()) != null;
        String type = channels.has(delivery.channel()) ? channels.get(delivery.channel()).type().id() : null;
        boolean renderedForIt = delivery.renderedFor() == null || type == null || delivery.renderedFor().equals(type);
        exchange.setProperty(ROUTABLE, routable && renderedForIt);
        if (!routable) {
            giveUp(exchange, "channel_off", "no route channel-" + delivery.channel() + " serves this channel any more");
        } else if (!renderedForIt) {
            // a PagerDuty summary posted to a webhook as its JSON body, say: kept for a channel of the old type
            giveUp(exchange, "type_changed", "its message was rendered for a " + delivery.renderedFor() + " channel and "
                    + delivery.channel() + " is a " + type + " channel now; replay it to a " + delivery.renderedFor()
                    + " channel with to=, or discard it");
        }
    }

    /** Before routing the event in the body: exchange properties {@code event} and {@code eventId}. */
    public void startRouting(Exchange exchange) {
        NotificationEvent event = exchange.getMessage().getBody(NotificationEvent.class);
        exchange.setProperty(EVENT, event);
        exchange.setProperty(EVENT_ID, event.getId());
    }

    /**
     * After routing: the body holds the event's channel messages, exchange property {@code event}
     * the event. Stores the event with its deliveries in one commit (an event stored earlier but
     * never routed, exchange property {@link #RECOVERED} true: records its deliveries) and leaves
     * in the body the deliveries recorded now, each leased to this worker; log channels' messages
     * are written to the log (logger castai.events) once the event is stored. When the store finds
     * the event a duplicate, exchange property CamelDuplicateMessage is true and the body is empty.
     */
    public List<ChannelMessage> record(Exchange exchange) {
        List<ChannelMessage> messages = new ArrayList<>();
        exchange.getMessage().getBody(List.class).forEach(message -> messages.add((ChannelMessage) message));
        NotificationEvent event = exchange.getProperty(EVENT, NotificationEvent.class);
        Set<String> later = channelsWithFullQueues(exchange, messages);
        // no later than the store's own acceptance time, taken after this; kept by each delivery
        exchange.setProperty(ACCEPTED_AT, clock.instant());
        List<ChannelMessage> recorded = exchange.getProperty(RECOVERED, false, Boolean.class)
                ? outbox.route(event.getId(), messages, later) : outbox.accept(event, messages, later);
        if (recorded == null) {
            exchange.setProperty(Exchange.DUPLICATE_MESSAGE, true);
            return List.of();
        }
        messages.stream().filter(ChannelMessage::log).forEach(message -> MESSAGES.info(message.text()));
        return recorded;
    }

    /**
     * A channel whose workers have a full queue gets its delivery from the retry timer, when there
     * is room: the request does not wait for the queue, nor lease the delivery and let it go again.
     * So does a channel paced after a 429: the timer claims at its pace.
     */
    private Set<String> channelsWithFullQueues(Exchange exchange, List<ChannelMessage> messages) {
        Set<String> full = new HashSet<>();
        for (ChannelMessage message : messages) {
            if (!message.log() && (pause.isPaced(message.channel()) || queues.room(exchange.getContext(), message.channel()) == 0)) {
                full.add(message.channel());
            }
        }
        return full;
    }

    /**
     * One message of {@link #record}'s list (the body) as its channel's route expects it: the
     * event in the body; exchange properties {@code channel}, {@code message} and, for the latency
     * metric, when it was queued.
     */
    public void toDelivery(Exchange exchange) {
        ChannelMessage message = exchange.getMessage().getBody(ChannelMessage.class);
        exchange.setProperty(CHANNEL, message.channel());
        exchange.setProperty(MESSAGE, message.text());
        exchange.setProperty(QUEUED_AT, clock.instant());
        exchange.setProperty(LEASED_UNTIL, message.leasedUntil());
        exchange.getMessage().setBody(exchange.getProperty(EVENT));
    }

    /**
     * Before sending, the first step of every channel route: a delivery whose lease ran out while
     * it waited in the channel's queue, and was claimed again since, is not sent (the claim's copy
     * is); a channel paused by a 429 keeps the delivery for when the pause is over (no attempt is
     * counted). When the outbox cannot be written just now, the delivery is not sent either: it
     * stays pending, and the retry timer takes it up again once its lease runs out.
     */
    public void beforeSending(Exchange exchange) {
        String channel = channel(exchange);
        String eventId = eventId(exchange);
        try {
            long lease = outbox.keepLease(eventId, channel, exchange.getProperty(LEASED_UNTIL, 0L, Long.class));
            if (lease == 0) {
                LOG.debug("{} delivery of event {} waited past its lease and was claimed again; this copy is dropped",
                        channel, eventId);
                exchange.setRouteStop(true);
                return;
            }
            exchange.setProperty(LEASED_UNTIL, lease);
            Duration paused = pause.waitFor(channel, eventId);
            if (!paused.isZero()) {
                outbox.postpone(eventId, channel, lease, paused);
                exchange.setRouteStop(true);
            }
        } catch (OutboxException e) {
            LOG.warn("{} delivery of event {} waits for its lease to run out: {}", channel, eventId, e.getMessage());
            exchange.setRouteStop(true);
        }
    }

    private void giveUp(Exchange exchange, String reason, String why) {
        String channel = channel(exchange);
        String eventId = eventId(exchange);
        outbox.giveUp(eventId, channel, reason, why);
        metrics.deliveryFailed(channel, reason);
        deadLetterLinesOf(channel).error("{} delivery of event {} cannot be made: {}; kept as a dead letter", channel, eventId, why);
    }

    public void delivered(Exchange exchange) {
        String channel = channel(exchange);
        String eventId = eventId(exchange);
        outbox.delivered(eventId, channel);
        pause.delivered(channel);
        metrics.attempt(channel, "delivered");
        metrics.delivered(channel);
        Instant queuedAt = exchange.getProperty(QUEUED_AT, Instant.class);
        if (queuedAt != null) {
            metrics.deliveryLatency(channel, Duration.between(queuedAt, clock.instant()));
        }
        LOG.debug("{} accepted event {}", channel, eventId);
    }

    /** A delivery put back without an attempt, due again in a second (its incident is busy). */
    public void postpone(Exchange exchange, String why) {
        outbox.postpone(eventId(exchange), channel(exchange), leasedUntil(exchange), Duration.ofSeconds(1));
        LOG.debug("{} delivery of event {} is put back for a second: {}", channel(exchange), eventId(exchange), why);
    }

    /**
     * A delivery that later events have made pointless (a PagerDuty trigger whose incident is
     * already resolved): recorded as done, not sent, and said once in the log.
     */
    public void supersededBy(Exchange exchange, String why) {
        String channel = channel(exchange);
        String eventId = eventId(exchange);
        outbox.delivered(eventId, channel);
        metrics.attempt(channel, "superseded");
        LOG.info("{} delivery of event {} is not sent: {}", channel, eventId, why);
    }

    /** The onException handler of every delivery. */
    public void failed(Exchange exchange) {
        String channel = channel(exchange);
        String eventId = eventId(exchange);
        // an answer quoting the request's URL would otherwise put the channel's token in the log and the
        // dead letter; and one quoting another channel's secret (a shared relay, say) that secret
        UnaryOperator<String> own = channels.has(channel) ? channels.get(channel)::withoutSecrets : UnaryOperator.identity();
        DeliveryFailure failure = DeliveryFailure.classify(
                exchange.getProperty(ExchangePropertyKey.EXCEPTION_CAUGHT, Throwable.class),
                text -> LogRedaction.redact(own.apply(text)));
        String description = failure.description();
        try {
            recordFailure(channel, eventId, leasedUntil(exchange), failure, description);
        } catch (OutboxException e) {
            // said here, without the exception Camel would otherwise log (its message names the URL)
            LOG.warn("{} delivery of event {} failed ({}), and the store cannot record it just now ({}); it is tried "
                    + "again when its lease runs out", channel, eventId, description, OutboxException.describe(e));
        }
    }

    private void recordFailure(String channel, String eventId, long leasedUntil, DeliveryFailure failure, String description) {
        Outbox.Progress delivery = outbox.progress(eventId, channel);
        Instant firstQueued = delivery == null ? clock.instant() : delivery.createdAt();
        boolean rateLimited = DeliveryFailure.RATE_LIMITED.equals(failure.reason()) && failure.retryable();
        int attempts = delivery == null ? 1 : delivery.attempts() + (rateLimited ? 0 : 1);
        if (rateLimited) {
            pause.pause(channel, policy.channelPause(failure));
        }
        DeliveryRetryPolicy.Decision decision = rateLimited
                ? policy.decideRateLimited(pause.waitFor(channel, eventId), firstQueued)
                : policy.decide(failure, attempts, firstQueued);
        metrics.attempt(channel, failure.reason());
        if (decision.retry()) {
            boolean recorded = rateLimited
                    ? outbox.retryWhenRateAllows(eventId, channel, leasedUntil, decision.delay(), failure.reason(), description)
                    : outbox.retryLater(eventId, channel, leasedUntil, decision.delay(), failure.reason(), description);
            if (!recorded) {
                noLongerPending(channel, eventId, description);
                return;
            }
            metrics.deliveryRetried(channel, failure.reason());
            if (rateLimited) {
                retryLinesOf(channel).warn("{} delivery of event {} was refused by the channel's rate limit ({}); it is due "
                        + "again in {} ms, for the channel's next free slot (not counted as an attempt)",
                        channel, eventId, description, decision.delay().toMillis());
            } else {
                retryLinesOf(channel).warn("{} delivery of event {} failed on attempt {} ({}); retrying in {} ms",
                        channel, eventId, attempts, description, decision.delay().toMillis());
            }
        } else {
            if (!outbox.dead(eventId, channel, leasedUntil, failure.reason() + " " + decision.verdict(), description)) {
                noLongerPending(channel, eventId, description);
                return;
            }
            metrics.deliveryFailed(channel, failure.reason());
            deadLetterLinesOf(channel).error("{} delivery of event {} failed {} after {} attempt(s): {}; kept as a dead letter",
                    channel, eventId, decision.verdict(), attempts, description);
        }
    }

    /**
     * A channel's retry lines, at most 50 every 10 s: a channel down under a burst fails thousands
     * of attempts a minute, and a line for each would bury every other (the metrics count them
     * all). Its dead letters have lines of their own, as many: a flood of retries must not leave
     * the deaths of its events unsaid.
     */
    private RefusalLog retryLinesOf(String channel) {
        return retryLines.computeIfAbsent(channel,
                c -> new RefusalLog(LOG, 50, 10, System::nanoTime, "failed attempts of channel " + c));
    }

    private RefusalLog deadLetterLinesOf(String channel) {
        return deadLetterLines.computeIfAbsent(channel,
                c -> new RefusalLog(LOG, 50, 10, System::nanoTime, "dead letters of channel " + c));
    }

    private static void noLongerPending(String channel, String eventId, String description) {
        LOG.info("{} delivery of event {} failed ({}), but it is no longer this attempt's (another attempt delivered it "
                + "or holds it now, or it was given up): nothing more to do", channel, eventId, description);
    }

    /** The lease the delivery was sent under (epoch ms): a record of its outcome applies only while it holds. */
    private static long leasedUntil(Exchange exchange) {
        return exchange.getProperty(LEASED_UNTIL, 0L, Long.class);
    }

    static String channel(Exchange exchange) {
        return exchange.getProperty(CHANNEL, "unknown", String.class);
    }

    static String eventId(Exchange exchange) {
        String id = exchange.getProperty(EVENT_ID, String.class);
        if (id == null && exchange.getIn().getBody() instanceof NotificationEvent event) {
            id = event.getId();
        }
        return id == null ? "?" : id;
    }
}
