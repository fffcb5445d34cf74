package io.castai.events.outbox;

/**
 * What routing made of an event for one channel: the channel's name, its type (as in
 * channels.yaml: slack, pagerduty...) and the message rendered for that type. {@code log}
 * channels write it to the log; every other channel's is recorded as a delivery, with the type it
 * was rendered for, and {@code leasedUntil} (epoch ms, 0 before it is recorded) is the lease its
 * recording took.
 */
public record ChannelMessage(String channel, String text, String type, long leasedUntil) {
    public static final String LOG = "log";

    public ChannelMessage(String channel, String text, String type) {
        this(channel, text, type, 0);
    }

    public boolean log() {
        return LOG.equals(type);
    }

    ChannelMessage leased(long until) {
        return new ChannelMessage(channel, text, type, until);
    }
}
