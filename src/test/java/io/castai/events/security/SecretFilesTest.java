package io.castai.events.security;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.castai.events.channels.ConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretFilesTest {
    @TempDir
    Path dir;

    @Test
    void aSecretFileWinsOverTheSetting() throws Exception {
        Path file = dir.resolve("token");
        Files.writeString(file, "from-file\n");

        assertThat(Secrets.resolve("WEBHOOK_TOKEN", "from-setting", Map.of("WEBHOOK_TOKEN_FILE", file.toString())))
                .isEqualTo("from-file");
        assertThat(Secrets.resolve("WEBHOOK_TOKEN", "from-setting", Map.of())).isEqualTo("from-setting");
    }

    @Test
    void anUnreadableFileNamesTheSettingNotTheSecret() {
        assertThatThrownBy(() -> Secrets.resolve("ADMIN_TOKEN", "x", Map.of("ADMIN_TOKEN_FILE", dir.resolve("none").toString())))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("ADMIN_TOKEN_FILE: cannot read " + dir.resolve("none") + " (NoSuchFileException)");
    }

    @Test
    void anEmptyFileStopsStartUp() throws Exception {
        // read as no token, the intake would take anyone's events
        Path file = Files.writeString(dir.resolve("token"), " \n");
        assertThatThrownBy(() -> Secrets.resolve("WEBHOOK_TOKEN", "", Map.of("WEBHOOK_TOKEN_FILE", file.toString())))
                .isInstanceOf(ConfigurationException.class).hasMessage("WEBHOOK_TOKEN_FILE: " + file + " is empty");
    }

    @Test
    void aSecretPastedWhereItsFileShouldBeIsNotQuoted() {
        assertThatThrownBy(() -> Secrets.resolve("ADMIN_TOKEN", "x", Map.of("ADMIN_TOKEN_FILE", "Pasted5ecretToken0123")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("ADMIN_TOKEN_FILE: cannot read the file it names (not a path starting with / or ./) (NoSuchFileException)");
    }
}
