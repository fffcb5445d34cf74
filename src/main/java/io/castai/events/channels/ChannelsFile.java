package io.castai.events.channels;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

import io.castai.events.outbound.PlainHttp;
import io.castai.events.intake.NotificationEvent;
import io.castai.events.intake.Severity;
import io.castai.events.security.LogRedaction;
import io.castai.events.security.SecretForms;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and validates channels.yaml (format: README, "Channels and rules"). Every mistake stops
 * start-up with one message naming the file and the key: an unknown key, channel type or channel,
 * a missing required parameter, a duplicate name, an unset ${VARIABLE}.
 */
public final class ChannelsFile {
    private static final Set<String> TOP_KEYS = Set.of("channels", "rules", "default");
    private static final List<String> RULE_KEYS =
            List.of("name", "eventTypes", "minSeverity", "clusters", "channels", "recipients", "continue");
    private static final Pattern CHANNEL_NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
    /** Always there, whatever the file says: every rule may send to the log. */
    public static final String LOG = "log";
    private static final Logger WARNINGS = LoggerFactory.getLogger(ChannelsFile.class);

    private final String file;
    private final Function<String, String> lookup;

    private ChannelsFile(String file, Function<String, String> lookup) {
        this.file = file;
        this.lookup = lookup;
    }

    /** Loads the file; {@code lookup} resolves ${NAME} placeholders (null = not set). */
    public static Channels load(Path path, Function<String, String> lookup) {
        String name = path.toString();
        if (name.isBlank()) {
            throw ConfigurationException.inSetting("channels.file", "is empty: set it to the channels and rules file");
        }
        String text;
        try {
            text = Files.readString(path);
        } catch (IOException e) {
            // quoted: a trailing space pasted into the setting shows
            throw ConfigurationException.inSetting("channels.file", "'" + name + "' cannot be read (" + e.getClass().getSimpleName()
                    + "): set it to the channels and rules file");
        }
        return parse(name, text, lookup);
    }

    public static Channels parse(String name, String yaml, Function<String, String> lookup) {
        return new ChannelsFile(name, lookup).read(yaml);
    }

