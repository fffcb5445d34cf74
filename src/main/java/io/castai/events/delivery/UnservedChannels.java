package io.castai.events.delivery;

import java.util.Map;
import java.util.Set;

import io.castai.events.channels.Channels;
import io.castai.events.outbox.Outbox;
import io.castai.events.outbox.OutboxException;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start-up: deliveries the store holds for channels no route serves any more (renamed or
 * removed in channels.yaml, or switched off), said once per channel with what to do. Pending,
 * they become dead letters after DELIVERY_ORPHAN_GRACE; replayed as they are, dead again.
 */
public final class UnservedChannels {
    private static final Logger LOG = LoggerFactory.getLogger(UnservedChannels.class);

    private UnservedChannels() {
    }

    /** Says so for each such channel; returns every channel the store holds deliveries for. */
    public static Set<String> warnAbout(CamelContext context, Outbox outbox, Channels channels, String orphanGrace) {
        Map<String, Map<String, Long>> byChannel;
        try {
            byChannel = outbox.deliveriesByChannel();
        } catch (OutboxException e) {
            LOG.warn("Could not check the store for deliveries to channels that are gone: {}", OutboxException.describe(e));
            return Set.of();
        }
        byChannel.forEach((channel, byStatus) -> {
            long pending = byStatus.getOrDefault("pending", 0L);
            long dead = byStatus.getOrDefault("dead", 0L);
            if (pending + dead > 0 && context.getRoute(ChannelQueues.CHANNEL_ROUTE + channel) == null) {
                // a replay moves dead letters only: the pending must first become dead, or the
                // suggested replay, run at once, moved none of them and said nothing about them
                LOG.warn("Channel {} {}, yet the store holds {} pending and {} dead deliveries for it{}. Name the channel "
                        + "again, or send its dead letters to another channel of the same type (POST /admin/dead-letters/replay"
                        + "?channel={}&to=<channel>), or discard them (POST /admin/dead-letters/discard?channel={})",
                        channel, channels.whyUnserved(channel), pending, dead,
                        pending == 0 ? "" : ": the pending become dead letters once they have been due for DELIVERY_ORPHAN_GRACE ("
                                + orphanGrace + "), unless another replica serves it", channel, channel);
            }
        });
        return byChannel.keySet();
    }
}
