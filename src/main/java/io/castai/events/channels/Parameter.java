package io.castai.events.channels;

import java.util.List;

/**
 * One declared parameter of a channel type, as a Kamelet declares its properties: a name, whether
 * it must be given, its default, whether it is a secret (never logged, never echoed), and for
 * choice parameters the values allowed.
 */
public record Parameter(String name, Kind kind, boolean required, Object defaultValue, boolean secret,
                        List<String> allowed, String description) {

    /** How a value is written in channels.yaml. */
    public enum Kind { TEXT, URL, LIST, MAP, BOOLEAN, INTEGER, CHOICE }

    static Parameter required(String name, Kind kind, String description) {
        return new Parameter(name, kind, true, null, false, List.of(), description);
    }

    static Parameter secret(String name, Kind kind, boolean required, String description) {
        return new Parameter(name, kind, required, null, true, List.of(), description);
    }

    static Parameter optional(String name, Kind kind, Object defaultValue, String description) {
        return new Parameter(name, kind, false, defaultValue, false, List.of(), description);
    }

    static Parameter choice(String name, String defaultValue, List<String> allowed, String description) {
        return new Parameter(name, Kind.CHOICE, false, defaultValue, false, allowed, description);
    }
}
