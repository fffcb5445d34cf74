package io.castai.events.castai;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.intake.NotificationEvent;
import io.castai.events.intake.Severity;
import io.castai.events.outbox.Outbox;
import org.apache.camel.Exchange;

/**
 * The daily savings summary (routes/poll-savings.camel.yaml): the cluster's name, then its
 * estimated savings, turned into one {@code savings.daily} event whose summary is the message.
 * The best saving is the largest monthly {@code priceBefore - priceAfter} among the
 * recommendations. A missing or malformed figure is said plainly, never printed as null.
 */
public class SavingsPoll {
    private static final String CLUSTER_NAME = "clusterName";
    /** Exchange property: the day (in the schedule's time zone) the run is for. */
    private static final String DAY = "savingsDay";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CastaiApi api;
    private final Outbox outbox;
    private final Clock clock;
    private final ZoneId zone;

    public SavingsPoll(CastaiApi api, Outbox outbox, Clock clock, ZoneId zone) {
        this.api = api;
        this.outbox = outbox;
        this.clock = clock;
        this.zone = zone;
    }

    /**
     * True once today's summary for the cluster is accepted: the schedule runs hourly so a failed
     * run is tried again. A checkpoint in the store says so, not the dedup window, which may be
     * shorter than a day.
     */
    public boolean postedToday(Exchange exchange) {
        return outbox.checkpoint(checkpointName(exchange.getProperty(PollerBackoff.CLUSTER, String.class)))
                .map(exchange.getProperty(DAY, String.class)::equals).orElse(false);
    }

    /** After the day's summary is accepted (or found already accepted): the day's later runs stop early. */
    public void posted(Exchange exchange) {
        outbox.saveCheckpoint(checkpointName(exchange.getProperty(PollerBackoff.CLUSTER, String.class)),
                exchange.getProperty(DAY, String.class));
    }

    private static String checkpointName(String clusterId) {
        return "savings/" + clusterId;
    }

    private static String eventId(String clusterId, LocalDate day) {
        return "savings:" + clusterId + ":" + day;
    }

    private LocalDate today() {
        return LocalDate.now(clock.withZone(zone));
    }

    public void begin(Exchange exchange) {
        exchange.setProperty(PollerBackoff.POLLER, "savings");
        exchange.setProperty(PollerBackoff.CLUSTER, exchange.getMessage().getBody(String.class));
        // one day for the whole run, so a run across midnight checks, posts and records the same one
        exchange.setProperty(DAY, today().toString());
    }

    /** {@code GET /v1/kubernetes/external-clusters/{id}}: only for the cluster's name. */
    public void clusterRequest(Exchange exchange) {
        api.get(exchange, "/v1/kubernetes/external-clusters/" + encodedCluster(exchange), Map.of());
    }

    /** The name from the cluster answer; the id when that call did not succeed. */
    public void readClusterName(Exchange exchange) {
        String id = exchange.getProperty(PollerBackoff.CLUSTER, String.class);
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        String name = id;
        if (status != null && status / 100 == 2) {
            try {
                name = JSON.readTree(exchange.getMessage().getBody(String.class)).path("name").asText(id);
            } catch (Exception unreadable) {
                name = id;
            }
        }
        exchange.setProperty(CLUSTER_NAME, name.isBlank() ? id : name);
    }

    public void savingsRequest(Exchange exchange) {
        api.get(exchange, "/v1/kubernetes/external-clusters/" + encodedCluster(exchange) + "/estimated-savings", Map.of());
    }

    /**
     * The day's summary event. An answer that is not a JSON object (a proxy's error page, one cut
     * off at the call's time limit) fails the run, which is tried again: summarised, it would post
     * "no estimate available" and close the day.
     */
    public NotificationEvent summarise(Exchange exchange) throws UnreadableAnswerException {
        String clusterId = exchange.getProperty(PollerBackoff.CLUSTER, String.class);
        String clusterName = exchange.getProperty(CLUSTER_NAME, clusterId, String.class);
        JsonNode estimate;
        try {
            estimate = JSON.readTree(exchange.getMessage().getBody(String.class));
        } catch (Exception e) {
            estimate = null;
        }
        if (estimate == null || !estimate.isObject()) {
            throw new UnreadableAnswerException("estimated savings answer is not a JSON object");
        }
        LocalDate day = LocalDate.parse(exchange.getProperty(DAY, String.class));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("day", day.toString());
        String summary = summary(estimate, clusterName, details);
        return new NotificationEvent(eventId(clusterId, day), "savings.daily", Severity.INFO,
                clusterId, clusterName, clock.instant().toString(), "Daily CAST AI savings", summary, details,
                NotificationEvent.ORIGIN_API);
    }

    static String summary(JsonNode estimate, String clusterName, Map<String, Object> details) {
        BigDecimal current = price(estimate.path("currentConfiguration").path("totalPrice").path("monthly"));
        String best = null;
        BigDecimal bestSaving = null;
        for (Map.Entry<String, JsonNode> recommendation : estimate.path("recommendations").properties()) {
            JsonNode monthly = recommendation.getValue().path("monthly");
            BigDecimal before = price(monthly.path("priceBefore"));
            BigDecimal after = price(monthly.path("priceAfter"));
            if (before != null && after != null && (bestSaving == null || before.subtract(after).compareTo(bestSaving) > 0)) {
                bestSaving = before.subtract(after);
                best = recommendation.getKey();
            }
        }
        String cost = current == null ? "current cost unknown" : "current cost " + usd(current) + " USD/month";
        if (bestSaving == null) {
            details.put("problem", "no recommendation with a readable monthly priceBefore and priceAfter");
            return "Daily CAST AI savings: no estimate available for cluster " + clusterName
                    + " (no recommendation with readable monthly prices; " + cost + ")";
        }
        if (current != null) {
            details.put("currentMonthlyCostUsd", usd(current));
        }
        if (bestSaving.setScale(2, RoundingMode.HALF_UP).signum() <= 0) {
            // every option costs as much or more (or under a cent less): "-12.00 USD/month" would
            // read as a saving
            details.put("monthlySavingsUsd", usd(BigDecimal.ZERO));
            return "Daily CAST AI savings: none found for cluster " + clusterName
                    + " (" + cost + "; no recommendation costs less)";
        }
        details.put("monthlySavingsUsd", usd(bestSaving));
        details.put("bestRecommendation", best);
        return "Daily CAST AI savings: " + usd(bestSaving) + " USD/month for cluster " + clusterName
                + " (" + cost + "; best option: " + best + ")";
    }

    /** Prices arrive as strings ("3000.3000"); anything else is unreadable, not zero. */
    private static BigDecimal price(JsonNode node) {
        if (node == null || !(node.isTextual() || node.isNumber())) {
            return null;
        }
        try {
            return new BigDecimal(node.asText().trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String usd(BigDecimal amount) {
        return amount.setScale(2, RoundingMode.HALF_UP).toPlainString();
    }

    private static String encodedCluster(Exchange exchange) {
        return CastaiApi.encode(exchange.getProperty(PollerBackoff.CLUSTER, String.class));
    }
}
