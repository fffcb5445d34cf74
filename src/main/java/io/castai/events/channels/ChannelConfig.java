package io.castai.events.channels;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

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
     * answer may quote its request's URL (a webhook URL holds a token), and such text is logged and
     * kept with the dead letter. A URL is also looked for by its path and query alone. Values under
     * 8 characters are left alone: replacing them would garble ordinary words.
     */
    public String withoutSecrets(String text) {
        if (text == null) {
            return null;
        }
        String cleaned = text;
        for (Parameter parameter : type.parameters()) {
            String value = parameter.secret() ? text(parameter.name()) : "";
            if (value.length() >= 8) {
                cleaned = cleaned.replace(value, "<secret>");
                String pathAndQuery = parameter.kind() == Parameter.Kind.URL ? pathAndQuery(value) : "";
                if (pathAndQuery.length() >= 8) {
                    cleaned = cleaned.replace(pathAndQuery, "<secret>");
                }
            }
        }
        return cleaned;
    }

    private static String pathAndQuery(String url) {
        try {
            URI uri = URI.create(url);
            return (uri.getRawPath() == null ? "" : uri.getRawPath()) + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        } catch (IllegalArgumentException e) {
            return "";
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
