package io.castai.events.ops;

import java.util.Map;
import java.util.Optional;

import io.castai.events.channels.ConfigurationException;
import io.castai.events.support.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Settings Camel would take without a word, or refuse without naming them, stop start-up by name. */
class SettingTypesTest {
    @Test
    void aDurationWithoutItsUnitIsSaidToBeMilliseconds() {
        try (LogCapture log = LogCapture.attach()) {
            SettingTypes.check(key -> key.equals("dedup.window") ? Optional.of("86400")
                    : key.equals("delivery.initial-backoff") ? Optional.of("0") : Optional.empty());
            assertThat(log.linesContaining("has no unit")).containsExactly("WARN io.castai.events.ops.SettingTypes - "
                    + "DEDUP_WINDOW (dedup.window): 86400 has no unit, so it is read as 86400 milliseconds (86.400 s); "
                    + "write the unit meant (86400s, 86400ms)");
        }
    }

    @Test
    void theBundledDefaultsPass() {
        assertThatCode(() -> SettingTypes.check(key -> Optional.empty())).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // a 0 interval fired the retry timer once: no delivery was ever retried
            "delivery.poll-interval-ms | 0   | DELIVERY_POLL_INTERVAL_MS (delivery.poll-interval-ms): must be a whole number from 1 to 2147483647",
            // a 0 queue left every delivery in the outbox for ever
            "delivery.queue-size       | 0   | DELIVERY_QUEUE_SIZE (delivery.queue-size): must be a whole number from 1 to 2147483647",
            "delivery.concurrency      | 0   | DELIVERY_CONCURRENCY (delivery.concurrency): must be a whole number from 1 to 2147483647",
            "castai.store.pool-size    | 0   | CASTAI_STORE_POOL_SIZE (castai.store.pool-size): must be a whole number from 1 to 2147483647",
            "http.connect-timeout-ms   | -5  | HTTP_CONNECT_TIMEOUT_MS (http.connect-timeout-ms): must be a whole number from 1 to 2147483647",
            "intake.request-timeout-ms | -1  | INTAKE_REQUEST_TIMEOUT_MS (intake.request-timeout-ms): must be a whole number from 0 to 2147483647",
            "delivery.max-attempts     | ten | DELIVERY_MAX_ATTEMPTS (delivery.max-attempts): must be a whole number",
            // a route's precondition reads it as the Simple language: a stack trace naming nothing
            "k8s.events.enabled        | TRUE | K8S_EVENTS_ENABLED (k8s.events.enabled): must be true or false, in lower case",
            // read as an int: Camel's conversion failed with a stack trace that named no setting
            "delivery.max-attempts     | 99999999999 | DELIVERY_MAX_ATTEMPTS (delivery.max-attempts): must be a whole number from 1 to 2147483647",
            "server.port               | 70000 | SERVER_PORT (server.port): must be a whole number from 0 to 65535",
            // camel-seda takes 0 as waiting for room for ever (BlockingQueue.put), in the request's thread
            "delivery.offer-timeout-ms | 0   | DELIVERY_OFFER_TIMEOUT_MS (delivery.offer-timeout-ms): must be a whole number from 1 to 2147483647",
            // Camel took abc, 0 and -1 without a word, and waited its own default (45 s) instead
            "camel.main.shutdown-timeout | abc | CAMEL_MAIN_SHUTDOWN_TIMEOUT (camel.main.shutdown-timeout): must be a whole number",
            "camel.main.shutdown-timeout | 0 | CAMEL_MAIN_SHUTDOWN_TIMEOUT (camel.main.shutdown-timeout): must be a whole number from 1 to 2147483647",
            "castai.audit.schedule     | */5 * * * * | CASTAI_AUDIT_SCHEDULE (castai.audit.schedule): is not a Quartz cron expression: "
                    + "six or seven fields, seconds first (second minute hour day-of-month month day-of-week [year]), e.g. 0 * * * * ?",
            // an empty namespace watched every namespace; an empty host failed deep in Vert.x with a stack trace
            "k8s.events.namespace      | ''  | K8S_EVENTS_NAMESPACE (k8s.events.namespace): is empty: it would watch every namespace; castai-agent is CAST AI's",
            "server.host               | ' ' | SERVER_HOST (server.host): is empty: the server would not start; 0.0.0.0 listens on every address",
            "k8s.master-url            | ''  | K8S_MASTER_URL (k8s.master-url): is empty: write local (the kubeconfig, else the pod's service account) or the API server's https:// URL",
    })
    void aValueCamelWouldMisreadStopsStartUpNamingTheSetting(String key, String value, String message) {
        assertThatThrownBy(() -> SettingTypes.check(k -> Optional.ofNullable(Map.of(key, value).get(k))))
                .isInstanceOf(ConfigurationException.class).hasMessage(message);
    }

    @ParameterizedTest
    @ValueSource(strings = {" 5", "5 ", "\t5"})
    void anEnvironmentValueWithSpacesAroundItStopsStartUp(String value) {
        // the check trimmed it, the bean it reached did not: a stack trace naming no setting
        assertThatThrownBy(() -> SettingTypes.check(k -> Optional.ofNullable(Map.of("delivery.max-attempts", value).get(k))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("DELIVERY_MAX_ATTEMPTS (delivery.max-attempts): has spaces around its value: write it without them");
    }

    /** As a ConfigMap gives them: a space pasted before a time zone, a YAML block's line break after a schedule. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"castai.schedule.timezone | ' Europe/Berlin'", "castai.audit.schedule | '0 * * * * ?\n'",
            "k8s.events.namespace | 'castai-agent '", "k8s.master-url | ' https://10.0.0.1'", "k8s.events.resync | ' 5m'",
            "server.host | ' 0.0.0.0'"})
    void aSettingReadAsWrittenWithSpacesAroundItStopsStartUp(String key, String value) {
        assertThatThrownBy(() -> SettingTypes.check(k -> Optional.ofNullable(Map.of(key, value).get(k))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage(ConfigurationException.environmentName(key) + " (" + key + "): has spaces around its value: write it without them");
    }

    /** Every setting the bundled routes put in an endpoint as written is checked for spaces: a number or boolean, or named. */
    @Test
    void everySettingTheRoutesNameIsCheckedForSpaces() throws Exception {
        java.util.Properties defaults = SettingTypes.bundledDefaults();
        java.util.Set<String> named = new java.util.TreeSet<>();
        try (var routes = java.nio.file.Files.list(java.nio.file.Path.of("routes"))) {
            for (java.nio.file.Path route : routes.toList()) {
                java.util.regex.Matcher placeholder = java.util.regex.Pattern.compile("\\{\\{([a-z0-9.-]+)}}")
                        .matcher(java.nio.file.Files.readString(route));
                while (placeholder.find()) {
                    named.add(placeholder.group(1));
                }
            }
        }
        assertThat(named).as("the routes' settings").contains("castai.schedule.timezone", "k8s.events.namespace");
        assertThat(named.stream().filter(defaults::containsKey))
                .allSatisfy(key -> assertThat(defaults.getProperty(key).trim().matches("-?\\d+|true|false")
                        || SettingTypes.READ_AS_WRITTEN.contains(key)).as(key).isTrue());
    }

    @Test
    void anInFlightBudgetUnderOneLargestBodyStopsStartUp() {
        Map<String, String> given = Map.of("intake.max-inflight-bytes", "1000", "intake.max-body-bytes", "4096");
        assertThatThrownBy(() -> SettingTypes.check(k -> Optional.ofNullable(given.get(k))))
                .isInstanceOf(ConfigurationException.class).hasMessage("INTAKE_MAX_INFLIGHT_BYTES (intake.max-inflight-bytes): "
                        + "must be 0 (a quarter of the heap) or at least INTAKE_MAX_BODY_BYTES (4096): one body of the largest size must fit");
        Map<String, String> enough = Map.of("intake.max-inflight-bytes", "4096", "intake.max-body-bytes", "4096");
        assertThatCode(() -> SettingTypes.check(k -> Optional.ofNullable(enough.get(k)))).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "VERBOSE", ""})
    void aLogLevelLogbackWouldTakeAsDebugStopsStartUp(String level) {
        assertThatThrownBy(() -> SettingTypes.checkLogLevel(level)).isInstanceOf(ConfigurationException.class)
                .hasMessage("LOG_LEVEL: must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF (logback took it as DEBUG)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"info", "WARN", "debug", "OFF"})
    void aLogLevelLogbackKnowsIsTaken(String level) {
        assertThatCode(() -> SettingTypes.checkLogLevel(level)).doesNotThrowAnyException();
        assertThatCode(() -> SettingTypes.checkLogLevel(null)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"intake.request-timeout-ms | 0", "delivery.backlog-threshold | 0", "server.port | 0",
            "castai.notifications.schedule | ''", "castai.savings.schedule | 0 0 9 ? * MON-FRI"})
    void zeroWhereItMeansSomethingAndAValidScheduleAreTaken(String key, String value) {
        assertThatCode(() -> SettingTypes.check(k -> Optional.ofNullable(Map.of(key, value).get(k)))).doesNotThrowAnyException();
    }
}
