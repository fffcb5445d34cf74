package io.castai.events.outbox;

/**
 * What routing made of an event for one channel: the channel's name and its rendered message.
 * {@code log} channels write it to the log; every other channel's is recorded as a delivery,
 * and {@code leasedUntil} (epoch ms, 0 before it is recorded) is the lease its recording took.
 */
public record ChannelMessage(String channel, String text, boolean log, long leasedUntil) {
    public ChannelMessage(String channel, String text, boolean log) {
        this(channel, text, log, 0);
    }

    ChannelMessage leased(long until) {
        return new ChannelMessage(channel, text, log, until);
    }
}
