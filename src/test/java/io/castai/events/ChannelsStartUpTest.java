package io.castai.events;

import java.nio.file.Files;
import java.nio.file.Path;

import io.castai.events.channels.ConfigurationException;
import io.castai.events.support.RunningService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real application refuses to start on a wrong channels.yaml or template, with the exact
 * message (ChannelsFileTest covers every message; these check it reaches start-up).
 */
class ChannelsStartUpTest {
    @TempDir
    Path directory;

    @Test
    void anUnknownChannelInARuleStopsStartUp() throws Exception {
        Path file = directory.resolve("channels.yaml");
        Files.writeString(file, """
                rules:
                  - {eventTypes: ["savings.*"], channels: [slack-finops]}
                default: [log]
                """);

        assertThat(startUpFailure(RunningService.builder().property("channels.file", file)))
                .isEqualTo(file + ": rules[0].channels: unknown channel \"slack-finops\" (declared: log)");
    }

    @Test
    void aTemplateThatDoesNotParseStopsStartUpNamingChannelAndFile() throws Exception {
        Path templates = Files.createDirectories(directory.resolve("templates"));
        for (String name : new String[] {"log.ftl", "slack.ftl", "pagerduty.ftl"}) {
            Files.copy(Path.of("templates", name), templates.resolve(name));
        }
        Files.writeString(templates.resolve("slack.ftl"), "<#if event.type == \"node.added\">unclosed\n");

        String message = startUpFailure(RunningService.builder().property("templates.dir", templates));

        assertThat(message).startsWith("channel slack: template slack.ftl does not parse: line 1, column 41: ")
                .as("the reason, not only where").contains("#if");
    }

    @Test
    void aMissingChannelsFileIsNamed() {
        assertThat(startUpFailure(RunningService.builder().property("channels.file", directory.resolve("nope.yaml"))))
                .isEqualTo("CHANNELS_FILE (channels.file): '" + directory.resolve("nope.yaml")
                        + "' cannot be read (NoSuchFileException): set it to the channels and rules file");
    }

    @Test
    void anEmptyChannelsFileOrTemplatesSettingIsNamed() {
        // was ": cannot be read (IOException)", naming nothing
        assertThat(startUpFailure(RunningService.builder().property("channels.file", "")))
                .isEqualTo("CHANNELS_FILE (channels.file): is empty: set it to the channels and rules file");
        assertThat(startUpFailure(RunningService.builder().property("templates.dir", "")))
                .isEqualTo("TEMPLATES_DIR (templates.dir): (empty) is not a readable directory");
    }

    @Test
    void aPageLimitTheApiWouldRefuseStopsStartUp() {
        assertThat(startUpFailure(RunningService.builder().property("castai.audit.page-limit", 5000)))
                .isEqualTo("CASTAI_AUDIT_PAGE_LIMIT (castai.audit.page-limit): must be from 1 to 1000 (the CAST AI API's largest page)");
    }

    private static String startUpFailure(RunningService.Builder builder) {
        try (RunningService ignored = builder.start()) {
            throw new AssertionError("the service started");
        } catch (IllegalStateException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ConfigurationException) {
                    return t.getMessage();
                }
            }
            throw new AssertionError("no ConfigurationException in " + e, e);
        }
    }
}
