package io.castai.events.outbox;

/**
 * What routing made of an event for one channel: the channel's name and its rendered message.
 * {@code log} channels write it to the log; every other channel's is recorded as a delivery.
 */
public record ChannelMessage(String channel, String text, boolean log) {
}
