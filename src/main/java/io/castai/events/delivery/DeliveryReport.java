package io.castai.events.delivery;

import io.castai.events.intake.NotificationEvent;
import io.castai.events.ops.ServiceMetrics;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Records how each channel delivery ended: a metric always, a log line when it failed for good. */
public class DeliveryReport {
    /** Exchange property naming the channel a delivery is for (slack, pagerduty, ...). */
    public static final String CHANNEL = "channel";
    /** Exchange property holding the id of the event being delivered. */
    public static final String EVENT_ID = "eventId";
    /** Exchange property counting the attempts made so far (kept by the retry policy). */
    static final String ATTEMPTS = "deliveryAttempts";

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryReport.class);

    private final ServiceMetrics metrics;

    public DeliveryReport(ServiceMetrics metrics) {
        this.metrics = metrics;
    }

    public void delivered(Exchange exchange) {
        metrics.delivered(channel(exchange));
        LOG.debug("{} accepted event {}", channel(exchange), eventId(exchange));
    }

    public void failed(Exchange exchange) {
        DeliveryFailure failure = DeliveryFailure.classify(DeliveryRetryPolicy.caught(exchange));
        int attempts = exchange.getProperty(ATTEMPTS, 1, Integer.class);
        metrics.deliveryFailed(channel(exchange), failure.reason());
        LOG.error("{} delivery of event {} failed {} after {} attempt(s): {}",
                channel(exchange), eventId(exchange), failure.retryable() ? "(retries exhausted)" : "permanently",
                attempts, failure.description());
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
