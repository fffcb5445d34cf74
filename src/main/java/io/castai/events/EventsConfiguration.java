package io.castai.events;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;

import io.castai.events.castai.AuditPoll;
import io.castai.events.castai.CastaiApi;
import io.castai.events.castai.CastaiApiHealthCheck;
import io.castai.events.castai.NotificationsPoll;
import io.castai.events.castai.PolledEvents;
import io.castai.events.castai.PollerBackoff;
import io.castai.events.castai.PollerSettings;
import io.castai.events.castai.SavingsPoll;
import io.castai.events.channels.Channels;
import io.castai.events.channels.ChannelsFile;
import io.castai.events.channels.ConsoleLink;
import io.castai.events.channels.EmailChannel;
import io.castai.events.channels.MessageTemplates;
import io.castai.events.channels.PagerDutyChannel;
import io.castai.events.channels.RoutingPreview;
import io.castai.events.channels.SlackChannel;
import io.castai.events.channels.WebhookChannel;
import io.castai.events.dedup.BoundedIdempotentRepository;
import io.castai.events.dedup.DurableIdempotentRepository;
import io.castai.events.outbox.BacklogHealthCheck;
import io.castai.events.outbox.DeadLetterAdmin;
import io.castai.events.outbox.DispatchRecovery;
import io.castai.events.outbox.Outbox;
import io.castai.events.outbox.OutboxHousekeeping;
import io.castai.events.security.AdminAuth;
import io.castai.events.security.InboundAuth;
import io.castai.events.security.Secrets;
import io.castai.events.security.WebhookSignature;
import io.castai.events.delivery.ChannelPause;
import io.castai.events.delivery.DeliveryReport;
import io.castai.events.delivery.DeliveryRetryPolicy;
import io.castai.events.intake.EventParser;
import io.castai.events.kubernetes.KubernetesEvents;
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
    public Outbox outbox(@PropertyInject("data.dir") String dataDir, @PropertyInject("delivery.lease") String lease,
                         Clock clock) {
        return new Outbox(Path.of(dataDir), clock, duration(lease));
    }

    @BindToRegistry
    public DurableIdempotentRepository dedupRepository(
            @PropertyInject("dedup.max-entries") long maxEntries,
            @PropertyInject("dedup.window") String window,
            Outbox outbox, Clock clock) {
        return new DurableIdempotentRepository(new BoundedIdempotentRepository(maxEntries, duration(window)),
                maxEntries, outbox, duration(window), clock);
    }

    @BindToRegistry
    public OutboxHousekeeping outboxHousekeeping(Outbox outbox, @PropertyInject("dedup.window") String window,
                                                 Clock clock) {
        return new OutboxHousekeeping(outbox, duration(window), clock);
    }

    @BindToRegistry
    public DispatchRecovery dispatchRecovery(Outbox outbox, Clock clock) {
        return new DispatchRecovery(outbox, Duration.ofSeconds(30), clock);
    }

    @BindToRegistry
    public BacklogHealthCheck backlogHealthCheck(Outbox outbox,
                                                 @PropertyInject("delivery.backlog-threshold") long threshold) {
        return new BacklogHealthCheck(outbox, threshold);
    }

    @BindToRegistry
    public DeadLetterAdmin deadLetterAdmin(Outbox outbox) {
        return new DeadLetterAdmin(outbox);
    }

    @BindToRegistry
    public InboundAuth inboundAuth(@PropertyInject(value = "webhook.token", defaultValue = "") String token,
                                   @PropertyInject(value = "webhook.signing-secret", defaultValue = "") String signingSecret,
                                   @PropertyInject("webhook.signature-tolerance") String tolerance, Clock clock) {
        String secret = Secrets.resolve("WEBHOOK_SIGNING_SECRET", signingSecret);
        return new InboundAuth(Secrets.resolve("WEBHOOK_TOKEN", token),
                secret == null || secret.isBlank() ? null : new WebhookSignature(secret.trim(), duration(tolerance), clock));
    }

    @BindToRegistry
    public AdminAuth adminAuth(@PropertyInject(value = "admin.token", defaultValue = "") String token) {
        return new AdminAuth(Secrets.resolve("ADMIN_TOKEN", token));
    }

    @BindToRegistry
    public Channels channels(CamelContext camelContext, @PropertyInject("channels.file") String file) {
        return ChannelsFile.load(Path.of(file), name -> placeholder(camelContext, name));
    }

    @BindToRegistry
    public ConsoleLink consoleLink(@PropertyInject("castai.console.url") String consoleUrl) {
        return new ConsoleLink(consoleUrl);
    }

    @BindToRegistry
    public MessageTemplates messageTemplates(@PropertyInject("templates.dir") String directory, Channels channels,
                                             ConsoleLink consoleLink) {
        MessageTemplates templates = new MessageTemplates(Path.of(directory), channels, consoleLink);
        templates.validate();
        return templates;
    }

    @BindToRegistry
    public SlackChannel slackChannel(Channels channels, ConsoleLink consoleLink) {
        return new SlackChannel(channels, consoleLink);
    }

    @BindToRegistry
    public PagerDutyChannel pagerDutyChannel(Channels channels, ConsoleLink consoleLink) {
        return new PagerDutyChannel(channels, consoleLink);
    }

    @BindToRegistry
    public RoutingPreview routingPreview(Channels channels, SlackChannel slack, PagerDutyChannel pagerDuty) {
        return new RoutingPreview(channels, slack, pagerDuty);
    }

    @BindToRegistry
    public WebhookChannel webhookChannel(Channels channels, Clock clock) {
        return new WebhookChannel(channels, clock);
    }

    @BindToRegistry
    public EmailChannel emailChannel(Channels channels, @PropertyInject("http.connect-timeout-ms") int connectTimeout,
                                     @PropertyInject("http.response-timeout-ms") int responseTimeout) {
        return new EmailChannel(channels, connectTimeout, responseTimeout);
    }

    @BindToRegistry
    public DeliveryRetryPolicy deliveryRetryPolicy(
            @PropertyInject("delivery.max-attempts") int maxAttempts,
            @PropertyInject("delivery.max-age") String maxAge,
            @PropertyInject("delivery.initial-backoff") String initialBackoff,
            @PropertyInject("delivery.max-backoff") String maxBackoff,
            @PropertyInject("delivery.retry-after-cap") String retryAfterCap,
            Clock clock) {
        return new DeliveryRetryPolicy(maxAttempts, duration(maxAge), duration(initialBackoff), duration(maxBackoff),
                duration(retryAfterCap), clock);
    }

    @BindToRegistry
    public ChannelPause channelPause(Clock clock) {
        return new ChannelPause(clock);
    }

    @BindToRegistry
    public DeliveryReport deliveryReport(Outbox outbox, DeliveryRetryPolicy policy, ChannelPause pause,
                                         ServiceMetrics metrics, Clock clock) {
        return new DeliveryReport(outbox, policy, pause, metrics, clock);
    }

    @BindToRegistry
    public Clock clock() {
        return Clock.systemUTC();
    }

    @BindToRegistry
    public CastaiApi castaiApi(
            @PropertyInject(value = "castai.api.key", defaultValue = "") String apiKey,
            @PropertyInject("castai.api.url") String apiUrl,
            @PropertyInject(value = "castai.cluster.id", defaultValue = "") String clusterIds) {
        return new CastaiApi(Secrets.resolve("CASTAI_API_KEY", apiKey), apiUrl, clusterIds);
    }

    @BindToRegistry
    public PollerSettings pollerSettings(CastaiApi api,
            @PropertyInject("castai.audit.enabled") boolean auditEnabled,
            @PropertyInject("castai.savings.enabled") boolean savingsEnabled,
            @PropertyInject(value = "castai.notifications.schedule", defaultValue = "") String notificationsSchedule) {
        return new PollerSettings(api, auditEnabled, savingsEnabled, notificationsSchedule);
    }

    @BindToRegistry
    public PollerBackoff pollerBackoff(@PropertyInject("castai.poll.backoff") String initial,
                                       @PropertyInject("castai.poll.max-backoff") String max, Clock clock) {
        return new PollerBackoff(duration(initial), duration(max), clock);
    }

    @BindToRegistry
    public CastaiApiHealthCheck castaiApiHealthCheck(PollerBackoff backoff) {
        return new CastaiApiHealthCheck(backoff);
    }

    @BindToRegistry
    public PolledEvents polledEvents(EventParser parser) {
        return new PolledEvents(parser);
    }

    @BindToRegistry
    public AuditPoll auditPoll(CastaiApi api, PolledEvents events, Clock clock,
                               @PropertyInject("data.dir") String dataDir,
                               @PropertyInject("castai.audit.lookback") String lookback,
                               @PropertyInject("castai.audit.lag") String lag,
                               @PropertyInject("castai.audit.page-limit") int pageLimit) {
        return new AuditPoll(api, events, Path.of(dataDir), duration(lookback), duration(lag), pageLimit, clock);
    }

    @BindToRegistry
    public NotificationsPoll notificationsPoll(CastaiApi api, PolledEvents events,
                                               @PropertyInject("castai.notifications.page-limit") int pageLimit) {
        return new NotificationsPoll(api, events, pageLimit);
    }

    @BindToRegistry
    public SavingsPoll savingsPoll(CastaiApi api, Clock clock,
                                   @PropertyInject("castai.schedule.timezone") String timeZone) {
        return new SavingsPoll(api, clock, ZoneId.of(timeZone));
    }

    @BindToRegistry
    public KubernetesEvents kubernetesEvents(@PropertyInject(value = "k8s.cluster-name", defaultValue = "") String name) {
        return new KubernetesEvents(name);
    }

    /**
     * A ${NAME} of channels.yaml: the environment variable NAME, else the property NAME (which
     * the matching upper-case variable overrides), else nothing; NAME_FILE's content wins.
     */
    private static String placeholder(CamelContext camelContext, String name) {
        String value = System.getenv(name);
        if (value == null) {
            value = camelContext.getPropertiesComponent().resolveProperty(name).orElse(null);
        }
        return Secrets.resolve(name.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_'), value);
    }

    /** Durations are written the Camel way: 500ms, 30s, 24h, 1h30m. */
    private static Duration duration(String text) {
        return Duration.ofMillis(TimeUtils.toMilliSeconds(text));
    }
}
