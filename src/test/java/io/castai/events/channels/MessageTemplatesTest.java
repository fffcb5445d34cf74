package io.castai.events.channels;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import freemarker.template.Configuration;
import freemarker.template.TemplateException;
import io.castai.events.support.LogCapture;
import org.junit.jupiter.api.Test;
import org.slf4j.bridge.SLF4JBridgeHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a template may do with the FreeMarker settings the service renders with. */
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
