package io.castai.events.outbox;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.channels.Channels;
import io.castai.events.channels.Shortened;
import io.castai.events.ops.ServiceMetrics;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API over the outbox's deliveries: list the dead letters, put them back in the queue,
 * or discard them; and list those still pending.
 */
public class DeadLetterAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterAdmin.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FILTERS = Set.of("eventId", "channel");
    private static final Set<String> REPLAY_PARAMETERS = Set.of("eventId", "channel", "to");
    private static final Set<String> LIST_PARAMETERS = Set.of("limit", "channel", "order");
    private static final Set<String> PENDING_PARAMETERS = Set.of("limit", "channel");

    private final Outbox outbox;
    private final ServiceMetrics metrics;
    private final Channels channels;

    public DeadLetterAdmin(Outbox outbox, ServiceMetrics metrics, Channels channels) {
        this.outbox = outbox;
        this.metrics = metrics;
        this.channels = channels;
    }

    /**
     * The oldest dead letters (newest first with {@code order=newest}), of one channel with
     * {@code channel}, at most {@code limit} (1 to 1000; 100 when not given). Read from the query
     * string only, and a mistyped parameter is refused: it would otherwise list every channel's.
     */
    public String list(Exchange exchange) throws JsonProcessingException {
        Query query = Query.read(exchange, LIST_PARAMETERS, "the list takes limit, channel and order");
        String order = query.values().get("order");
        String mistake = query.mistake() != null ? query.mistake()
                : order != null && !List.of("oldest", "newest").contains(order) ? "order must be oldest or newest"
                : limitMistake(query);
        if (mistake != null) {
            return json(exchange, 400, Map.of("error", mistake));
        }
        String channel = query.values().get("channel");
        return page(exchange, channel, "dead letters", "deadLetters",
                outbox.deadLetters(channel, "newest".equals(order), limitOf(query)));
    }

    /**
     * The deliveries not made yet, those queued longest ago first, of one channel with {@code
     * channel}, at most {@code limit} (1 to 1000; 100 when not given): what a channel's backlog
     * waits for during an outage. Read as {@link #list} reads its parameters.
     */
    public String pending(Exchange exchange) throws JsonProcessingException {
        Query query = Query.read(exchange, PENDING_PARAMETERS, "the list takes limit and channel");
        String mistake = query.mistake() != null ? query.mistake() : limitMistake(query);
        if (mistake != null) {
            return json(exchange, 400, Map.of("error", mistake));
        }
        String channel = query.values().get("channel");
        return page(exchange, channel, "pending deliveries", "pending", outbox.pending(channel, limitOf(query)));
    }

    private static String limitMistake(Query query) {
        String limit = query.values().get("limit");
        return limit == null || limit.matches("[0-9]{1,4}") && Integer.parseInt(limit) >= 1 && Integer.parseInt(limit) <= 1000
                ? null : "limit must be a whole number from 1 to 1000";
    }

    private static int limitOf(Query query) {
        String limit = query.values().get("limit");
        return limit == null ? 100 : Integer.parseInt(limit);
    }

    /** A listed page, under {@code field} with its count; or a 404 for an unknown channel with none (a mistyped name). */
    private String page(Exchange exchange, String channel, String what, String field, List<?> listed) throws JsonProcessingException {
        if (listed.isEmpty() && channel != null && !channels.has(channel)) {
            // a mistyped name would otherwise read as "none"
            return json(exchange, 404, Map.of("error", "no " + what + " for channel " + channel
                    + ", which is not in channels.yaml (mistyped?)"));
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("count", listed.size());
        answer.put(field, listed);
        return json(exchange, 200, answer);
    }

    /**
     * Replays every dead letter, or those of one event (eventId) and/or one channel (channel); with
     * {@code to}, a channel's dead letters go to that channel instead (it was renamed or removed).
     * Those of a channel that were rendered for another type than the channel they would go to
     * stay (a channel whose type changed can hold both kinds), and the answer says how many and why.
     */
    public String replay(Exchange exchange) throws JsonProcessingException {
        Filters filters = Filters.of(exchange, "replay");
        String mistake = filters.mistake();
        if (mistake == null && filters.to() != null) {
            mistake = filters.channel() == null ? "to takes channel too: the channel whose dead letters go to it"
                    : filters.channel().equals(filters.to()) ? "to names the channel itself: leave it out to replay them there"
                    : !served(exchange, filters.to()) ? "channel " + filters.to() + " " + channels.whyUnserved(filters.to())
                    + ": name a channel that sends"
                    : !anyFits(filters, filters.to()) ? "channel " + filters.to() + " is not of the type channel "
                    + filters.channel() + "'s dead letters were rendered for (" + typesOf(filters) + ")" : null;
        } else if (mistake == null && filters.channel() != null && !served(exchange, filters.channel())) {
            // put back, they would only become dead letters again
            mistake = "channel " + filters.channel() + " " + channels.whyUnserved(filters.channel()) + ": replay its dead "
                    + "letters to another channel of the same type with to=<channel>, or discard them";
        } else if (mistake == null && filters.channel() != null && !anyFits(filters, filters.channel())) {
            mistake = "channel " + filters.channel() + " is a " + typeOf(filters.channel()) + " channel now, and these dead "
                    + "letters were rendered for " + typesOf(filters) + ": replay them to a channel of that type with "
                    + "to=<channel>, or discard them";
        }
        if (mistake != null) {
            return json(exchange, 400, Map.of("error", mistake));
        }
        // every one to its own channel: one whose type changed since becomes a dead letter again when due
        String target = filters.to() != null ? filters.to() : filters.channel();
        String type = target == null ? null : typeOf(target);
        String assumed = type == null ? null : assumedType(filters.channel(), type);
        Outbox.Replayed done = filters.to() == null ? outbox.replay(filters.eventId(), filters.channel(), type, assumed)
                : outbox.replayTo(filters.eventId(), filters.channel(), filters.to(), type, assumed);
        List<String> why = new ArrayList<>();
        if (done.ofAnotherType() > 0) {
            why.add(done.ofAnotherType() + " rendered for another type than channel " + target + " is (" + type
                    + "): replay them to a channel of their type with to=<channel>, or discard them");
        }
        if (done.deliveredThere() > 0) {
            why.add(done.deliveredThere() + " whose events have a delivery for channel " + target + " already: sent "
                    + "there, they would reach it twice (discard them, or replay them to another channel)");
        }
        LOG.info("Replaying {} dead letter(s){}{}", done.replayed(), filters, why.isEmpty() ? "" : "; kept " + String.join("; ", why));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("replayed", done.replayed());
        if (!why.isEmpty()) {
            answer.put("notReplayed", done.ofAnotherType() + done.deliveredThere());
            answer.put("why", String.join("; ", why));
        }
        return json(exchange, 200, answer);
    }

    /** True when a route sends to this channel (it is in channels.yaml, and on). */
    private static boolean served(Exchange exchange, String channel) {
        return exchange.getContext().getRoute("channel-" + channel) != null;
    }

    private String typeOf(String channel) {
        return channels.get(channel).type().id();
    }

    /**
     * What the filtered dead letters of {@code channel} were rendered for where the store does not
     * say (an earlier version did not keep it): the channel's type in channels.yaml; one no longer
     * there, or made a log channel since, has none to tell, and so is taken to be the target's.
     */
    private String assumedType(String channel, String targetType) {
        return channel != null && channels.has(channel) && !channels.isLog(channel) ? typeOf(channel) : targetType;
    }

    /**
     * False when none of the filtered dead letters (and there are some) was rendered for channel
     * {@code target}'s type: every one would stay.
     */
    private boolean anyFits(Filters filters, String target) {
        String type = typeOf(target);
        Set<String> rendered = outbox.deadLetterTypes(filters.eventId(), filters.channel());
        return rendered.isEmpty() || rendered.contains(type)
                || rendered.contains(null) && assumedType(filters.channel(), type).equals(type);
    }

    private String typesOf(Filters filters) {
        Set<String> rendered = new TreeSet<>();
        for (String type : outbox.deadLetterTypes(filters.eventId(), filters.channel())) {
            rendered.add(type != null ? type : assumedType(filters.channel(), "unknown"));
        }
        return String.join(", ", rendered);
    }

    /**
     * Discards the dead letters of one event (eventId) and/or one channel (channel), for good:
     * never all of them at once, so a filter lost on the way cannot empty the list.
     */
    public String discard(Exchange exchange) throws JsonProcessingException {
        Filters filters = Filters.of(exchange, "discard");
        String mistake = filters.mistake() == null && filters.eventId() == null && filters.channel() == null
                ? "discard takes eventId and/or channel: it never discards every dead letter at once" : filters.mistake();
        if (mistake != null) {
            return json(exchange, 400, Map.of("error", mistake));
        }
        int count = outbox.discard(filters.eventId(), filters.channel());
        LOG.info("Discarded {} dead letter(s){}", count, filters);
        if (count == 0 && filters.channel() != null && !channels.has(filters.channel())) {
            // as the list answers it: a mistyped name would otherwise read as "nothing to discard"
            return json(exchange, 404, Map.of("error", "no dead letters for channel " + filters.channel()
                    + ", which is not in channels.yaml (mistyped?)"));
        }
        return json(exchange, 200, Map.of("discarded", count));
    }

    /** A replay's or discard's filters ({@link Query}), or what is wrong with them; and no body. */
    record Filters(String eventId, String channel, String to, String mistake) {
        static Filters of(Exchange exchange, String action) {
            boolean replay = "replay".equals(action);
            String body = exchange.getMessage().getBody(String.class);
            String contentType = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, "", String.class);
            if (body != null && !body.isBlank() || contentType.toLowerCase(Locale.ROOT).contains("form")) {
                return failed(action + " takes eventId and channel in the query string, and no body");
            }
            Query query = Query.read(exchange, replay ? REPLAY_PARAMETERS : FILTERS,
                    action + " takes eventId and channel" + (replay ? " (and to)" : ""));
            return query.mistake() != null ? failed(query.mistake())
                    : new Filters(query.values().get("eventId"), query.values().get("channel"), query.values().get("to"), null);
        }

        private static Filters failed(String mistake) {
            return new Filters(null, null, null, mistake);
        }

        @Override
        public String toString() {
            // an event id from the query string is as long as the sender made it
            return (eventId == null ? "" : " of event " + Shortened.to(eventId, 300, "…")) + (channel == null ? "" : " for channel " + channel)
                    + (to == null ? "" : " to channel " + to);
        }
    }

    /**
     * An admin request's parameters, from its query string alone (not request headers or form
     * fields, which the server turns into the same message headers), or what is wrong with them:
     * one unknown, repeated, badly escaped or empty (eventId=$UNSET) must not widen the request.
     */
    record Query(Map<String, String> values, String mistake) {
        static Query read(Exchange exchange, Set<String> names, String usage) {
            Map<String, String> given = new LinkedHashMap<>();
            String query = exchange.getMessage().getHeader(Exchange.HTTP_RAW_QUERY, "", String.class);
            for (String parameter : query.split("&")) {
                if (parameter.isEmpty()) {
                    continue;
                }
                String[] nameAndValue = parameter.split("=", 2);
                if (!names.contains(nameAndValue[0]) || given.containsKey(nameAndValue[0])) {
                    return new Query(Map.of(), "unknown or repeated parameter; " + usage);
                }
                String value;
                try {
                    // percent-decoding only: a '+' is itself (an event id a+b), not a form's space
                    String raw = nameAndValue.length < 2 ? "" : nameAndValue[1];
                    value = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException badEscape) {
                    return new Query(Map.of(), "parameters must be percent-encoded correctly");
                }
                if (value.isBlank()) {
                    return new Query(Map.of(), "a parameter, when given, must not be empty");
                }
                given.put(nameAndValue[0], value);
            }
            return new Query(given, null);
        }
    }

    /** The answer to any other method than the endpoint's own. */
    public String methodNotAllowed(Exchange exchange, String allowed) throws JsonProcessingException {
        metrics.rejected("method");
        String answer = json(exchange, 405, Map.of("error", "only " + allowed + " is accepted here"));
        exchange.getMessage().setHeader("Allow", allowed);
        return answer;
    }

    private static String json(Exchange exchange, int status, Object body) throws JsonProcessingException {
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        return JSON.writeValueAsString(body);
    }

}
