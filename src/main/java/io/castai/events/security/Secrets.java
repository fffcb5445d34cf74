package io.castai.events.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.castai.events.channels.ConfigurationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A secret may be given as a file (Kubernetes and Docker secrets): {@code <NAME>_FILE} names a
 * file whose content, trimmed, wins over the setting itself. The content is never logged.
 */
public final class Secrets {
    private static final Logger LOG = LoggerFactory.getLogger(Secrets.class);
    /** Settings that may list several tokens, comma-separated (to rotate one: {@link SecretToken}). */
    private static final Set<String> TOKEN_LISTS = Set.of("WEBHOOK_TOKEN", "ADMIN_TOKEN");
    /** The settings that are secrets, as environment variables (channels.yaml's defaults among them). */
    private static final List<String> SECRET_VARIABLES = List.of("CASTAI_API_KEY", "WEBHOOK_TOKEN",
            "WEBHOOK_SIGNING_SECRET", "ADMIN_TOKEN", "CASTAI_STORE_URL", "CASTAI_STORE_PASSWORD",
            "SLACK_WEBHOOK_URL", "PAGERDUTY_ROUTING_KEY");

    private Secrets() {
    }

    /** The settings that are secrets, as environment variables: those a {@code _FILE} variable can give. */
    public static List<String> secretVariables() {
        return SECRET_VARIABLES;
    }

    public static String resolve(String envName, String configured) {
        return resolve(envName, configured, System.getenv());
    }

    /** A path is named; anything else may be the secret itself, pasted into NAME_FILE by mistake. */
    private static String describe(String file) {
        return file.startsWith("/") || file.startsWith("./") ? file : "the file it names (not a path starting with / or ./)";
    }

    /**
     * As {@link #resolve}, for a secret: from now on the log writes it {@code <secret>}
     * (LogRedaction); one too short for that is said at start-up.
     */
    public static String resolveSecret(String envName, String configured) {
        String value = resolve(envName, configured);
        if (value != null && !value.isBlank()) {
            if (TOKEN_LISTS.contains(envName) && SecretToken.tokensIn(value).isEmpty()) {
                // "$OLD,$NEW" with both unset: read as no token, the intake would be open
                throw new ConfigurationException(envName + " lists no token (only commas and blanks)");
            }
            register(envName, value);
            for (String secret : TOKEN_LISTS.contains(envName) ? SecretToken.tokensIn(value) : List.of(value.trim())) {
                if (secret.length() < SecretForms.MIN_LENGTH) {
                    LOG.warn("{} {}is shorter than {} characters: easy to guess, and too short for the log to mask it",
                            envName, secret.equals(value.trim()) ? "" : "holds a token that ", SecretForms.MIN_LENGTH);
                }
            }
        }
        return value;
    }

    /**
     * Registers the secrets set in the environment before anything reads them: whatever fails
     * from then on, a message that quotes one is masked in the log.
     */
    public static void registerEnvironment(Map<String, String> env) {
        for (String name : SECRET_VARIABLES) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                register(name, value);
            }
        }
    }

    /**
     * Stops start-up, naming the variable, when a secret set in the environment holds
     * <code>{{</code>: Camel reads it as a placeholder of another setting, which failed start-up
     * in one setting's words and quietly switched a channel off in another's (its URL read as empty).
     */
    public static void refuseCamelPlaceholders(Map<String, String> env) {
        for (String name : SECRET_VARIABLES) {
            String value = env.get(name);
            if (value != null && value.contains("{{")) {
                throw new ConfigurationException(name + " holds {{, which Camel reads as the start of a placeholder "
                        + "of another setting: give it in " + name + "_FILE, which is read as written");
            }
        }
    }

    /** A secret setting's value for the log to mask: each token of a list too. */
    private static void register(String envName, String value) {
        register(value);
        if (TOKEN_LISTS.contains(envName)) {
            SecretToken.tokensIn(value).forEach(Secrets::register);
        }
    }

    /**
     * A secret for the log to mask; a URL also by its parts ({@link SecretForms#partsOfUrl}: a
     * JDBC URL's database name or sslmode is no part, its user information and password are).
     */
    private static void register(String value) {
        String url = value.trim().startsWith("jdbc:") ? value.trim().substring("jdbc:".length()) : value.trim();
        LogRedaction.register(url.contains("://") ? SecretForms.partsOfUrl(url) : List.of(value));
    }

    static String resolve(String envName, String configured, Map<String, String> env) {
        String file = env.get(envName + "_FILE");
        if (file == null || file.isBlank()) {
            return configured;
        }
        String secret;
        try {
            secret = Files.readString(Path.of(file.trim())).trim();
        } catch (IOException | InvalidPathException e) {
            // a configuration mistake: start-up says it in one line (naming a path, never what may be the secret)
            throw new ConfigurationException(envName + "_FILE: cannot read " + describe(file.trim()) + " (" + e.getClass().getSimpleName() + ")");
        }
        if (secret.isEmpty()) {
            // an empty Kubernetes Secret key mounted as the file: read as no token, the intake was open
            throw new ConfigurationException(envName + "_FILE: " + describe(file.trim()) + " is empty");
        }
        return secret;
    }
}
