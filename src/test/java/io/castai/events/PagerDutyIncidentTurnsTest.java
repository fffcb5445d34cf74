package io.castai.events;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import io.castai.events.support.HttpStandIn;
import io.castai.events.support.RunningService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** One PagerDuty send at a time per incident, without holding up the channel's other incidents. */
class PagerDutyIncidentTurnsTest {
    @Test
    void deliveriesWaitingForABusyIncidentDoNotHoldUpAnotherIncident(@TempDir Path directory) throws Exception {
        Path channels = Files.writeString(directory.resolve("channels.yaml"), """
                channels:
                  - {name: pagerduty, type: pagerduty, routingKey: "0123456789abcdef0123456789abcdef",
                     eventsUrl: "${PD_URL}", dedupBy: node}
                rules:
                  - {name: nodes, eventTypes: ["node.*"], channels: [pagerduty]}
                default: [log]
                """);
        CountDownLatch release = new CountDownLatch(1);
        try (HttpStandIn pagerDuty = HttpStandIn.pagerDutyAnsweringConcurrently();
             RunningService service = RunningService.builder().property("channels.file", channels)
                     .property("data.dir", Files.createDirectories(directory.resolve("data")))
                     .property("PD_URL", pagerDuty.url("/v2/enqueue")).start()) {
            pagerDuty.holdAnswersUntil(release);
            // more deliveries for one incident than the channel has workers (4), then another incident's
            for (int i = 0; i < 6; i++) {
                service.postEvent("{\"id\": \"busy-" + i + "\", \"eventType\": \"node.spot_interrupted\", "
                        + "\"clusterId\": \"c-1\", \"data\": {\"nodeName\": \"node-a\"}}");
            }
            service.postEvent("{\"id\": \"other\", \"eventType\": \"node.spot_interrupted\", "
                    + "\"clusterId\": \"c-1\", \"data\": {\"nodeName\": \"node-b\"}}");

            // node-a's first send hangs; the other node's goes out meanwhile, and no second node-a one
            await().atMost(Duration.ofSeconds(10)).until(() -> pagerDuty.requests().stream()
                    .anyMatch(request -> request.body().contains("/node-b")));
            assertThat(pagerDuty.requests()).filteredOn(request -> request.body().contains("/node-a")).hasSize(1);

            release.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> pagerDuty.requests().stream()
                    .filter(request -> request.body().contains("/node-a")).count() == 6);
        }
    }
}
