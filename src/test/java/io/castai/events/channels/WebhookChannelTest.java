package io.castai.events.channels;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookChannelTest {
    private static final String KEY = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));

    @Test
    void theBodyIsTheMessageInTheContentTypesCharsetAndTheSignatureIsOverThoseBytes() throws Exception {
        Exchange exchange = prepared("text/plain; charset=ISO-8859-1", "Knoten entfernt: café");

        byte[] body = exchange.getMessage().getBody(byte[].class);
        assertThat(body).isEqualTo("Knoten entfernt: café".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(exchange.getMessage().getHeader(Exchange.CONTENT_TYPE)).isEqualTo("text/plain; charset=ISO-8859-1");
        // the Standard Webhooks signature, computed here from the spec over the bytes sent
        String id = exchange.getMessage().getHeader("webhook-id", String.class);
        String timestamp = exchange.getMessage().getHeader("webhook-timestamp", String.class);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(KEY), "HmacSHA256"));
        mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
        String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        assertThat(exchange.getMessage().getHeader("webhook-signature", String.class).split(" ")).contains(expected);
        // the text is let go once it is bytes: a large event's message is not held twice for the call
        assertThat(exchange.getProperty("message")).isNull();
    }

    @Test
    void withoutACharsetTheBodyIsUtf8() throws Exception {
        Exchange exchange = prepared("application/json", "{\"nodeName\":\"nœud-1\"}");

        assertThat(exchange.getMessage().getBody(byte[].class)).isEqualTo("{\"nodeName\":\"nœud-1\"}".getBytes(StandardCharsets.UTF_8));
    }

    private static Exchange prepared(String contentType, String message) throws Exception {
        Channels channels = ChannelsFile.parse("channels.yaml", """
                channels:
                  - {name: hook, type: webhook, url: "https://example.com/hook", contentType: "%s", signingSecret: "whsec_%s"}
                rules:
                  - {name: all, eventTypes: ["*"], channels: [hook]}
                default: [log]
                """.formatted(contentType, KEY), variable -> null);
        WebhookChannel webhook = new WebhookChannel(channels, Clock.fixed(Instant.parse("2026-11-30T07:00:00Z"), ZoneOffset.UTC));
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty("channel", "hook");
        exchange.setProperty("eventId", "e-1");
        exchange.setProperty("message", message);
        webhook.prepare(exchange);
        return exchange;
    }
}
