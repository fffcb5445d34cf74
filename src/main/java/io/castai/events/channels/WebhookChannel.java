package io.castai.events.channels;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.HexFormat;

import io.castai.events.security.Sha256;
import io.castai.events.security.WebhookSignature;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.hc.core5.http.ContentType;

/**
 * Generic HTTPS webhooks: the rendered template (by default the normalised event as JSON) with the
 * channel's headers, signed the Standard Webhooks way when the channel has a {@code whsec_} secret:
 * {@code webhook-id} (the same on every retry of one delivery), {@code webhook-timestamp} and
 * {@code webhook-signature}.
 */
public class WebhookChannel {
    private final Channels channels;
    private final Clock clock;
    /** Per signing channel, built once: a malformed secret stops start-up, not the first delivery. */
    private final Map<String, WebhookSignature> signers = new HashMap<>();
    /** Per webhook channel, the charset its contentType names: read once, not at every send. */
    private final Map<String, Charset> charsets = new HashMap<>();

    public WebhookChannel(Channels channels, Clock clock) {
        this.channels = channels;
        this.clock = clock;
        for (ChannelConfig channel : channels.all()) {
            if (channel.type() != ChannelType.WEBHOOK) {
                continue;
            }
            charsets.put(channel.name(), charsetOf(channel.text("contentType")));
            if (!channel.text("signingSecret").isEmpty()) {
                signers.put(channel.name(), signer(channel));
            }
        }
    }

    /** Sets the body, URL and headers of the request for the delivery in the exchange. */
    public void prepare(Exchange exchange) {
        String channel = exchange.getProperty("channel", String.class);
        String eventId = exchange.getProperty("eventId", String.class);
        ChannelConfig config = channels.get(channel);
        String contentType = config.text("contentType");
        // the bytes sent, made once, and the text let go: camel-http would copy a String body into
        // bytes of its own, held beside it for the whole call (a 1 MB event's message, 2 MB, twice)
        byte[] body = exchange.getProperty("message", String.class).getBytes(charsets.get(channel));
        exchange.removeProperty("message");
        Message message = exchange.getMessage();
        message.setBody(body);
        message.setHeader(Exchange.HTTP_URI, config.text("url"));
        message.setHeader(Exchange.CONTENT_TYPE, contentType);
        config.map("headers").forEach(message::setHeader);
        WebhookSignature signer = signers.get(channel);
        if (signer != null) {
            String id = messageId(eventId, channel);
            long timestamp = clock.instant().getEpochSecond();
            message.setHeader("webhook-id", id);
            message.setHeader("webhook-timestamp", String.valueOf(timestamp));
            message.setHeader("webhook-signature",
                    signer.sign(id, timestamp, body));
        }
    }

    /** The charset the content type names, UTF-8 if none: what camel-http encoded a String body in. */
    static Charset charsetOf(String contentType) {
        try {
            Charset named = contentType == null || contentType.isBlank() ? null : ContentType.parse(contentType).getCharset();
            return named == null ? StandardCharsets.UTF_8 : named;
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }

    private WebhookSignature signer(ChannelConfig config) {
        try {
            return new WebhookSignature(config.text("signingSecret"), Duration.ZERO, clock);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("channel " + config.name() + ": signingSecret must be whsec_ followed by base64");
        }
    }

    /** Stable per (event, channel), so a receiver can drop a retry it already handled. */
    static String messageId(String eventId, String channel) {
        return "msg_" + HexFormat.of().formatHex(Sha256.of(channel + "\n" + eventId), 0, 16);
    }
}
