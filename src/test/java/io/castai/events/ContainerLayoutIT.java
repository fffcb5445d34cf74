package io.castai.events;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Stream;

import io.castai.events.support.HttpStandIn;
import io.castai.events.support.JarProcess;
import io.castai.events.support.RunningService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The layout the Dockerfile builds, without Docker: /app holding the jar, routes/, templates/,
 * channels.yaml and application.properties, started from /app with the image's JVM flags; a mounted
 * application.properties overrides the bundled defaults, and state lands in /app/data.
 */
class ContainerLayoutIT {
    @TempDir
    Path app;

    @Test
    void theImageLayoutRunsAndHonoursMountedFiles() throws Exception {
        Files.copy(Path.of("target/castai-events.jar"), app.resolve("castai-events.jar"));
        for (String directory : new String[] {"routes", "templates"}) {
            Files.createDirectories(app.resolve(directory));
            try (Stream<Path> files = Files.list(Path.of(directory))) {
                for (Path file : files.toList()) {
                    Files.copy(file, app.resolve(directory).resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Files.copy(Path.of("channels.yaml"), app.resolve("channels.yaml"));
        // a user's mounted application.properties: a smaller body limit than the bundled 1 MiB
        Files.writeString(app.resolve("application.properties"),
                Files.readString(Path.of("application.properties"))
                        .replace("intake.max-body-bytes = 1048576", "intake.max-body-bytes = 1000"));

        try (HttpStandIn slack = HttpStandIn.slack()) {
            JarProcess jar = JarProcess.start(app.toFile(), "castai-events.jar", Map.of(
                    "SLACK_WEBHOOK_URL", slack.url("/hook"),
                    "JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=31 -XX:+UseParallelGC -XX:ReservedCodeCacheSize=48m -Xss512k -XX:TrimNativeHeapInterval=1000 -XX:+ExitOnOutOfMemoryError",
                    "MALLOC_ARENA_MAX", "2"));
            try (jar) {
                assertThat(jar.get("/observe/health/live").statusCode()).isEqualTo(200);
                assertThat(jar.postEvent(RunningService.fixture("events/node-added.json")).statusCode()).isEqualTo(200);
                slack.awaitRequests(1);
                assertThat(jar.postEvent("{\"eventType\":\"a\",\"pad\":\"" + "x".repeat(1200) + "\"}").statusCode())
                        .as("the mounted application.properties wins").isEqualTo(413);
                assertThat(jar.stop()).isTrue();
            }
            assertThat(app.resolve("data/castai-events.db")).exists();
        }
    }
}
