package io.castai.events;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.support.HttpStandIn;
import io.castai.events.support.RunningService;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shipped artefact: {@code java -jar target/castai-events.jar} from the repository root,
 * configured only by environment variables, as README and the Dockerfile run it.
 */
class PackagedJarIT {
    private static final String TOKEN = "T000/B000/JARTOKEN123";
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void theJarServesDeliversAndStopsCleanly() throws Exception {
        Path output = Files.createTempFile("castai-events-jar", ".log");
        int port = RunningService.freePort();
        try (HttpStandIn slack = HttpStandIn.slack()) {
            ProcessBuilder builder = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", "target/castai-events.jar")
                    .directory(new File("."))
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().put("SERVER_PORT", String.valueOf(port));
            builder.environment().put("SLACK_WEBHOOK_URL", slack.url("/services/" + TOKEN));
            builder.environment().put("INTAKE_MAX_BODY_BYTES", "2048");
            Process process = builder.start();
            try {
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> get(port, "/observe/health").statusCode() == 200);

                HttpResponse<String> accepted = post(port, RunningService.fixture("events/node-added.json"));
                assertThat(accepted.statusCode()).isEqualTo(200);
                assertThat(new ObjectMapper().readTree(slack.awaitRequests(1).get(0).body()).get("text").asText())
                        .isEqualTo(":kubernetes: CAST AI: New spot node: c6a.xlarge");
                // INTAKE_MAX_BODY_BYTES, an environment variable, overrides intake.max-body-bytes
                assertThat(post(port, "{\"eventType\":\"a\",\"pad\":\"" + "x".repeat(3000) + "\"}").statusCode())
                        .isEqualTo(413);
            } finally {
                process.destroy(); // SIGTERM
                assertThat(process.waitFor(40, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
            }
            String log = Files.readString(output);
            assertThat(log)
                    .contains("Slack channel is on")
                    .contains("PagerDuty channel is off: PAGERDUTY_ROUTING_KEY is not set")
                    .contains("New spot node: c6a.xlarge")
                    .contains("shutdown")
                    .doesNotContain("JARTOKEN123");
        }
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(int port, String json) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/castai/events"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
