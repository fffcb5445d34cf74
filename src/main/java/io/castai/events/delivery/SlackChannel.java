package io.castai.events.delivery;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slack through an incoming-webhook URL. Posted with camel-http rather than camel-slack because
 * camel-slack turns every non-2xx answer into a bare exception, losing the status code and
 * Retry-After that our retry policy needs (Slack answers 429 with Retry-After when rate limited).
 */
public class SlackChannel {
    /** Slack cuts text past 40,000 characters; we cut first and say so. */
    static final int MAX_TEXT = 40_000;
    private static final Logger LOG = LoggerFactory.getLogger(SlackChannel.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String webhookUrl;

    public SlackChannel(String webhookUrl) {
        this.webhookUrl = WebhookUrl.validate("SLACK_WEBHOOK_URL", webhookUrl);
    }

    /** Says once, at start-up, whether the channel is on. */
    public void logStatus() {
        if (isEnabled()) {
            LOG.info("Slack channel is on");
        } else {
            LOG.info("Slack channel is off: SLACK_WEBHOOK_URL is not set");
        }
    }

    public boolean isEnabled() {
        return webhookUrl != null;
    }

    /** The webhook URL, for the CamelHttpUri header only: never log it. */
    public String url() {
        return webhookUrl;
    }

    /** The incoming-webhook JSON body for a plain-text message. */
    public String payload(String text) throws JsonProcessingException {
        String safe = text == null ? "" : text;
        if (safe.length() > MAX_TEXT) {
            safe = safe.substring(0, MAX_TEXT - 20) + "… (truncated)";
        }
        return JSON.writeValueAsString(Map.of("text", safe));
    }
}
