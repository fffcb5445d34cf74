package io.castai.events.security;

import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The log's last line of defence: every secret the service was given (channel URLs, keys and
 * headers, the CAST AI API key, the intake and admin tokens) is registered here at start-up, and
 * the log pattern's converters ({@code io.castai.events.ops.RedactedMessage}, {@code
 * RedactedStackTrace}) write it as {@code <secret>}, in any logger's message or stack trace.
 * The service's own lines leave secrets out in the first place; this catches what a library logs
 * by itself (an exception message quoting a request URL, say). Values under 8 characters are not
 * registered: replacing them would garble ordinary words.
 */
public final class LogRedaction {
    public static final int MIN_LENGTH = 8;
    private static final String MASK = "<secret>";

    /** Longest first, so that a whole URL goes before its parts; replaced wholesale on register. */
    private static volatile String[] secrets = new String[0];

    private LogRedaction() {
    }

    /** Registers each value (trimmed) and its JSON-escaped form ({@code \/}); short or blank ones are skipped. */
    public static synchronized void register(Collection<String> values) {
        Set<String> all = new LinkedHashSet<>(Arrays.asList(secrets));
        for (String value : values) {
            String secret = value == null ? "" : value.trim();
            if (secret.length() >= MIN_LENGTH) {
                all.add(secret);
                all.add(secret.replace("/", "\\/"));
            }
        }
        secrets = all.stream().sorted(Comparator.comparingInt(String::length).reversed()).toArray(String[]::new);
    }

    /** The text with every registered secret replaced by {@code <secret>}. */
    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String redacted = text;
        for (String secret : secrets) {
            if (redacted.contains(secret)) {
                redacted = redacted.replace(secret, MASK);
            }
        }
        return redacted;
    }
}
