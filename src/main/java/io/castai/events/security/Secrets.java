package io.castai.events.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.castai.events.channels.ConfigurationException;

/**
 * A secret may be given as a file (Kubernetes and Docker secrets): {@code <NAME>_FILE} names a
 * file whose content, trimmed, wins over the setting itself. The content is never logged.
 */
public final class Secrets {
    private Secrets() {
    }

    public static String resolve(String envName, String configured) {
        return resolve(envName, configured, System.getenv());
    }

    /** As {@link #resolve}, for a secret: from now on the log writes it {@code <secret>} (LogRedaction). */
    public static String resolveSecret(String envName, String configured) {
        String value = resolve(envName, configured);
        if (value != null) {
            LogRedaction.register(List.of(value));
        }
        return value;
    }

    static String resolve(String envName, String configured, Map<String, String> env) {
        String file = env.get(envName + "_FILE");
        if (file == null || file.isBlank()) {
            return configured;
        }
        try {
            return Files.readString(Path.of(file.trim())).trim();
        } catch (IOException e) {
            // a configuration mistake: start-up says it in one line (the path is not the secret)
            throw new ConfigurationException(envName + "_FILE: cannot read " + file.trim() + " (" + e.getClass().getSimpleName() + ")");
        }
    }
}
