package io.castai.events;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.support.HttpStandIn;
import io.castai.events.support.RunningService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * README's "add another HTTP channel" recipe, followed literally: a copy of routes/ plus one new
 * route file and one edited rule, no Java. Savings events then reach a second Slack webhook.
 */
class CustomChannelTest {
    private static final String FINOPS_CHANNEL = """
            - route:
                id: enqueue-slack-finops
                from:
                  uri: direct:enqueue-slack-finops
                  steps:
                    - setProperty: {name: message, simple: "${exchangeProperty.slackText}"}
                    - filter:
                        method: {ref: outbox, method: "enqueue(${body.id}, 'slack-finops', ${exchangeProperty.message})"}
                        steps:
                          - setProperty: {name: channel, constant: slack-finops}
                          - bean: {ref: deliveryReport, method: queued}
                          - to: direct:hand-over
            - route:
                id: channel-slack-finops
                from:
                  uri: seda:channel-slack-finops
                  steps:
                    - setProperty: {name: channel, constant: slack-finops}
                    - setBody:
                        method: {ref: slackChannel, method: "payload(${exchangeProperty.message})"}
                    - setHeader: {name: CamelHttpUri, simple: "{{slack.finops.url}}"}
                    - to: direct:deliver-http
            """;
    private static final String SAVINGS_RULE_ADDITION = """
                              - setProperty:
                                  name: slackText
                                  simple: "Savings threshold crossed: ${body.details[savingsImpact]}%"
                              - to: direct:enqueue-slack-finops
            """;

    @TempDir
    Path routes;

    @Test
    void aSecondSlackWebhookReceivesSavingsEvents() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        Files.writeString(routes.resolve("channel-slack-finops.camel.yaml"), FINOPS_CHANNEL);
        Path dispatch = routes.resolve("dispatch.camel.yaml");
        String savingsLog = "                      message: \"Savings threshold crossed: ${body.details[savingsImpact]}%\"\n";
        String rules = Files.readString(dispatch);
        assertThat(rules).contains(savingsLog);
        Files.writeString(dispatch, rules.replace(savingsLog, savingsLog + SAVINGS_RULE_ADDITION));

        try (HttpStandIn ops = HttpStandIn.slack();
             HttpStandIn finops = HttpStandIn.slack();
             RunningService service = RunningService.builder()
                     .property("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml")
                     .property("slack.webhook.url", ops.url("/ops"))
                     .property("slack.finops.url", finops.url("/finops"))
                     .start()) {
            service.postFixture("events/savings-threshold.json");

            HttpStandIn.Request message = finops.awaitRequests(1).get(0);
            assertThat(new ObjectMapper().readTree(message.body()).get("text").asText())
                    .isEqualTo("Savings threshold crossed: 37.5%");
            assertThat(ops.requests()).isEmpty();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(service.get("/observe/metrics").body())
                    .contains("castai_events_delivered_total{channel=\"slack-finops\"}"));
        }
    }
}
