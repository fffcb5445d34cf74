package io.castai.events.channels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.castai.events.channels.Parameter.Kind;

/**
 * The channel types and the parameters each declares. A channel in channels.yaml is a name, a type
 * and values for these parameters; the route that sends it is the type's route template
 * (routes/channel-&lt;type&gt;.camel.yaml), created once per channel.
 */
public enum ChannelType {
    SLACK(List.of(
            Parameter.secret("webhookUrl", Kind.URL, true, "Slack incoming-webhook URL (it holds a token)"))),
    PAGERDUTY(List.of(
            Parameter.secret("routingKey", Kind.TEXT, true, "Events API v2 integration (routing) key"),
            Parameter.optional("eventsUrl", Kind.URL, "https://events.pagerduty.com/v2/enqueue",
                    "Events API v2 endpoint"),
            Parameter.choice("dedupBy", "event", List.of("event", "node"),
                    "incident key: one incident per event, or per cluster and node (so another event can resolve it)"),
            Parameter.optional("resolveOn", Kind.LIST, List.of(),
                    "event types (globs) that resolve the incident with the same key instead of opening one"))),
    WEBHOOK(List.of(
            Parameter.secret("url", Kind.URL, true, "the HTTPS endpoint (may hold a token)"),
            Parameter.optional("headers", Kind.MAP, java.util.Map.of(), "extra request headers"),
            Parameter.secret("signingSecret", Kind.TEXT, false,
                    "whsec_ secret: sign each request the Standard Webhooks way"),
            Parameter.optional("contentType", Kind.TEXT, "application/json", "Content-Type of the body"))),
    EMAIL(List.of(
            Parameter.required("host", Kind.TEXT, "SMTP server"),
            Parameter.optional("port", Kind.INTEGER, 587, "SMTP port"),
            Parameter.choice("tls", "starttls", List.of("starttls", "smtps", "none"),
                    "starttls (required), smtps (TLS from the first byte) or none"),
            Parameter.optional("username", Kind.TEXT, "", "SMTP user; empty = no authentication"),
            Parameter.secret("password", Kind.TEXT, false, "SMTP password"),
            Parameter.required("from", Kind.TEXT, "sender address"),
            Parameter.required("to", Kind.LIST, "recipient addresses (a rule's recipients replace them)"))),
    LOG(List.of());

    /** Parameters every channel has, whatever its type. */
    private static List<Parameter> common() {
        return List.of(
            Parameter.required("name", Kind.TEXT, "unique channel name, used in rules"),
            Parameter.required("type", Kind.CHOICE, "slack, pagerduty, webhook, email or log"),
            Parameter.optional("optional", Kind.BOOLEAN, false,
                    "when a required parameter is empty the channel is off instead of stopping start-up"),
            Parameter.optional("template", Kind.TEXT, null, "message template under templates.dir"));
    }

    private final List<Parameter> parameters;

    ChannelType(List<Parameter> parameters) {
        List<Parameter> all = new ArrayList<>(common());
        all.addAll(parameters);
        this.parameters = List.copyOf(all);
    }

    /** The name written in channels.yaml and in route template ids: slack, pagerduty, ... */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The template a channel of this type uses unless it names another. */
    public String defaultTemplate() {
        return id() + ".ftl";
    }

    public List<Parameter> parameters() {
        return parameters;
    }

    public Optional<Parameter> parameter(String name) {
        return parameters.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public static Optional<ChannelType> of(String id) {
        return Arrays.stream(values()).filter(t -> t.id().equals(id)).findFirst();
    }

    public static String ids() {
        return String.join(", ", Arrays.stream(values()).map(ChannelType::id).toList());
    }
}
