package io.castai.events.delivery;

import java.net.URI;
import java.net.URISyntaxException;

/** Checks a configured endpoint URL without ever echoing it: it may carry a token in its path. */
final class WebhookUrl {
    private WebhookUrl() {
    }

    /** The URL when set and valid; null when blank (channel off). Fails start-up naming only the setting. */
    static String validate(String setting, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String url = value.trim();
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme();
            if (uri.getHost() == null || !("https".equalsIgnoreCase(scheme) || "http".equalsIgnoreCase(scheme))) {
                throw new IllegalArgumentException(setting + " must be an http(s) URL with a host");
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(setting + " is not a valid URL");
        }
        return url;
    }
}
