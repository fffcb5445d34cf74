package io.castai.events.channels;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.dedup.DurableIdempotentRepository;
import io.castai.events.intake.NotificationEvent;
import io.castai.events.outbox.OutboxException;

/**
 * The routing dry-run (POST /castai/routes/test): which rules match an event, which channels
 * would get it (and which are off), and what each would be sent, rendered by the same templates;
 * and whether its id was accepted within the dedup window. Nothing is stored or sent; secrets
 * (routing keys, URLs, passwords) are left out.
 */
public class RoutingPreview {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Channels channels;
    private final SlackChannel slack;
    private final PagerDutyChannel pagerDuty;
    private final MessageTemplates templates;
    private final DurableIdempotentRepository dedup;

    public RoutingPreview(Channels channels, SlackChannel slack, PagerDutyChannel pagerDuty, MessageTemplates templates,
                          DurableIdempotentRepository dedup) {
        this.channels = channels;
        this.slack = slack;
        this.pagerDuty = pagerDuty;
        this.templates = templates;
        this.dedup = dedup;
    }

    /** What one channel would receive: its rendered message, and the request it would make. */
    private Map<String, Object> delivery(Target target, NotificationEvent event) throws JsonProcessingException {
        String channel = target.channel();
        String message = templates.render(target, event);
        ChannelConfig config = channels.get(channel);
        Map<String, Object> delivery = new LinkedHashMap<>();
        delivery.put("channel", channel);
        delivery.put("type", config.type().id());
        delivery.put("template", config.template());
        delivery.put("message", message);
        switch (config.type()) {
            case SLACK -> delivery.put("request", JSON.readTree(slack.payload(event, message)));
            case PAGERDUTY -> {
                Map<String, Object> request = JSON.readValue(pagerDuty.body(channel, event, message),
                        JSON.getTypeFactory().constructMapType(LinkedHashMap.class, String.class, Object.class));
                request.put("routing_key", "<secret>");
                delivery.put("request", request);
            }
            case WEBHOOK -> {
                delivery.put("headers", config.map("headers").keySet());
                delivery.put("signed", !config.text("signingSecret").isEmpty());
            }
            case EMAIL -> {
                EmailChannel.Rendered mail = EmailChannel.parse(message);
                delivery.put("from", config.text("from"));
                EmailChannel.Recipients recipients = EmailChannel.recipients(channels, channel, mail);
                delivery.put("to", recipients.to());
                if (!recipients.leftOut().isEmpty()) {
                    delivery.put("toLeftOut", recipients.leftOut());
                }
                delivery.put("subject", mail.subject());
                delivery.put("body", mail.body());
            }
            case LOG -> { }
        }
        return delivery;
    }

    /** The answer: the event as understood, the decision, and each channel's delivery. */
    public String answer(NotificationEvent event, Channels.Decision decision) throws JsonProcessingException {
        Map<String, Object> answer = new LinkedHashMap<>();
        Map<String, Object> understood = new LinkedHashMap<>();
        understood.put("id", event.getId());
        understood.put("type", event.getType());
        understood.put("severity", event.getSeverity().name());
        // JSON null when the event names no cluster (not the text "null")
        understood.put("cluster", event.getClusterName() != null ? event.getClusterName() : event.getClusterId());
        answer.put("event", understood);
        // an id accepted within the dedup window: the intake would answer duplicate and notify no one
        boolean recent = dedup.contains(event.getId());
        try {
            Optional<Instant> acceptedAt = dedup.acceptedWithinWindow(event.getId());
            answer.put("duplicate", recent || acceptedAt.isPresent());
            acceptedAt.ifPresent(at -> answer.put("acceptedAt", at.toString()));
        } catch (OutboxException storeAway) {
            // the intake answers from its recent ids too; beyond them, not known while the store is away
            answer.put("duplicate", recent ? Boolean.TRUE : null);
        }
        answer.put("rules", decision.rules());
        answer.put("channels", decision.targets().stream().map(Target::channel).toList());
        answer.put("off", decision.off());
        List<Object> deliveries = new ArrayList<>();
        for (Target target : decision.targets()) {
            deliveries.add(delivery(target, event));
        }
        answer.put("deliveries", deliveries);
        answer.put("sent", false);
        return JSON.writeValueAsString(answer);
    }
}