    private Channels read(String yaml) {
        Object document;
        try {
            document = new Load(LoadSettings.builder().setAllowDuplicateKeys(false).build()).loadFromString(yaml);
        } catch (MarkedYamlEngineException e) {
            // the problem and where, not snakeyaml's excerpt of the file: it may hold a secret written inline
            String at = e.getProblemMark().map(m -> " at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1))
                    .orElse("");
            throw error("is not valid YAML: " + String.valueOf(e.getProblem()).replaceAll("\\s+", " ").trim() + at);
        } catch (YamlEngineException e) {
            throw error("is not valid YAML");
        }
        Map<String, Object> top = map(document, null);
        for (String key : top.keySet()) {
            if (!TOP_KEYS.contains(key)) {
                throw error("unknown key \"" + key + "\" (allowed: channels, rules, default)");
            }
        }
        Map<String, ChannelConfig> channels = new LinkedHashMap<>();
        channels.put(LOG, new ChannelConfig(LOG, ChannelType.LOG, Map.of(), null));
        List<Object> declared = list(top.getOrDefault("channels", List.of()), "channels");
        for (int i = 0; i < declared.size(); i++) {
            ChannelConfig channel = channel(map(declared.get(i), "channels[" + i + "]"), "channels[" + i + "]");
            if (channels.containsKey(channel.name())) {
                throw error("channels[" + i + "].name: duplicate channel name \"" + channel.name() + "\""
                        + (LOG.equals(channel.name()) ? " (log is built in)" : ""));
            }
            channels.put(channel.name(), channel);
            LogRedaction.register(channel.secretValues());
            for (String parameter : channel.secretsTooShortToMask()) {
                WARNINGS.warn("{}: channel {}'s {} is shorter than {} characters: easy to guess, and too short for the log to mask it",
                        file, channel.name(), parameter, SecretForms.MIN_LENGTH);
            }
        }
        List<RoutingRule> rules = new ArrayList<>();
        List<Object> declaredRules = list(top.getOrDefault("rules", List.of()), "rules");
        for (int i = 0; i < declaredRules.size(); i++) {
            RoutingRule rule = rule(map(declaredRules.get(i), "rules[" + i + "]"), "rules[" + i + "]", channels);
            // the dry-run and the log name the rules an event matched: two of one name, or one named
            // as the default, could not be told apart
            if ("default".equals(rule.name())) {
                throw error("rules[" + i + "].name: \"default\" is the default rule's name");
            }
            if (rules.stream().anyMatch(earlier -> earlier.name().equals(rule.name()))) {
                throw error("rules[" + i + "].name: duplicate rule name \"" + rule.name() + "\"");
            }
            rules.add(rule);
        }
        if (!top.containsKey("default")) {
            throw error("default: missing; a default rule is required (e.g. default: [log])");
        }
        List<String> defaults = channelNames(top.get("default"), "default", channels);
        return new Channels(channels, rules, defaults);
    }

    private ChannelConfig channel(Map<String, Object> raw, String where) {
        String name = scalar(raw.get("name"), where + ".name");
        if (name.isEmpty()) {
            throw error(where + ": missing required parameter \"name\"");
        }
        if (!CHANNEL_NAME.matcher(name).matches()) {
            throw error(where + ".name: \"" + name + "\" must be lower-case letters, digits and dashes");
        }
        String label = where + " (" + name + ")";
        String typeId = scalar(raw.get("type"), label + ".type");
        ChannelType type = ChannelType.of(typeId).orElseThrow(() -> error(label + ".type: "
                + (typeId.isEmpty() ? "missing" : "unknown channel type \"" + typeId + "\"")
                + " (known: " + ChannelType.ids() + ")"));
        for (String key : raw.keySet()) {
            if (type.parameter(key).isEmpty()) {
                throw error(label + ": unknown key \"" + key + "\" (" + type.id() + " channels take: "
                        + String.join(", ", type.parameters().stream().map(Parameter::name).toList()) + ")");
            }
        }
        boolean optional = Boolean.parseBoolean(scalar(raw.getOrDefault("optional", "false"), label + ".optional"));
        Map<String, Object> values = new LinkedHashMap<>();
        String offReason = null;
        for (Parameter parameter : type.parameters()) {
            if (parameter.name().equals("name") || parameter.name().equals("type")) {
                continue;
            }
            Object written = raw.get(parameter.name());
            Object value = value(parameter, written, label + "." + parameter.name());
            if (isEmpty(value)) {
                if (parameter.required()) {
                    if (!optional) {
                        // set but empty: the variable is named, as an unset one is
                        throw error(written instanceof String text && text.contains("${")
                                ? label + "." + parameter.name() + ": " + text.trim() + " is empty, and \"" + parameter.name()
                                + "\" is required"
                                : label + ": missing required parameter \"" + parameter.name() + "\"");
                    }
                    offReason = parameter.name() + " is empty";
                }
                value = parameter.defaultValue();
            }
            if (value != null) {
                values.put(parameter.name(), value);
            }
        }
        ChannelConfig channel = new ChannelConfig(name, type, values, offReason);
        if (channel.isOn()) {
            checkWhatDeliveryNeeds(channel, label);
        }
        return channel;
    }

    /** What would only fail at delivery time, every delivery (a dead letter each, or retries until given up). */
    private void checkWhatDeliveryNeeds(ChannelConfig channel, String label) {
        for (Parameter parameter : channel.type().parameters()) {
            if (parameter.kind() == Parameter.Kind.URL && PlainHttp.offThisMachine(channel.text(parameter.name()))) {
                // allowed (a receiver inside the cluster), but not without a word: the channel's type says HTTPS
                WARNINGS.warn("{}: {}.{} is plain http: its messages, and any token in its URL or headers, cross "
                        + "the network unencrypted; use https", file, label, parameter.name());
            }
        }
        if (channel.type() == ChannelType.PAGERDUTY) {
            if (channel.text("routingKey").length() != 32) {
                // its length only: the key is a secret
                throw error(label + ".routingKey: must be the 32-character Events API v2 integration key");
            }
            warnOfNearMisses(channel.list("resolveOn"), label + ".resolveOn");
            if (!channel.list("resolveOn").isEmpty() && !"node".equals(channel.text("dedupBy"))) {
                throw error(label + ".resolveOn: needs dedupBy: node (a resolve carries the incident's key, "
                        + "which with dedupBy: event is the resolving event's own)");
            }
        } else if (channel.type() == ChannelType.WEBHOOK) {
            if (channel.map("headers").keySet().stream().anyMatch("Content-Type"::equalsIgnoreCase)) {
                // two places for one value, the header silently winning
                throw error(label + ".headers: Content-Type is the channel's contentType parameter, not a header");
            }
        } else if (channel.type() == ChannelType.EMAIL) {
            int port = channel.integer("port");
            if (port < 1 || port > 65535) {
                throw error(label + ".port: must be from 1 to 65535");
            }
            emailAddress(channel.text("from"), label + ".from");
            channel.list("to").forEach(address -> emailAddress(address, label + ".to"));
        }
    }

    private void emailAddress(String address, String where) {
        try {
            new InternetAddress(address, true);
        } catch (AddressException e) {
            throw error(where + ": \"" + address + "\" is not an email address");
        }
    }

    private Object value(Parameter parameter, Object raw, String where) {
        if (raw == null) {
            return null;
        }
        return switch (parameter.kind()) {
            case TEXT -> scalar(raw, where);
            case URL -> url(scalar(raw, where), where);
            case LIST -> stringList(raw, where);
            case MAP -> stringMap(raw, where);
            case BOOLEAN -> bool(scalar(raw, where), where);
            case INTEGER -> integer(scalar(raw, where), where);
            case CHOICE -> choice(scalar(raw, where), parameter.allowed(), where);
        };
    }

    private RoutingRule rule(Map<String, Object> raw, String where, Map<String, ChannelConfig> channels) {
        for (String key : raw.keySet()) {
            if (!RULE_KEYS.contains(key)) {
                throw error(where + ": unknown key \"" + key + "\" (allowed: " + String.join(", ", RULE_KEYS) + ")");
            }
        }
        String name = scalar(raw.getOrDefault("name", ""), where + ".name");
        List<String> typesWritten = stringList(raw.getOrDefault("eventTypes", List.of()), where + ".eventTypes");
        warnOfNearMisses(typesWritten, where + ".eventTypes");
        List<Pattern> types = typesWritten.stream().map(RoutingRule::glob).toList();
        Severity minSeverity = null;
        if (raw.get("minSeverity") != null) {
            String severity = scalar(raw.get("minSeverity"), where + ".minSeverity");
            minSeverity = Severity.parse(severity);
            if (minSeverity == null) {
                throw error(where + ".minSeverity: \"" + severity + "\" is not one of "
                        + String.join(", ", Arrays.stream(Severity.values()).map(Enum::name).toList()));
            }
        }
        List<String> clusters = stringList(raw.getOrDefault("clusters", List.of()), where + ".clusters");
        // a condition written but empty (a variable set to nothing) would match every event
        for (String condition : List.of("eventTypes", "clusters")) {
            if (raw.containsKey(condition) && stringList(raw.get(condition), where + "." + condition).isEmpty()) {
                throw error(where + "." + condition + ": is empty; remove the key to match every event");
            }
        }
        if (!raw.containsKey("channels")) {
            throw error(where + ": missing required key \"channels\"");
        }
        List<String> targets = channelNames(raw.get("channels"), where + ".channels", channels);
        List<String> recipients = stringList(raw.getOrDefault("recipients", List.of()), where + ".recipients");
        if (!recipients.isEmpty() && targets.stream().noneMatch(c -> channels.get(c).type() == ChannelType.EMAIL)) {
            throw error(where + ".recipients: only email channels take recipients, and this rule sends to none");
        }
        recipients.forEach(address -> emailAddress(address, where + ".recipients"));
        boolean continueMatching = bool(scalar(raw.getOrDefault("continue", "false"), where + ".continue"),
                where + ".continue");
        return new RoutingRule(name.isEmpty() ? where : name, types, minSeverity, clusters, targets, recipients,
                continueMatching);
    }

    /**
     * A type one or two letters off one this service gives (node.addded) matches nothing, and the
     * rule stays silent for ever: warned of. Any other type is taken as written: other tools post
     * their own.
     */
    private void warnOfNearMisses(List<String> typesWritten, String where) {
        for (String type : typesWritten) {
            // a glob's * may stand for nothing: past 128 characters without them, it matches no type either
            if (!TYPE_OR_GLOB.matcher(type).matches() || type.replace("*", "").length() > NotificationEvent.MAX_TYPE) {
                // "node added", or an audit type written with the space CAST AI's may hold (made _)
                WARNINGS.warn("{}: {}: \"{}\" matches no event: an event type holds only letters, digits, '.', '_', "
                        + "':' and '-', at most 128 of them (a polled type's other characters are written _)", file, where, type);
                continue;
            }
            if (type.contains("*") || KNOWN_TYPES.contains(type)) {
                continue;
            }
            KNOWN_TYPES.stream().filter(known -> EditDistance.between(type, known, 3) <= 2).findFirst().ifPresent(meant ->
                    WARNINGS.warn("{}: {}: \"{}\" is not an event type this service gives, so it matches only events "
                            + "sent with it: did you mean \"{}\"?", file, where, type, meant));
        }
    }

    /** What an event type may hold (NotificationEvent.typeNamed, EventParser), and a glob's {@code *}. */
    private static final Pattern TYPE_OR_GLOB = Pattern.compile("[*" + NotificationEvent.TYPE_CHARACTERS + "]+");

    /** The types this service's own sources give (k8s.* and audit.* are many: not listed). */
    private static final List<String> KNOWN_TYPES = List.of("node.added", "node.removed", "node.spot_interrupted",
            "savings.threshold", "savings.daily", NotificationEvent.NOTIFICATION_TYPE);

    private List<String> channelNames(Object raw, String where, Map<String, ChannelConfig> channels) {
        List<String> names = stringList(raw, where);
        if (names.isEmpty()) {
            throw error(where + ": at least one channel is required");
        }
        for (String name : names) {
            if (!channels.containsKey(name)) {
                throw error(where + ": unknown channel \"" + name + "\" (declared: "
                        + String.join(", ", channels.keySet()) + ")");
            }
        }
        return names;
    }

    private String scalar(Object raw, String where) {
        if (raw == null) {
            return "";
        }
        if (raw instanceof Map || raw instanceof List) {
            throw error(where + ": must be a single value");
        }
        return Placeholders.resolve(String.valueOf(raw), lookup, file + ": " + where).trim();
    }

    /** A YAML list, or one comma-separated text (what an environment variable can hold). */
    private List<String> stringList(Object raw, String where) {
        if (raw == null) {
            return List.of();
        }
        List<String> values = new ArrayList<>();
        if (raw instanceof List<?> items) {
            for (int i = 0; i < items.size(); i++) {
                values.addAll(CommaList.split(scalar(items.get(i), where + "[" + i + "]")));
            }
        } else if (raw instanceof Map<?, ?>) {
            throw error(where + ": must be a list ([a, b]) or one comma-separated value, not a mapping");
        } else {
            values.addAll(CommaList.split(scalar(raw, where)));
        }
        return List.copyOf(values);
    }

    private Map<String, String> stringMap(Object raw, String where) {
        Map<String, String> values = new LinkedHashMap<>();
        map(raw, where).forEach((key, value) -> values.put(key, scalar(value, where + "." + key)));
        return values;
    }

    private String url(String value, String where) {
        if (value.isEmpty()) {
            return value;
        }
        if (value.matches("([\"'].*|.*[\"'])")) {
            // quotes kept from a shell or a Secret written by hand: "not a URL" would not say so
            throw error(where + ": has quotes around it: write the URL without them");
        }
        try {
            URI uri = new URI(value);
            if (uri.getRawFragment() != null) {
                // the HTTP client would send it on as part of the path (%23...)
                throw error(where + ": must not have a #fragment");
            }
            if (uri.getRawUserInfo() != null) {
                // Apache HttpClient 5 refuses such a URL on every send: no delivery would ever be made
                throw error(where + ": must not carry user:password@ (the HTTP client refuses it): "
                        + "send credentials as a header (a webhook's headers: {Authorization: ...})");
            }
            if (uri.getHost() != null && ("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()))) {
                return value;
            }
        } catch (URISyntaxException e) {
            // the value may hold a token: say what is wrong, not what it is
        }
        throw error(where + ": must be an http(s) URL with a host");
    }

    private boolean bool(String value, String where) {
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw error(where + ": must be true or false");
    }

    private Object integer(String value, String where) {
        if (value.isEmpty()) {
            return null;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw error(where + ": must be a whole number");
        }
    }

    private String choice(String value, List<String> allowed, String where) {
        if (value.isEmpty() || allowed.contains(value)) {
            return value;
        }
        throw error(where + ": \"" + value + "\" is not one of " + String.join(", ", allowed));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> map(Object raw, String where) {
        if (raw == null && where == null) {
            return Map.of();
        }
        if (!(raw instanceof Map)) {
            throw error((where == null ? "" : where + ": ") + "must be a mapping of keys to values");
        }
        Map<String, Object> result = new LinkedHashMap<>();
        ((Map<Object, Object>) raw).forEach((k, v) -> result.put(String.valueOf(k), v));
        return result;
    }

    private List<Object> list(Object raw, String where) {
        if (!(raw instanceof List<?> items)) {
            throw error(where + ": must be a list");
        }
        return new ArrayList<>(items);
    }

    private static boolean isEmpty(Object value) {
        return value == null || (value instanceof String s && s.isEmpty())
                || (value instanceof List<?> l && l.isEmpty());
    }

    private ConfigurationException error(String problem) {
        return new ConfigurationException(file + ": " + problem);
    }
}
