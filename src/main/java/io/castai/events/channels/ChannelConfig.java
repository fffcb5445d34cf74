package io.castai.events.channels;

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

    @Override
    public String toString() {
        return "channel " + name + " (" + type.id() + ") " + values.entrySet().stream()
                .map(e -> e.getKey() + "=" + (type.parameter(e.getKey()).map(Parameter::secret).orElse(false)
                        ? "<secret>" : e.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
    }
}
