package io.castai.events.security;

import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The log's last line of defence: every secret the service was given (channel URLs, keys and
 * headers, the CAST AI API key, the intake and admin tokens) is registered here at start-up, and
 * the log pattern's converters ({@code io.castai.events.ops.RedactedMessage}, {@code
 * RedactedStackTrace}) write it as {@code <secret>}, in any logger's message or stack trace.
 * The service's own lines leave secrets out in the first place; this catches what a library logs
 * by itself (an exception message quoting a request URL, say), in any of the forms a secret
 * takes ({@link SecretForms}).
 */
public final class LogRedaction {
    /** Every form of every secret registered, longest first; replaced wholesale on register. */
    private static volatile List<String> forms = List.of();

    private LogRedaction() {
    }

    /** Registers each value in all its forms ({@link SecretForms#of}); short or blank ones are skipped. */
    public static synchronized void register(Collection<String> values) {
        Set<String> all = new LinkedHashSet<>(forms);
        all.addAll(SecretForms.of(values));
        forms = all.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    /** The text with every form of every registered secret replaced by {@code <secret>}. */
    public static String redact(String text) {
        return SecretForms.without(text, forms);
    }
}
