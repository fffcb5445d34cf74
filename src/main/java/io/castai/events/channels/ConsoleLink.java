package io.castai.events.channels;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import io.castai.events.intake.NotificationEvent;

/** The CAST AI console page of an event's cluster, for message links (CASTAI_CONSOLE_URL). */
public final class ConsoleLink {
    private final String base;

    public ConsoleLink(String base) {
        this.base = base == null ? "" : base.trim().replaceAll("/+$", "");
    }

    /** The cluster's console URL, or null when the event names no cluster id or no console is set. */
    public String forCluster(NotificationEvent event) {
        if (event.getClusterId() == null || event.getClusterId().isBlank() || base.isEmpty()) {
            return null;
        }
        // encoded as a path segment: the id comes from the sender, and a '|' or '>' in it would end a Slack link
        return base + "/external-clusters/" + URLEncoder.encode(event.getClusterId(), StandardCharsets.UTF_8).replace("+", "%20");
    }
}
