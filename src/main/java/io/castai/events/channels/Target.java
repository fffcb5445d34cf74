package io.castai.events.channels;

import java.util.List;

/**
 * Where one event goes: a channel, and for email channels the recipients the matching rule
 * names (empty = the channel's own {@code to}).
 */
public record Target(String channel, List<String> recipients) {
}
