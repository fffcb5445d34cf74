package io.castai.events;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.support.HttpStandIn;
import io.castai.events.support.JarProcess;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Accepted means kept: events answered 200 while Slack is down survive {@code kill -9} and are
 * delivered, each once, by the next process; a repeat after the restart is still a duplicate.
 */
class DurableDeliveryIT {
    private static final int EVENTS = 50;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void acceptedEventsSurviveKillDashNineAndAreDeliveredOnce() throws Exception {
        Path dataDir = Files.createTempDirectory("durable-it");
        try (HttpStandIn slack = new HttpStandIn(503, "service_unavailable")) {
            Map<String, String> env = Map.of(
                    "SLACK_WEBHOOK_URL", slack.url("/hook"),
                    "DATA_DIR", dataDir.toString(),
                    "DELIVERY_INITIAL_BACKOFF", "200ms",
                    "DELIVERY_MAX_BACKOFF", "1s",
                    "DELIVERY_POLL_INTERVAL_MS", "100");

            try (JarProcess first = JarProcess.start(env)) {
                for (int i = 1; i <= EVENTS; i++) {
                    assertThat(first.postEvent(event(i)).body()).isEqualTo("{\"received\":true}");
                }
                slack.awaitRequests(EVENTS); // every event was tried, and refused
                first.kill();
            }

            slack.awaitQuiet(Duration.ofSeconds(1));
            slack.reset();
            slack.respondByDefault(200, "ok");
            try (JarProcess second = JarProcess.start(env)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> slack.requests().size() >= EVENTS);
                await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                        .until(() -> slack.requests().size() == EVENTS);
                Set<String> texts = texts(slack.requests());
                assertThat(texts).as("all %d delivered, none twice", EVENTS).hasSize(EVENTS);

                assertThat(second.postEvent(event(7)).body()).isEqualTo("{\"received\":true,\"duplicate\":true}");
                await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3))
                        .until(() -> slack.requests().size() == EVENTS);
                assertThat(second.stop()).isTrue();
            }
        }
    }

    private static Set<String> texts(List<HttpStandIn.Request> requests) {
        return requests.stream().map(r -> {
            try {
                return JSON.readTree(r.body()).get("text").asText();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).collect(Collectors.toSet());
    }

    private static String event(int i) {
        return "{\"id\":\"durable-" + i + "\",\"eventType\":\"node.added\",\"clusterName\":\"c\","
                + "\"data\":{\"nodeName\":\"n-" + i + "\",\"instanceType\":\"type-" + i + "\",\"lifecycle\":\"spot\"}}";
    }
}
