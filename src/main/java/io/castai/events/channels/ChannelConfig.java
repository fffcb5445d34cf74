package io.castai.events.channels;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.castai.events.security.LogRedaction;

/**
 * One channel as configured: its name, type and parameter values (defaults applied, placeholders
 * resolved). {@code offReason} is set when an optional channel lacks a required value. The
 * values may hold secrets: {@link #toString()} shows only the names of secret parameters.
 */
public record ChannelConfig(String name, ChannelType type, Map<String, Object> values, String offReason) {

    public boolean isOn() {
        return offReason == null;
    }

    public String text(String parameter) {
        Object value = values.get(parameter);
        return value == null ? "" : String.valueOf(value);
    }

    public int integer(String parameter) {
        return ((Number) values.get(parameter)).intValue();
    }

    @SuppressWarnings("unchecked")
    public List<String> list(String parameter) {
        Object value = values.get(parameter);
        return value == null ? List.of() : (List<String>) value;
    }

    @SuppressWarnings("unchecked")
    public Map<String, String> map(String parameter) {
        Object value = values.get(parameter);
        return value == null ? Map.of() : (Map<String, String>) value;
    }

    /** The template file under templates.dir. */
    public String template() {
        String template = text("template");
        return template.isEmpty() ? type.defaultTemplate() : template;
    }

    /**
     * The text with this channel's secret values replaced by {@code <secret>}: an endpoint's error
     * answer may quote its request's URL (a webhook URL holds a token) or headers, and such text is
     * logged and kept with the dead letter. A secret is looked for as it is and JSON-escaped
     * ({@code \/}); a URL also by its path and query alone and by its last path segment (Slack's
     * token), and every value of the channel's {@code headers} counts as a secret. Values under 8
     * characters are left alone: replacing them would garble ordinary words.
     */
    public String withoutSecrets(String text) {
        if (text == null) {
            return null;
        }
        String cleaned = text;
        for (String secret : secretValues()) {
            cleaned = cleaned.replace(secret, "<secret>").replace(secret.replace("/", "\\/"), "<secret>");
        }
        return cleaned;
    }

    /** The secret values to look for, longest first, so that a whole URL goes before its parts. */
    public List<String> secretValues() {
        List<String> secrets = new ArrayList<>();
        for (Parameter parameter : type.parameters()) {
            if (parameter.kind() == Parameter.Kind.MAP && parameter.name().equals("headers")) {
                secrets.addAll(map(parameter.name()).values());
            } else if (parameter.secret()) {
                String value = text(parameter.name());
                secrets.add(value);
                if (parameter.kind() == Parameter.Kind.URL) {
                    secrets.addAll(partsOf(value));
                }
            }
        }
        return secrets.stream().filter(secret -> secret != null && secret.length() >= LogRedaction.MIN_LENGTH).distinct()
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    /** A URL's path and query, and its last path segment. */
    private static List<String> partsOf(String url) {
        try {
            URI uri = URI.create(url);
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            String pathAndQuery = path + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            return List.of(pathAndQuery, path.substring(path.lastIndexOf('/') + 1));
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    @Override
    public String toString() {
        return "channel " + name + " (" + type.id() + ") " + values.entrySet().stream()
                .map(e -> e.getKey() + "=" + (type.parameter(e.getKey()).map(Parameter::secret).orElse(false)
                        ? "<secret>" : e.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
    }
}
