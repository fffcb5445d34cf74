package io.castai.events;

import java.nio.file.Path;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.TimeZone;

import io.castai.events.castai.AuditPoll;
import io.castai.events.castai.CastaiApi;
import io.castai.events.castai.CastaiApiHealthCheck;
import io.castai.events.castai.NotificationsPoll;
import io.castai.events.castai.PolledEvents;
import io.castai.events.castai.PollerBackoff;
import io.castai.events.castai.PollerSettings;
import io.castai.events.castai.SavingsPoll;
import io.castai.events.channels.Channels;
import io.castai.events.channels.ConfigurationException;
import io.castai.events.cluster.StoreLeaseClusterService;
import io.castai.events.channels.ConsoleLink;
import io.castai.events.channels.EmailChannel;
import io.castai.events.channels.MessageTemplates;
import io.castai.events.channels.PagerDutyChannel;
import io.castai.events.channels.IncidentHistory;
import io.castai.events.channels.SharedIncidentTurns;
import io.castai.events.channels.RoutingPreview;
import io.castai.events.channels.SlackChannel;
import io.castai.events.channels.WebhookChannel;
import io.castai.events.dedup.BoundedIdempotentRepository;
import io.castai.events.dedup.DurableIdempotentRepository;
import io.castai.events.outbox.BacklogHealthCheck;
import io.castai.events.outbox.DeadLetterAdmin;
import io.castai.events.outbox.DispatchRecovery;
import io.castai.events.outbox.Outbox;
import io.castai.events.outbox.StoreIncidentTurns;
import io.castai.events.outbox.OutboxHousekeeping;
import io.castai.events.outbox.StoreHealthCheck;
import io.castai.events.outbox.StoreOutage;
import io.castai.events.delivery.ChannelPause;
import io.castai.events.delivery.DeliveryReport;
import io.castai.events.delivery.DeliveryRetryPolicy;
import io.castai.events.delivery.DueDeliveries;
import io.castai.events.delivery.QueuedDeliveriesOnStop;
import io.castai.events.delivery.SizeBoundedQueue;
import io.castai.events.intake.IntakeResponses;
import io.castai.events.kubernetes.KubernetesEvents;
import io.castai.events.kubernetes.WatchResync;
import io.castai.events.ops.HttpRouterWatch;
import io.castai.events.ops.HttpServerListening;
import io.castai.events.ops.JsonHttpErrors;
import io.castai.events.ops.LeftOutLinesOnStop;
import io.castai.events.ops.ServiceMetrics;
import io.castai.events.ops.StartupHooks;
import io.castai.events.outbound.PlainHttp;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.apache.camel.component.seda.SedaComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wiring of everything the routes call, from the beans of {@link BaseConfiguration} and
 * application.properties.
 */
