package io.castai.events.channels;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import freemarker.core.ParseException;
import freemarker.core.TemplateClassResolver;
import freemarker.template.Configuration;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import io.castai.events.intake.NotificationEvent;
import io.castai.events.ops.Causes;
import io.castai.events.ops.RefusalLog;
import io.castai.events.outbox.ChannelMessage;
import io.castai.events.outbox.EventCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders each channel's message from its FreeMarker template under templates.dir (read from
 * disk, re-read when edited), with the data model ({@code event}, {@code channel},
 * {@code consoleUrl}, {@code recipients}, {@code eventJson}) and a plain-text fallback so a broken
 * template never loses a notification. One call renders every channel of an event: rendering
 * through camel-freemarker took a split, a sub-exchange and a dynamic endpoint per channel.
 */
public class MessageTemplates {
    private static final Logger LOG = LoggerFactory.getLogger(MessageTemplates.class);
    private static final JsonFactory JSON = new JsonFactory();
    /**
     * The longest message a template may write: a mebibyte, or four times the event's JSON if
     * that is more (the bundled webhook template repeats some of the event's text: a large event
     * renders to about twice its size). A loop gone wrong in a template would otherwise fill the
     * heap with one event, and end the process.
     */
    static final int MAX_MESSAGE_CHARS = 1 << 20;
    private static final int MAX_MESSAGE_EVENTS = 4;

    private final Map<String, RefusalLog> failureLines = new ConcurrentHashMap<>();
    private final Configuration freemarker;
    private final Channels channels;
    private final ConsoleLink console;

    public MessageTemplates(Path directory, Channels channels, ConsoleLink console) {
        this.channels = channels;
        this.console = console;
        this.freemarker = new Configuration(Configuration.VERSION_2_3_34);
        try {
            freemarker.setDirectoryForTemplateLoading(new File(directory.toString()));
        } catch (IOException e) {
            throw ConfigurationException.inSetting("templates.dir", (directory.toString().isBlank() ? "(empty)" : "'" + directory + "'")
                    + " is not a readable directory");
        }
        freemarker.setDefaultEncoding("UTF-8");
        // numbers as written (12.5, 1234), never localised (1,234)
        freemarker.setNumberFormat("computer");
        freemarker.setBooleanFormat("c");
        freemarker.setLocale(Locale.ROOT);
        freemarker.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
        freemarker.setLogTemplateExceptions(false);
        // a failure an <#attempt> recovers from is no error (FreeMarker's default: an ERROR and its stack trace)
        freemarker.setAttemptExceptionReporter((failure, environment) ->
                LOG.debug("A template recovered from: {}", failure.getMessageWithoutStackTop()));
        // templates are the operator's, yet often a ConfigMap others can edit: none may make Java
        // objects (?new of freemarker.template.utility.Execute runs a command, with the channels' secrets at hand)
        freemarker.setNewBuiltinClassResolver(TemplateClassResolver.ALLOWS_NOTHING_RESOLVER);
        // an edited template is picked up within this delay, without a restart
        freemarker.setTemplateUpdateDelayMilliseconds(5000);
    }

    /** The FreeMarker settings templates are rendered with. */
    Configuration configuration() {
        return freemarker;
    }

    /** Fails start-up when a channel's template is missing or does not parse, naming channel and file. */
    public void validate() {
        for (ChannelConfig channel : channels.all()) {
            try {
                freemarker.getTemplate(channel.template());
            } catch (IOException e) {
                throw new ConfigurationException("channel " + channel.name() + ": template " + channel.template()
                        + " " + (e instanceof ParseException parse ? describe(parse) : firstLine(e.getMessage())));
            }
        }
    }

    /**
     * Each channel's message for an event, in the order the rules chose the channels (none when
     * no rule and no default sends it anywhere).
     */
    public List<ChannelMessage> messagesFor(NotificationEvent event) {
        List<ChannelMessage> messages = new ArrayList<>();
        EventJson json = new EventJson(event);
        for (Target target : channels.targets(event)) {
            String text = render(target, event, json);
            // channels whose templates write the same text (webhooks on the bundled one) share it:
            // each of four copies of a 1 MB event's message was 2 MB held until the event was stored
            for (ChannelMessage earlier : messages) {
                if (earlier.text().equals(text)) {
                    text = earlier.text();
                    break;
                }
            }
            messages.add(new ChannelMessage(target.channel(), text, channels.get(target.channel()).type().id()));
        }
        return messages;
    }

    /** The event's JSON, made once for all its channels (and only if one asks for it). */
    private static final class EventJson {
        private final NotificationEvent event;
        private String json;

        EventJson(NotificationEvent event) {
            this.event = event;
        }

        String get() {
            if (json == null) {
                json = EventCodec.toJson(event);
            }
            return json;
        }
    }

    /**
     * The text of the channel's template for the event (templates end with a newline, may
     * indent: trimmed). A template that fails gets the plain fallback, and so does a webhook's
     * message sent as JSON that is not JSON: one a template edit broke was refused by the
     * receiver, kept as a dead letter, and a replay sent the same stored text again.
     */
    public String render(Target target, NotificationEvent event) {
        return render(target, event, new EventJson(event));
    }

