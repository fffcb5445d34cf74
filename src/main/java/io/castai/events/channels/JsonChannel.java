package io.castai.events.channels;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.castai.events.intake.NotificationEvent;
import org.apache.camel.Exchange;

/** A channel type that posts a JSON document to a URL (Slack, PagerDuty): what its send route asks of it. */
interface JsonChannel {
    /** The URL to post to; it may hold a token: for the CamelHttpUri header only, never logged. */
    String url(String channel);

    /** The JSON document for one delivery of the event, from its rendered message. */
    String body(String channel, NotificationEvent event, String message) throws JsonProcessingException;

    /**
     * The request for the delivery in the exchange: the body from the event and exchange property
     * {@code message}, the channel's URL (exchange property {@code channel}), JSON.
     */
    default void prepare(Exchange exchange) throws JsonProcessingException {
        String channel = exchange.getProperty("channel", String.class);
        NotificationEvent event = exchange.getMessage().getBody(NotificationEvent.class);
        exchange.getMessage().setBody(body(channel, event, exchange.getProperty("message", String.class)));
        exchange.getMessage().setHeader(Exchange.HTTP_URI, url(channel));
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
    }
}
