package io.castai.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.joran.spi.JoranException;
import io.castai.events.support.HttpStandIn;
import io.castai.events.support.RunningService;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/**
 * The log's last line of defence: whatever a library logs on its own (an exception message that
 * quotes a channel's URL, say), the service's log pattern (src/main/resources/logback.xml) writes
 * every secret the service was given as {@code <secret>}, in the message and the stack trace.
 */
class LogRedactionTest {
    private static final String SLACK_TOKEN = "L0GRED4CT-slack-token-d1e8";
    private static final String ROUTING_KEY = "L0GRED4CTR0UT1NGKEYL0GRED4CT0001";
    private static final String API_KEY = "L0GRED4CT-castai-api-key-77";
    private static final String WEBHOOK_TOKEN = "L0GRED4CT-intake-token-31";
    private static final String ADMIN_TOKEN = "L0GRED4CT-admin-token-52";

    @Test
    void everySecretGivenIsWrittenAsSecretWhoeverLogsIt() throws Exception {
        try (HttpStandIn slack = HttpStandIn.slack()) {
            String slackUrl = slack.url("/services/T000/B000/" + SLACK_TOKEN);
            try (RunningService service = RunningService.builder()
                    .property("slack.webhook.url", slackUrl)
                    .property("pagerduty.routing.key", ROUTING_KEY)
                    .property("castai.api.key", API_KEY)
                    .property("webhook.token", WEBHOOK_TOKEN)
                    .property("admin.token", ADMIN_TOKEN)
                    .start()) {
                assertThat(service.isStarted()).isTrue();
            }

            String output = throughTheServicesLogPattern(log -> {
                // the shapes a library's line takes: the URL as sent, JSON-escaped, in a cause
                log.warn("Failed delivery for exchange: HTTP operation failed invoking " + slackUrl + " with statusCode: 429");
                log.error("Exhausted after delivery attempt: 1 caught: {\"url\":\"" + slackUrl.replace("/", "\\/") + "\"} "
                                + "routing_key=" + ROUTING_KEY + " key " + API_KEY,
                        new IllegalStateException("POST " + slackUrl + " with Bearer " + WEBHOOK_TOKEN,
                                new IOException("X-Admin: " + ADMIN_TOKEN + ", path /services/T000/B000/" + SLACK_TOKEN)));
            });

            assertThat(output).contains("Failed delivery for exchange", "IllegalStateException", "IOException", "<secret>");
            for (String secret : new String[] {SLACK_TOKEN, ROUTING_KEY, API_KEY, WEBHOOK_TOKEN, ADMIN_TOKEN, "T000/B000"}) {
                assertThat(output).as(output).doesNotContain(secret);
            }
        }
    }

    @Test
    void aShortOrOrdinaryValueIsLeftAlone() throws Exception {
        String output = throughTheServicesLogPattern(log -> log.info("the channel answered 'ok' for cluster prod"));
        assertThat(output).contains("the channel answered 'ok' for cluster prod");
    }

    @Test
    void camelMastersFalseAlarmAfterEachTakeoverIsNotLogged() throws JoranException {
        // "The task Leadership does not have more budget to continue running", while the pollers run on
        String output = throughTheServicesLogPattern("org.apache.camel.support.task.BackgroundTask",
                log -> log.warn("The task Leadership does not have more budget to continue running"));
        assertThat(output).isEmpty();
    }

    @Test
    void camelMailsWarningOnClosingADroppedConnectionIsNotLogged() throws JoranException {
        // with a 30-line stack trace, beside the failed send's own line (which is retried)
        String output = throughTheServicesLogPattern("org.apache.camel.component.mail.DefaultJavaMailSender",
                log -> log.warn("Error closing transport to host 127.0.0.1. This exception will be ignored.",
                        new IllegalStateException("Broken pipe")));
        assertThat(output).isEmpty();
    }

    @Test
    void nettysWarningForAConnectionAcceptedWhileStoppingIsNotLogged() throws JoranException {
        String output = throughTheServicesLogPattern("io.netty.bootstrap.ServerBootstrap",
                log -> log.warn("Failed to register an accepted channel: [id: 0x1]", new IllegalStateException("shutting down")));
        assertThat(output).isEmpty();
    }

    /** What the lines written by {@code logging} look like in the service's own log (logback.xml, not the tests' config). */
    private static String throughTheServicesLogPattern(java.util.function.Consumer<Logger> logging) throws JoranException {
        return throughTheServicesLogPattern("org.apache.camel.processor.errorhandler.DefaultErrorHandler", logging);
    }

    private static String throughTheServicesLogPattern(String loggerName, java.util.function.Consumer<Logger> logging)
            throws JoranException {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            configurator.doConfigure(LogRedactionTest.class.getResource("/logback.xml"));
            logging.accept(context.getLogger(loggerName));
        } finally {
            context.stop();
            System.setOut(stdout);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
