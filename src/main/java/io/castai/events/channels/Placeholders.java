package io.castai.events.channels;

import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ${NAME}} and {@code ${NAME:-default}} in channels.yaml values: NAME is looked up as an
 * environment variable or a property (so secrets stay out of the file). An unset NAME without a
 * default is an error naming NAME, never a value.
 */
final class Placeholders {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_.-]+)(:-([^}]*))?}");

    private Placeholders() {
    }

    static String resolve(String text, Function<String, String> lookup, String where) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = lookup.apply(m.group(1));
            if (value == null) {
                if (m.group(2) == null) {
                    throw new ConfigurationException(where + ": ${" + m.group(1) + "} is not set");
                }
                value = m.group(3);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
