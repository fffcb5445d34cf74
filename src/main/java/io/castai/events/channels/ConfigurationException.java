package io.castai.events.channels;

import java.util.Locale;

/** The configuration is wrong: the message names the file or setting and what is wrong, never a secret value. */
public class ConfigurationException extends IllegalArgumentException {
    public ConfigurationException(String message) {
        super(message);
    }

    /** A mistake in one setting, named as users set it and as the file writes it: DEDUP_WINDOW (dedup.window): ... */
    public static ConfigurationException inSetting(String key, String problem) {
        return new ConfigurationException(environmentName(key) + " (" + key + "): " + problem);
    }

    /** The environment variable that sets a key: upper case, '.' and '-' as '_' (slack.webhook.url: SLACK_WEBHOOK_URL). */
    public static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
