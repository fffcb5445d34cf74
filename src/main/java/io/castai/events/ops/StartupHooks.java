package io.castai.events.ops;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.castai.events.castai.CastaiApiHealthCheck;
import io.castai.events.castai.PollerSettings;
import io.castai.events.channels.ChannelType;
import io.castai.events.channels.Channels;
import io.castai.events.delivery.UnservedChannels;
import io.castai.events.kubernetes.WatchResync;
import io.castai.events.outbox.BacklogHealthCheck;
import io.castai.events.outbox.Outbox;
import io.castai.events.outbox.StoreHealthCheck;
import io.castai.events.security.InboundAuth;
import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.impl.health.AbstractHealthCheck;

/** Runs once the service has fully started: status lines, the CAST AI API and backlog health checks. */
public class StartupHooks implements ExtendedStartupListener {
    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // the interface's: all this class does waits until the context has fully started
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext camelContext, boolean alreadyStarted) {
        camelContext.getRegistry().findByType(Channels.class).forEach(Channels::logStatus);
        camelContext.getRegistry().findByType(PollerSettings.class).forEach(PollerSettings::logStatus);
        camelContext.getRegistry().findByType(InboundAuth.class).forEach(InboundAuth::logStatus);
        ServiceMetrics metrics = camelContext.getRegistry().findSingleByType(ServiceMetrics.class);
        Instant started = Instant.now();
        camelContext.getRegistry().findByType(PollerSettings.class).forEach(pollers -> pollers.clustersByPoller()
                .forEach((poller, clusters) -> clusters.forEach(cluster -> metrics.pollWatched(poller, cluster, started))));
        camelContext.getRegistry().findByType(WatchResync.class).forEach(resync -> resync.watchedSince(camelContext, started));
        Set<String> channels = new TreeSet<>();
        camelContext.getRegistry().findByType(Channels.class).forEach(declared -> declared.all().stream()
                .filter(channel -> channel.type() != ChannelType.LOG).forEach(channel -> channels.add(channel.name())));
        Channels declared = camelContext.getRegistry().findSingleByType(Channels.class);
        for (Outbox outbox : camelContext.getRegistry().findByType(Outbox.class)) {
            channels.addAll(UnservedChannels.warnAbout(camelContext, outbox, declared,
                    camelContext.resolvePropertyPlaceholders("{{delivery.orphan-grace}}").trim()));
            metrics.watchOutbox(outbox, channels);
        }
        HealthCheckRegistry health = HealthCheckRegistry.get(camelContext);
        if (health != null) {
            for (AbstractHealthCheck check : List.of(camelContext.getRegistry().findSingleByType(CastaiApiHealthCheck.class),
                    camelContext.getRegistry().findSingleByType(BacklogHealthCheck.class),
                    camelContext.getRegistry().findSingleByType(StoreHealthCheck.class))) {
                check.setCamelContext(camelContext);
                health.register(check);
            }
        }
    }
}
