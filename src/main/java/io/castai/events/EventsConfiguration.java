package io.castai.events;

import java.time.Duration;

import io.castai.events.dedup.BoundedIdempotentRepository;
import io.castai.events.delivery.DeliveryReport;
import io.castai.events.delivery.DeliveryRetryPolicy;
import io.castai.events.delivery.PagerDutyChannel;
import io.castai.events.delivery.SlackChannel;
import io.castai.events.intake.EventParser;
import io.castai.events.intake.IntakeResponses;
import io.castai.events.ops.ServiceMetrics;
import io.castai.events.ops.StartupHooks;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.apache.camel.util.TimeUtils;

/** All wiring in one place: each bean the routes call, built from application.properties. */
@Configuration
public class EventsConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext camelContext) throws Exception {
        camelContext.addStartupListener(new StartupHooks());
    }

    @BindToRegistry
    public ServiceMetrics metrics(CamelContext camelContext) {
        return new ServiceMetrics(camelContext);
    }

    @BindToRegistry
    public EventParser eventParser() {
        return new EventParser();
    }

    @BindToRegistry
    public IntakeResponses intakeResponses(ServiceMetrics metrics) {
        return new IntakeResponses(metrics);
    }

    @BindToRegistry
    public BoundedIdempotentRepository dedupRepository(
            @PropertyInject("dedup.max-entries") long maxEntries,
            @PropertyInject("dedup.window") String window) {
        return new BoundedIdempotentRepository(maxEntries, duration(window));
    }

    @BindToRegistry
    public SlackChannel slackChannel(@PropertyInject(value = "slack.webhook.url", defaultValue = "") String url) {
        return new SlackChannel(url);
    }

    @BindToRegistry
    public PagerDutyChannel pagerDutyChannel(
            @PropertyInject(value = "pagerduty.routing.key", defaultValue = "") String routingKey,
            @PropertyInject("pagerduty.events.url") String eventsUrl,
            @PropertyInject("castai.console.url") String consoleUrl) {
        return new PagerDutyChannel(routingKey, eventsUrl, consoleUrl);
    }

    @BindToRegistry
    public DeliveryRetryPolicy deliveryRetryPolicy(
            @PropertyInject("delivery.max-attempts") int maxAttempts,
            @PropertyInject("delivery.initial-backoff") String initialBackoff,
            @PropertyInject("delivery.max-backoff") String maxBackoff,
            @PropertyInject("delivery.retry-after-cap") String retryAfterCap,
            ServiceMetrics metrics) {
        return new DeliveryRetryPolicy(maxAttempts, duration(initialBackoff), duration(maxBackoff),
                duration(retryAfterCap), metrics);
    }

    @BindToRegistry
    public DeliveryReport deliveryReport(ServiceMetrics metrics) {
        return new DeliveryReport(metrics);
    }

    /** Durations are written the Camel way: 500ms, 30s, 24h, 1h30m. */
    private static Duration duration(String text) {
        return Duration.ofMillis(TimeUtils.toMilliSeconds(text));
    }
}
