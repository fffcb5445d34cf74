package io.castai.events.channels;

/** channels.yaml is wrong: the message names the file, the key and what is wrong, never a secret value. */
public class ConfigurationException extends IllegalArgumentException {
    public ConfigurationException(String message) {
        super(message);
    }
}
