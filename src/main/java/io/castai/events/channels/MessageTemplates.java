package io.castai.events.channels;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
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
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the FreeMarker templates under templates.dir see, and what happens when one fails.
 * Rendering itself is camel-freemarker's (routes/render-message.camel.yaml); this bean gives it
 * the FreeMarker configuration (templates read from disk, re-read when edited), the data model
 * ({@code event}, {@code channel}, {@code consoleUrl}, {@code recipients}, {@code eventJson}) and
 * a plain-text fallback so a broken template never loses a notification.
 */
public class MessageTemplates {
    /** Header camel-freemarker takes its data model from. */
    public static final String DATA_MODEL = "CamelFreemarkerDataModel";
    private static final Logger LOG = LoggerFactory.getLogger(MessageTemplates.class);
    private static final JsonFactory JSON = new JsonFactory();

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

    /** The FreeMarker configuration camel-freemarker renders with. */
    public Configuration configuration() {
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
     * Before rendering, from the {@link Target} in the body and the event in exchange property
     * {@code event}: exchange properties {@code channel}, {@code recipients} and {@code template}
     * (the template's name), the data model in the header camel-freemarker reads, and the event
     * in the body. (One typed call: Simple expressions that walk the body's getters, and
     * parameter expressions, cost reflection or a regular-expression parse per message.)
     */
    public void prepare(Exchange exchange) {
        Target target = exchange.getMessage().getBody(Target.class);
        NotificationEvent event = exchange.getProperty("event", NotificationEvent.class);
        exchange.setProperty("channel", target.channel());
        exchange.setProperty("recipients", target.recipients());
        exchange.setProperty("template", templateOf(target.channel()));
        exchange.getMessage().setHeader(DATA_MODEL, model(target.channel(), event, target.recipients()));
        exchange.getMessage().setBody(event);
    }

    /**
     * After rendering: the data model goes, and the message is the text itself (templates end
     * with a newline, may indent). A webhook's message sent as JSON must be JSON: one a template
     * edit broke was refused by the receiver, kept as a dead letter, and a replay sent the same
     * stored text again; it gets the fallback instead, as a template that failed does.
     */
    public void finish(Exchange exchange) {
        String message = exchange.getMessage().getBody(String.class).trim();
        ChannelConfig config = channels.get(exchange.getProperty("channel", String.class));
        if (config.type() == ChannelType.WEBHOOK && isJson(config.text("contentType"))) {
            String why = notOneJsonValue(message);
            if (why != null) {
                message = fallback(exchange, "its message is not JSON (" + why + ")");
            }
        }
        exchange.getMessage().removeHeader(DATA_MODEL);
        exchange.getMessage().setBody(message);
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

    /** The rendered message in the body as a {@link ChannelMessage} for the channel in exchange property {@code channel}. */
    public ChannelMessage channelMessage(Exchange exchange) {
        String channel = exchange.getProperty("channel", String.class);
        return new ChannelMessage(channel, exchange.getMessage().getBody(String.class), channels.get(channel).type().id());
    }

    /** The template file of a channel, as camel-freemarker's resource name. */
    public String templateOf(String channel) {
        return channels.get(channel).template();
    }

    /** The data model a template sees. */
    public Map<String, Object> model(String channel, NotificationEvent event, List<String> recipients) {
        ChannelConfig config = channels.get(channel);
        Map<String, Object> model = new HashMap<>();
        model.put("event", config.type() == ChannelType.SLACK ? SlackChannel.escaped(event) : event);
        model.put("channel", channel);
        String link = console.forCluster(event);
        model.put("consoleUrl", link == null ? "" : link);
        model.put("recipients", recipients == null || recipients.isEmpty() ? config.list("to") : recipients);
        if (config.type() == ChannelType.WEBHOOK) {
            model.put("eventJson", EventCodec.toJson(event));
        }
        return model;
    }

    /**
     * The template failed (a typo, a value the template did not expect): the channel still gets
     * a plain message, and the log says which template to fix.
     */
    public String fallback(Exchange exchange) {
        return fallback(exchange, describe(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class)));
    }

    private String fallback(Exchange exchange, String why) {
        Map<?, ?> model = exchange.getMessage().getHeader(DATA_MODEL, Map.class);
        NotificationEvent event = (NotificationEvent) model.get("event");
        String channel = (String) model.get("channel");
        String template = templateOf(channel);
        // a broken template fails every event: at most 50 lines every 10 s of each
        failureLines.computeIfAbsent(template, t -> new RefusalLog(LOG, 50, 10, System::nanoTime, "failures of template " + t))
                .warn("Template {} of channel {} failed for event {} ({}): {}; sent the plain fallback text",
                        template, channel, event.getId(), event.getType(), why);
        ChannelType type = channels.get(channel).type();
        if (type == ChannelType.WEBHOOK) {
            return EventCodec.toJson(event);
        }
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