@Configuration
public class EventsConfiguration implements CamelConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(EventsConfiguration.class);
    /** How long Kubernetes keeps an event by default (the API server's --event-ttl). */
    private static final Duration KUBERNETES_EVENT_TTL = Duration.ofHours(1);

    @Override
    public void configure(CamelContext camelContext) throws Exception {
        camelContext.addStartupListener(new StartupHooks());
        // JSON answers from the HTTP server itself, from the moment it listens
        JsonHttpErrors jsonHttpErrors = new JsonHttpErrors();
        camelContext.addLifecycleStrategy(new HttpRouterWatch(jsonHttpErrors));
        camelContext.getManagementStrategy().addEventNotifier(jsonHttpErrors);
        // a port in use stops the start-up, not only a WARN line from the HTTP server
        camelContext.addStartupListener(new HttpServerListening());
        // on stop, what waits in the channels' queues is let go for another replica at once
        camelContext.getManagementStrategy().addEventNotifier(new QueuedDeliveriesOnStop());
        // on stop, every limited log says how many lines it left out: no later line will
        camelContext.getManagementStrategy().addEventNotifier(new LeftOutLinesOnStop());
        // each channel's queue bounded by the length of its deliveries' text too, not only their number
        camelContext.getComponent("seda", SedaComponent.class).setDefaultQueueFactory(SizeBoundedQueue.factory(
                SizeBoundedQueue.maxChars(Long.parseLong(camelContext.resolvePropertyPlaceholders("{{delivery.queue-max-chars}}").trim()))));
        // a service of the context, so it starts before the routes whose leadership it decides
        camelContext.addService(camelContext.getRegistry().findSingleByType(StoreLeaseClusterService.class));
    }

    @BindToRegistry
    public IntakeResponses intakeResponses(ServiceMetrics metrics) {
        return new IntakeResponses(metrics);
    }

    /** camel-master asks it which replica runs the pollers (routes/poll-*.camel.yaml). */
    @BindToRegistry
    public StoreLeaseClusterService clusterService(Outbox outbox, @PropertyInject("castai.pollers.takeover") String takeover) {
        return new StoreLeaseClusterService(outbox, takeover(takeover));
    }

    @BindToRegistry
    public DurableIdempotentRepository dedupRepository(
            @PropertyInject("dedup.max-entries") long maxEntries,
            @PropertyInject("dedup.window") String window,
            Outbox outbox, Clock clock) {
        Duration dedupWindow = BaseConfiguration.dedupWindow(window);
        return new DurableIdempotentRepository(new BoundedIdempotentRepository(maxEntries, dedupWindow),
                maxEntries, outbox, dedupWindow, clock);
    }

    @BindToRegistry
    public OutboxHousekeeping outboxHousekeeping(Outbox outbox, @PropertyInject("dedup.window") String window,
                                                 Clock clock) {
        return new OutboxHousekeeping(outbox, BaseConfiguration.dedupWindow(window), clock);
    }

    @BindToRegistry
    public StoreOutage storeOutage(Clock clock) {
        return new StoreOutage(clock);
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
    public StoreHealthCheck storeHealthCheck(Outbox outbox) {
        return new StoreHealthCheck(outbox);
    }

    @BindToRegistry
    public DeadLetterAdmin deadLetterAdmin(Outbox outbox, ServiceMetrics metrics, Channels channels) {
        return new DeadLetterAdmin(outbox, metrics, channels);
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
    public PagerDutyChannel pagerDutyChannel(Channels channels, ConsoleLink consoleLink, Outbox outbox) {
        // on a store the replicas share, an incident's turn is theirs too
        SharedIncidentTurns turns = outbox.shared() ? new StoreIncidentTurns(outbox) : SharedIncidentTurns.PROCESS_ONLY;
        return new PagerDutyChannel(channels, consoleLink, new IncidentHistory(outbox), turns);
    }

    @BindToRegistry
    public RoutingPreview routingPreview(Channels channels, SlackChannel slack, PagerDutyChannel pagerDuty,
                                         MessageTemplates templates, DurableIdempotentRepository dedupRepository) {
        return new RoutingPreview(channels, slack, pagerDuty, templates, dedupRepository);
    }

    @BindToRegistry
    public WebhookChannel webhookChannel(Channels channels, Clock clock) {
        return new WebhookChannel(channels, clock);
    }

    @BindToRegistry
    public EmailChannel emailChannel(Channels channels, @PropertyInject("http.connect-timeout-ms") int connectTimeout,
                                     @PropertyInject("http.response-timeout-ms") int responseTimeout,
                                     @PropertyInject("http.call-timeout-ms") long callTimeout) {
        return new EmailChannel(channels, connectTimeout, responseTimeout, callTimeout);
    }

    /**
     * Up to 2,000 due deliveries a tick per channel, as many as its queue has room for (less the
     * intake's quarter): after an outage the backlog drains as fast as the channel takes it (500 a
     * tick held it to ~1,000/s).
     */
    @BindToRegistry
    public DueDeliveries dueDeliveries(Outbox outbox, @PropertyInject("delivery.orphan-grace") String orphanGrace,
                                       @PropertyInject("delivery.queue-max-chars") long queueMaxChars, ChannelPause pause,
                                       Clock clock) {
        return new DueDeliveries(outbox, pause, 2000, SizeBoundedQueue.maxChars(queueMaxChars), duration("delivery.orphan-grace", orphanGrace), clock);
    }

    @BindToRegistry
    public DeliveryReport deliveryReport(Outbox outbox, Channels channels, DeliveryRetryPolicy policy, ChannelPause pause,
                                         ServiceMetrics metrics, Clock clock) {
        return new DeliveryReport(outbox, channels, policy, pause, metrics, clock);
    }

    @BindToRegistry
    public PollerSettings pollerSettings(CastaiApi api,
            @PropertyInject("castai.audit.enabled") boolean auditEnabled,
            @PropertyInject("castai.savings.enabled") boolean savingsEnabled,
            @PropertyInject(value = "castai.notifications.schedule", defaultValue = "") String notificationsSchedule,
            @PropertyInject("dedup.window") String dedupWindow) {
        return new PollerSettings(api, auditEnabled, savingsEnabled, notificationsSchedule, BaseConfiguration.dedupWindow(dedupWindow));
    }

    @BindToRegistry
    public CastaiApiHealthCheck castaiApiHealthCheck(PollerBackoff backoff) {
        return new CastaiApiHealthCheck(backoff);
    }

    @BindToRegistry
    public AuditPoll auditPoll(CastaiApi api, PolledEvents events, Outbox outbox, Clock clock,
                               @PropertyInject("data.dir") String dataDir,
                               @PropertyInject("castai.audit.lookback") String lookback,
                               @PropertyInject("castai.audit.lag") String lag,
                               @PropertyInject("castai.audit.overlap") String overlap,
                               @PropertyInject("dedup.window") String dedupWindow,
                               @PropertyInject("castai.audit.page-limit") int pageLimit) {
        return new AuditPoll(api, events, outbox, Path.of(dataDir), positiveDuration("castai.audit.lookback", lookback), duration("castai.audit.lag", lag), duration("castai.audit.overlap", overlap),
                BaseConfiguration.dedupWindow(dedupWindow), pageLimit(pageLimit, "castai.audit.page-limit"), clock);
    }

    @BindToRegistry
    public NotificationsPoll notificationsPoll(CastaiApi api, PolledEvents events, Outbox outbox,
                                               @PropertyInject("castai.notifications.page-limit") int pageLimit) {
        return new NotificationsPoll(api, events, outbox, pageLimit(pageLimit, "castai.notifications.page-limit"));
    }

    /** CAST AI answers a larger page with 400: every poll would fail, with only a WARN to say so. */
    private static int pageLimit(int value, String key) {
        if (value < 1 || value > 1000) {
            throw ConfigurationException.inSetting(key, "must be from 1 to 1000 (the CAST AI API's largest page)");
        }
        return value;
    }

    @BindToRegistry
    public WatchResync kubernetesWatch(KubernetesEvents events,
                                       @PropertyInject("k8s.events.namespace") String namespace,
                                       @PropertyInject("k8s.events.resync") String resync,
                                       @PropertyInject("k8s.master-url") String masterUrl,
                                       @PropertyInject("k8s.events.enabled") boolean enabled,
                                       @PropertyInject("dedup.window") String window,
                                       ServiceMetrics metrics) {
        if (!"local".equals(masterUrl.trim())) {
            // without a scheme the client fell back to plain HTTP on its own
            BaseConfiguration.httpUrl("k8s.master-url", masterUrl);
            if (enabled && PlainHttp.offThisMachine(masterUrl)) {
                LOG.warn("K8S_MASTER_URL is plain http: the Kubernetes credentials and the events cross the network "
                        + "unencrypted; use https");
            }
        }
        if (enabled && BaseConfiguration.dedupWindow(window).compareTo(KUBERNETES_EVENT_TTL) < 0) {
            // each resync lists the events again: one still kept once its id is forgotten is notified again
            LOG.warn("DEDUP_WINDOW ({}) is shorter than the hour Kubernetes keeps an event by default: the Kubernetes "
                    + "events source notifies again, at a resync, an event still kept after the window", window.trim());
        }
        return new WatchResync(events, namespace, positiveDuration("k8s.events.resync", resync), metrics);
    }

    @BindToRegistry
    public SavingsPoll savingsPoll(CastaiApi api, Outbox outbox, Clock clock,
                                   @PropertyInject("castai.schedule.timezone") String timeZone) {
        ZoneId zone;
        try {
            zone = ZoneId.of(timeZone.trim());
            // Quartz reads the schedules' zone with TimeZone, which takes what it does not know
            // (UTC+2, +02:00, Z) as GMT: the schedules would run in UTC, the day counted elsewhere
            if ("GMT".equals(TimeZone.getTimeZone(timeZone.trim()).getID()) && !"GMT".equals(timeZone.trim())) {
                throw new DateTimeException("not a zone Quartz reads");
            }
        } catch (DateTimeException unknown) {
            throw ConfigurationException.inSetting("castai.schedule.timezone", "'" + timeZone.trim()
                    + "' is not a time zone; write it like UTC, Europe/Berlin or America/New_York");
        }
        return new SavingsPoll(api, outbox, clock, zone);
    }

    private static Duration duration(String key, String text) {
        return BaseConfiguration.duration(key, text);
    }

    private static Duration positiveDuration(String key, String text) {
        return BaseConfiguration.positiveDuration(key, text);
    }

    /** The pollers' lease is renewed every sixth of it: under a second, renewals would come too often to be of use. */
    private static Duration takeover(String text) {
        Duration takeover = duration("castai.pollers.takeover", text);
        if (takeover.compareTo(Duration.ofSeconds(1)) < 0) {
            throw ConfigurationException.inSetting("castai.pollers.takeover", "must be 1s or more");
        }
        return takeover;
    }
}
