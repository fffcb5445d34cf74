package io.castai.events.channels;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import freemarker.template.Configuration;
import freemarker.template.TemplateException;
import io.castai.events.intake.NotificationEvent;
import io.castai.events.intake.Severity;
import io.castai.events.outbox.ChannelMessage;
import io.castai.events.support.LogCapture;
import org.junit.jupiter.api.Test;
import org.slf4j.bridge.SLF4JBridgeHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a template may do with the FreeMarker settings the service renders with, and what happens when one goes wrong. */
class MessageTemplatesTest {
    @Test
    void aTemplateCannotMakeJavaObjectsSoCannotRunACommand() throws Exception {
        Configuration freemarker = configurationWith("exec.ftl",
                "<#assign run = \"freemarker.template.utility.Execute\"?new()>${run(\"id\")}");

        assertThatThrownBy(() -> render(freemarker, "exec.ftl"))
                .isInstanceOf(TemplateException.class).hasMessageContaining("not allowed");
    }

    @Test
    void aFailureATemplateRecoversFromIsNoErrorInTheLog() throws Exception {
        Configuration freemarker = configurationWith("attempt.ftl", "<#attempt>${event.missing}<#recover>none</#attempt>");
        // FreeMarker logs through java.util.logging here, which the service hands to SLF4J (App)
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        try (LogCapture log = LogCapture.attach()) {
            assertThat(render(freemarker, "attempt.ftl")).isEqualTo("none");
            assertThat(log.text()).doesNotContain("ERROR").doesNotContain("\tat ");
        }
    }

    @Test
    void aWebhooksJsonMessageMustBeExactlyOneJsonValue() {
        assertThat(MessageTemplates.notOneJsonValue("{\"id\": \"e-1\", \"n\": [1, 2]}")).isNull();
        assertThat(MessageTemplates.notOneJsonValue("\"a string is JSON too\"")).isNull();
        // a template whose every branch was false, one that wrote two objects, one that forgot a comma
        assertThat(MessageTemplates.notOneJsonValue("")).isEqualTo("it is empty");
        assertThat(MessageTemplates.notOneJsonValue("  \n ")).isEqualTo("it is empty");
        assertThat(MessageTemplates.notOneJsonValue("{\"id\": \"two-1\"}\n{\"type\": \"x\"}"))
                .startsWith("more than one JSON value, the second at line 2");
        assertThat(MessageTemplates.notOneJsonValue("{\"id\": \"x\" \"type\": \"y\"}")).startsWith("line 1, column ");
    }

    @Test
    void aLargeEventRendersWholeThoughItsMessageIsOverAMebibyte() throws Exception {
        MessageTemplates templates = templatesWith("wrapped.ftl", "{\"source\": \"castai\", \"event\": ${eventJson}}");
        // the largest events the intake takes: their text, repeated in the event's title and
        // summary, makes a message of more than the body's mebibyte (a mebibyte bound sent the
        // bare event JSON instead, which the receiver may well refuse)
        NotificationEvent large = new NotificationEvent("large-1", "node.added", Severity.INFO, "c-1", "x".repeat(400_000),
                null, null, null, Map.of("nodeName", "n".repeat(400_000), "other", "o".repeat(400_000)), NotificationEvent.ORIGIN_EVENT);

        try (LogCapture log = LogCapture.attach()) {
            String message = templates.render(new Target("hook", List.of()), large);
            assertThat(message.length()).isGreaterThan(MessageTemplates.MAX_MESSAGE_CHARS);
            assertThat(message).startsWith("{\"source\": \"castai\", \"event\": {");
            assertThat(log.linesContaining("failed for event large-1")).isEmpty();
        }
    }

    @Test
    void webhooksWhoseTemplatesWriteTheSameTextShareOneMessage() throws Exception {
        Path directory = Files.createTempDirectory("templates");
        Files.writeString(directory.resolve("webhook.ftl"), "${eventJson}\n");
        Channels channels = ChannelsFile.parse("channels.yaml", """
                channels:
                  - {name: hook-a, type: webhook, url: "https://example.com/a"}
                  - {name: hook-b, type: webhook, url: "https://example.com/b"}
                rules:
                  - {name: all, eventTypes: ["*"], channels: [hook-a, hook-b]}
                default: [log]
                """, variable -> null);
        MessageTemplates templates = new MessageTemplates(directory, channels, new ConsoleLink("https://console.cast.ai"));
        NotificationEvent large = new NotificationEvent("large-2", "node.added", Severity.INFO, "c-1", "prod",
                null, null, null, Map.of("nodeName", "n".repeat(100_000)), NotificationEvent.ORIGIN_EVENT);

        List<ChannelMessage> messages = templates.messagesFor(large);

        // each of four copies of a 1 MB event's message was 2 MB, held until the event was stored
        assertThat(messages).hasSize(2);
        assertThat(messages.get(0).text()).startsWith("{").contains("\"id\":\"large-2\"").endsWith("}");
        assertThat(messages.get(1).text()).isSameAs(messages.get(0).text());
    }

    @Test
    void aTemplateThatRecursesWithoutEndSendsThePlainText() throws Exception {
        MessageTemplates templates = templatesWith("wrapped.ftl", "<#macro again n><@again n + 1/></#macro><@again 0/>");
        NotificationEvent event = new NotificationEvent("deep-1", "node.added", Severity.INFO, "c-1", "prod",
                null, null, null, Map.of(), NotificationEvent.ORIGIN_EVENT);

        try (LogCapture log = LogCapture.attach()) {
            // a webhook's plain text is the event's JSON
            assertThat(templates.render(new Target("hook", List.of()), event)).startsWith("{").contains("\"id\":\"deep-1\"");
            assertThat(log.linesContaining("Template wrapped.ftl of channel hook failed for event deep-1 (node.added): "
                    + "it recursed too deep (StackOverflowError)")).hasSize(1);
        }
    }

    /** A webhook channel "hook" whose template is this one. */
    private static MessageTemplates templatesWith(String name, String template) throws Exception {
        Path directory = Files.createTempDirectory("templates");
        Files.writeString(directory.resolve(name), template);
        Channels channels = ChannelsFile.parse("channels.yaml", """
                channels:
                  - {name: hook, type: webhook, url: "https://example.com/hook", template: %s}
                rules:
                  - {name: all, eventTypes: ["*"], channels: [hook]}
                default: [log]
                """.formatted(name), variable -> null);
        return new MessageTemplates(directory, channels, new ConsoleLink("https://console.cast.ai"));
    }

    private static Configuration configurationWith(String name, String template) throws Exception {
        Path directory = Files.createTempDirectory("templates");
        Files.writeString(directory.resolve(name), template);
        return new MessageTemplates(directory, null, null).configuration();
    }

    private static String render(Configuration freemarker, String name) throws Exception {
        StringWriter out = new StringWriter();
        freemarker.getTemplate(name).process(Map.of("event", Map.of()), out);
        return out.toString();
    }
}
