package io.castai.events;

import java.net.http.HttpResponse;
import java.time.Duration;

import io.castai.events.support.ClosedPort;
import io.castai.events.support.HttpStandIn;
import io.castai.events.support.LogCapture;
import io.castai.events.support.RunningService;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The routing key and the webhook token never reach a log line or an answer, whatever fails. */
class SecretsTest {
    private static final String SLACK_TOKEN = "XOXB-SLACK-TOKEN-5ecre7";
    private static final String ROUTING_KEY = "R0UT1NGKEY5ecre7R0UT1NGKEY5ecre7";

    @Test
    void secretsStayOutOfLogsAndAnswers() throws Exception {
        try (HttpStandIn slack = HttpStandIn.slack();
             ClosedPort closed = new ClosedPort();
             LogCapture log = LogCapture.attach()) {
            // PagerDuty points at a closed port: every attempt is an I/O error
            String deadPagerDuty = "http://127.0.0.1:" + closed.port() + "/v2/enqueue/" + ROUTING_KEY;
            slack.thenRespond(500, "rollup_error").thenRespond(400, "invalid_payload");
            try (RunningService service = RunningService.builder()
                    .property("slack.webhook.url", slack.url("/services/T000/B000/" + SLACK_TOKEN))
                    .property("pagerduty.routing.key", ROUTING_KEY)
                    .property("pagerduty.events.url", deadPagerDuty)
                    .property("delivery.max-attempts", 2)
                    .property("camel.main.message-history", true)
                    .start()) {

                HttpResponse<String> accepted = service.postFixture("events/console-notification.json");
                HttpResponse<String> rejected = service.postEvent("{\"eventType\":[]}");

                slack.awaitRequests(2);
                await().atMost(Duration.ofSeconds(10)).until(() ->
                        !log.linesContaining("pagerduty delivery of event").isEmpty()
                                && !log.linesContaining("failed (retries exhausted)").isEmpty()
                                && !log.linesContaining("slack delivery of event").isEmpty()
                                && !log.linesContaining("failed permanently").isEmpty());

                assertThat(log.linesContaining("I/O error: could not connect (HttpHostConnectException)")).isNotEmpty();
                for (String answer : new String[] {accepted.body(), rejected.body(), accepted.headers().toString()}) {
                    assertThat(answer).doesNotContain(SLACK_TOKEN).doesNotContain(ROUTING_KEY);
                }
                assertThat(service.get("/observe/metrics").body()).doesNotContain(SLACK_TOKEN).doesNotContain(ROUTING_KEY);
                assertThat(service.get("/observe/health").body()).doesNotContain(SLACK_TOKEN).doesNotContain(ROUTING_KEY);
            }
            assertThat(log.text()).contains("Channel slack (slack) is on").doesNotContain(SLACK_TOKEN).doesNotContain(ROUTING_KEY);
        }
    }

    @Test
    void aMalformedWebhookUrlStopsStartUpWithoutPrintingIt() {
        String badUrl = "hooks.slack.com/services/" + SLACK_TOKEN;
        try (LogCapture log = LogCapture.attach()) {
            Throwable failure = null;
            try (RunningService ignored = RunningService.builder().property("slack.webhook.url", badUrl).start()) {
                // should not get here
            } catch (RuntimeException e) {
                failure = e;
            }
            assertThat(failure).isNotNull();
            StringBuilder messages = new StringBuilder();
            for (Throwable t = failure; t != null; t = t.getCause()) {
                messages.append(t.getMessage()).append('\n');
            }
            assertThat(messages.toString()).contains("channels.yaml: channels[0] (slack).webhookUrl: must be an http(s) URL with a host")
                    .doesNotContain(SLACK_TOKEN);
            assertThat(log.text()).doesNotContain(SLACK_TOKEN);
        }
    }

    @Test
    void aSecretTooShortToMaskIsSaidAtStartUp() throws Exception {
        try (LogCapture log = LogCapture.attach();
             RunningService service = RunningService.builder().property("admin.token", "adm1n").start()) {
            assertThat(service.isStarted()).isTrue();
            assertThat(log.linesContaining("ADMIN_TOKEN is shorter than 8 characters: easy to guess, and too short for the log to mask it"))
                    .hasSize(1);
        }
    }
}