    private String render(Target target, NotificationEvent event, EventJson json) {
        String channel = target.channel();
        Map<String, Object> model = model(channel, event, target.recipients(), json);
        String message;
        try {
            BoundedText text = new BoundedText(MAX_MESSAGE_CHARS,
                    () -> (int) Math.min(Integer.MAX_VALUE - 8, (long) MAX_MESSAGE_EVENTS * json.get().length()));
            freemarker.getTemplate(templateOf(channel)).process(model, text);
            message = text.trimmed();
        } catch (BoundedText.TooLong e) {
            return fallback(channel, event, model, "its message is longer than " + e.maxChars() + " characters");
        } catch (StackOverflowError e) {
            // a macro that calls itself without end: the stack is unwound by now
            return fallback(channel, event, model, "it recursed too deep (StackOverflowError)");
        } catch (IOException | TemplateException | RuntimeException e) {
            return fallback(channel, event, model, describe(e));
        }
        ChannelConfig config = channels.get(channel);
        if (config.type() == ChannelType.WEBHOOK && isJson(config.text("contentType"))) {
            String why = notOneJsonValue(message);
            if (why != null) {
                return fallback(channel, event, model, "its message is not JSON (" + why + ")");
            }
        }
        return message;
    }

    /** Why the text is not one JSON value (empty, two of them, a syntax error), or null when it is. */
    static String notOneJsonValue(String text) {
        try (JsonParser parser = JSON.createParser(text)) {
            if (parser.nextToken() == null) {
                return "it is empty";
            }
            parser.skipChildren();
            return parser.nextToken() == null ? null : "more than one JSON value, the second at line "
                    + parser.currentLocation().getLineNr() + ", column " + parser.currentLocation().getColumnNr();
        } catch (IOException e) {
            return e instanceof JsonProcessingException json && json.getLocation() != null
                    ? "line " + json.getLocation().getLineNr() + ", column " + json.getLocation().getColumnNr() + ": "
                    + firstLine(json.getOriginalMessage()) : firstLine(e.getMessage());
        }
    }

    private static boolean isJson(String contentType) {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT).split(";", 2)[0].trim();
        return type.equals("application/json") || type.endsWith("+json");
    }

    /** The template file of a channel, under templates.dir. */
    String templateOf(String channel) {
        return channels.get(channel).template();
    }

    /** The data model a template sees. */
    Map<String, Object> model(String channel, NotificationEvent event, List<String> recipients) {
        return model(channel, event, recipients, new EventJson(event));
    }

    private Map<String, Object> model(String channel, NotificationEvent event, List<String> recipients, EventJson json) {
        ChannelConfig config = channels.get(channel);
        Map<String, Object> model = new HashMap<>();
        model.put("event", config.type() == ChannelType.SLACK ? SlackChannel.escaped(event) : event);
        model.put("channel", channel);
        String link = console.forCluster(event);
        model.put("consoleUrl", link == null ? "" : link);
        model.put("recipients", recipients == null || recipients.isEmpty() ? config.list("to") : recipients);
        if (config.type() == ChannelType.WEBHOOK) {
            model.put("eventJson", json.get());
        }
        return model;
    }

    /**
     * The template failed (a typo, a value the template did not expect): the channel still gets
     * a plain message, and the log says which template to fix.
     */
    private String fallback(String channel, NotificationEvent event, Map<String, Object> model, String why) {
        String template = templateOf(channel);
        // a broken template fails every event: at most 50 lines every 10 s of each
        failureLines.computeIfAbsent(template, t -> new RefusalLog(LOG, 50, 10, System::nanoTime, "failures of template " + t))
                .warn("Template {} of channel {} failed for event {} ({}): {}; sent the plain fallback text",
                        template, channel, event.getId(), event.getType(), why);
        ChannelType type = channels.get(channel).type();
        if (type == ChannelType.WEBHOOK) {
            return model.get("eventJson") instanceof String json ? json : EventCodec.toJson(event);
        }
        // as the template saw it (for Slack, escaped)
        event = (NotificationEvent) model.get("event");
        String plain = "CAST AI " + event.getType() + " [" + event.getSeverity() + "] " + event.getTitle()
                + (event.getClusterName() == null ? "" : " (cluster " + event.getClusterName() + ")")
                + ": " + event.getSummary();
        if (type == ChannelType.EMAIL) {
            // the rule's recipients still get it (without a To: line the mail would go to the channel's "to")
            List<?> recipients = (List<?>) model.get("recipients");
            return "To: " + recipients.stream().map(String::valueOf).collect(Collectors.joining(", "))
                    + "\nSubject: CAST AI " + event.getSeverity() + " " + event.getTitle() + "\n\n" + plain;
        }
        return plain;
    }

    /** Where and what: FreeMarker's own message puts the reason after the line its first line ends with. */
    private static String describe(ParseException parse) {
        String reason = String.valueOf(parse.getEditorMessage()).replaceAll("\\s+", " ").trim();
        return "does not parse: line " + parse.getLineNumber() + ", column " + parse.getColumnNumber() + ": "
                + (reason.length() > 300 ? reason.substring(0, 300) + "..." : reason);
    }

    private static String describe(Exception failure) {
        TemplateException template = null;
        for (Throwable cause : Causes.chain(failure)) {
            if (cause instanceof ParseException parse) {
                // edited while running: it no longer parses (FreeMarker's cache keeps the
                // exception, and later renders get one that names it only as their cause)
                return describe(parse);
            }
            if (template == null && cause instanceof TemplateException t) {
                template = t;
            }
        }
        if (template == null) {
            return failure == null ? "unknown error" : firstLine(failure.getMessage());
        }
        String blamed = template.getBlamedExpressionString();
        return "line " + template.getLineNumber() + ": " + firstLine(template.getMessageWithoutStackTop())
                + (blamed != null ? " " + blamed : "");
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int end = message.indexOf('\n');
        return (end < 0 ? message : message.substring(0, end)).trim();
    }
}
