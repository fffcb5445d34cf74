package io.castai.events;

import java.time.Clock;
import java.time.Duration;

import io.castai.events.channels.ConfigurationException;
import io.castai.events.support.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Durations (and the time zone) in the configuration: Camel's way of writing them, and anything else refused by name. */
class DurationSettingsTest {
    @ParameterizedTest
    @CsvSource({"24h, 86400000", "5m, 300000", "1h30m, 5400000", "500ms, 500", "1d, 86400000", "250, 250",
            "0, 0", "0s, 0", "' 30s ', 30000"})
    void camelsDurationsAreRead(String written, long millis) {
        assertThat(BaseConfiguration.duration("dedup.window", written)).isEqualTo(Duration.ofMillis(millis));
    }

    /** Camel's own reading gives zero (or throws) for each of these. */
    @ParameterizedTest
    @ValueSource(strings = {"abc", "24 hours", "PT5M", "-5s", "5x", "", "2 h", "1h30", "5m30", "30S"})
    void anythingElseStopsStartUpNamingTheSetting(String written) {
        assertThatThrownBy(() -> BaseConfiguration.duration("dedup.window", written))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("DEDUP_WINDOW (dedup.window): '" + written.trim()
                        + "' is not a duration; write it like 24h, 5m, 30s, 500ms or 1h30m");
    }

    @org.junit.jupiter.api.Test
    void aZeroDedupWindowIsRefused() {
        // zero would turn deduplication off without a word
        assertThatThrownBy(() -> BaseConfiguration.dedupWindow("0s")).isInstanceOf(ConfigurationException.class)
                .hasMessage("DEDUP_WINDOW (dedup.window): must be more than 0 (it is how long an event id is remembered)");
        assertThat(BaseConfiguration.dedupWindow("1s")).isEqualTo(Duration.ofSeconds(1));
    }

    @org.junit.jupiter.api.Test
    void aZeroWhereItWouldBreakSomethingIsRefusedByName() {
        // 0 max age: no retry at all; 0 backoff: every attempt used up, one per tick
        assertThatThrownBy(() -> new BaseConfiguration().deliveryRetryPolicy(10, "0", "1s", "1m", "10m", Clock.systemUTC()))
                .isInstanceOf(ConfigurationException.class).hasMessage("DELIVERY_MAX_AGE (delivery.max-age): must be more than 0");
        assertThatThrownBy(() -> new BaseConfiguration().deliveryRetryPolicy(10, "24h", "0ms", "1m", "10m", Clock.systemUTC()))
                .isInstanceOf(ConfigurationException.class).hasMessage("DELIVERY_INITIAL_BACKOFF (delivery.initial-backoff): must be more than 0");
        // a timer with period 0 fires once: the namespace listed once, a dead watch never restarted
        assertThatThrownBy(() -> new EventsConfiguration().kubernetesWatch(null, "castai-agent", "0s", "local", true, "24h", null))
                .isInstanceOf(ConfigurationException.class).hasMessage("K8S_EVENTS_RESYNC (k8s.events.resync): must be more than 0");
        // the first audit window would be empty, none saved, and the next the same: the poller read nothing, ever
        assertThatThrownBy(() -> new EventsConfiguration().auditPoll(null, null, null, Clock.systemUTC(), "data", "0s", "30s", "5m", "24h", 100))
                .isInstanceOf(ConfigurationException.class).hasMessage("CASTAI_AUDIT_LOOKBACK (castai.audit.lookback): must be more than 0");
        // renewed every sixth of it: under 6 ms that was a 0 period and a stack trace naming no setting
        // read even while their feature is off: a mistake shows now, not the day it is turned on
        assertThatThrownBy(() -> new BaseConfiguration().inboundAuth("", "", "0", Clock.systemUTC()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("WEBHOOK_SIGNATURE_TOLERANCE (webhook.signature-tolerance): must be more than 0");
        assertThatThrownBy(() -> new BaseConfiguration().outbox("data", "2m", "24h", "", "", "", 4, "PT5M", Clock.systemUTC()))
                .isInstanceOf(ConfigurationException.class).hasMessageStartingWith("CASTAI_STORE_CONNECT_TIMEOUT (castai.store.connect-timeout): 'PT5M'");
        assertThatThrownBy(() -> new EventsConfiguration().clusterService(null, "5"))
                .isInstanceOf(ConfigurationException.class).hasMessage("CASTAI_POLLERS_TAKEOVER (castai.pollers.takeover): must be 1s or more");
    }

    @Test
    void aFirstBackoffLongerThanTheLongestIsRefused() {
        assertThatThrownBy(() -> new BaseConfiguration().deliveryRetryPolicy(10, "24h", "10m", "1m", "10m", Clock.systemUTC()))
                .isInstanceOf(ConfigurationException.class).hasMessage("DELIVERY_INITIAL_BACKOFF (delivery.initial-backoff): is longer "
                        + "than DELIVERY_MAX_BACKOFF (delivery.max-backoff), the longest pause: make it shorter, or that one longer");
        assertThatThrownBy(() -> new BaseConfiguration().pollerBackoff(null, null, "1h", "15m", Clock.systemUTC()))
                .isInstanceOf(ConfigurationException.class).hasMessageStartingWith("CASTAI_POLL_BACKOFF (castai.poll.backoff): is longer");
        assertThatCode(() -> new BaseConfiguration().deliveryRetryPolicy(10, "24h", "1m", "1m", "10m", Clock.systemUTC()))
                .doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"prod-eu", "\"4d2f1b3e-7c1a-4e59-9a3b-2f6c8d0e1a77\"", "4d2f1b3e-7c1a-4e59-9a3b-2f6c8d0e1a77, prod-eu"})
    void aClusterIdThatIsNoUuidIsRefused(String ids) {
        assertThatThrownBy(() -> BaseConfiguration.checkedClusterIds(ids)).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("CASTAI_CLUSTER_ID (castai.cluster.id): " + (ids.contains(",") ? "its entry 2 of 2" : "it")
                        + " is not a cluster id: a UUID").hasMessageNotContaining("prod-eu");
        assertThatCode(() -> BaseConfiguration.checkedClusterIds(" 4d2f1b3e-7c1a-4e59-9a3b-2f6c8d0e1a77 , 11111111-2222-3333-4444-555555555555,"))
                .doesNotThrowAnyException();
    }

    @Test
    void anApiKeyInQuotesIsRefusedWithoutShowingIt() {
        assertThatThrownBy(() -> new BaseConfiguration().castaiApi("'k3y-5ecret'", "https://api.cast.ai", ""))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("CASTAI_API_KEY (castai.api.key): has quotes around it: write the key without them");
    }

    @Test
    void aPoolOfOneIsTakenWhereThePoolSizeIsNotUsed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path data) {
        // SQLite's pool is its own: the setting is PostgreSQL's
        assertThatCode(() -> new BaseConfiguration().outbox(data.toString(), "2m", "24h", "", "", "", 1, "3s", Clock.systemUTC()))
                .doesNotThrowAnyException();
    }

    @Test
    void aPoolOfOneDatabaseConnectionIsRefused() {
        // the writer keeps its connection: with one, every read waited out the connect timeout
        assertThatThrownBy(() -> new BaseConfiguration().outbox("data", "2m", "24h", "jdbc:postgresql://127.0.0.1:5432/db",
                "postgres", "", 1, "3s", Clock.systemUTC()))
                .hasMessage("CASTAI_STORE_POOL_SIZE (castai.store.pool-size): must be 2 or more: the store's writer keeps "
                        + "one connection for good, and reads need others");
    }

    @Test
    void aDedupWindowShorterThanKubernetesKeepsAnEventIsWarnedOfWhenTheSourceIsOn() {
        String warning = "DEDUP_WINDOW (30m) is shorter than the hour Kubernetes keeps an event by default";
        try (LogCapture log = LogCapture.attach()) {
            new EventsConfiguration().kubernetesWatch(null, "castai-agent", "5m", "local", false, "30m", null);
            assertThat(log.linesContaining(warning)).as("the source off").isEmpty();
            new EventsConfiguration().kubernetesWatch(null, "castai-agent", "5m", "local", true, "1h", null);
            assertThat(log.linesContaining("DEDUP_WINDOW")).isEmpty();
            new EventsConfiguration().kubernetesWatch(null, "castai-agent", "5m", "local", true, "30m", null);
            assertThat(log.linesContaining(warning)).hasSize(1);
        }
    }

    @Test
    void aPlainHttpAddressOffThisMachineThatCarriesCredentialsIsWarnedOf() {
        try (LogCapture log = LogCapture.attach()) {
            new BaseConfiguration().castaiApi("api-key-12345", "http://castai-proxy.internal:8080", "");
            new BaseConfiguration().castaiApi("api-key-12345", "http://127.0.0.1:8080", "");
            new BaseConfiguration().castaiApi("", "http://castai-proxy.internal:8080", "");
            new EventsConfiguration().kubernetesWatch(null, "castai-agent", "5m", "http://10.0.0.1:8080", true, "24h", null);
            new EventsConfiguration().kubernetesWatch(null, "castai-agent", "5m", "http://localhost:8001", true, "24h", null);
            new EventsConfiguration().kubernetesWatch(null, "castai-agent", "5m", "http://10.0.0.1:8080", false, "24h", null);

            // the API key is sent with every call; the Kubernetes client sends its token
            assertThat(log.linesContaining("is plain http")).as("with a key, off this machine, the source on").containsExactly(
                    "WARN io.castai.events.BaseConfiguration - CASTAI_API_URL is plain http: the API key in every call "
                            + "crosses the network unencrypted; use https",
                    "WARN io.castai.events.EventsConfiguration - K8S_MASTER_URL is plain http: the Kubernetes credentials "
                            + "and the events cross the network unencrypted; use https");
            assertThat(log.text()).doesNotContain("api-key-12345");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"api.eu.cast.ai", "", "ftp://api.cast.ai", "https://"})
    void anAddressWithoutSchemeOrHostIsRefusedByName(String url) {
        // every poll failed with a URISyntaxException that named no setting
        assertThatThrownBy(() -> new BaseConfiguration().castaiApi("", url, ""))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("CASTAI_API_URL (castai.api.url): must be an http(s) URL with a host (https://...)");
        if (!url.isEmpty()) { // an empty console address means no links
            assertThatThrownBy(() -> new BaseConfiguration().consoleLink(url)).isInstanceOf(ConfigurationException.class)
                    .hasMessage("CASTAI_CONSOLE_URL (castai.console.url): must be an http(s) URL with a host (https://...)");
        }
        // without a scheme the Kubernetes client went to the address over plain HTTP, without a word
        assertThatThrownBy(() -> new EventsConfiguration().kubernetesWatch(null, "castai-agent", "5m", url, true, "24h", null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("K8S_MASTER_URL (k8s.master-url): must be an http(s) URL with a host (https://...)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"UTC+2", "+02:00", "Z"})
    void anOffsetQuartzWouldReadAsUtcIsRefused(String zone) {
        // java.time reads them; Quartz's TimeZone took each for GMT, and the schedules ran in UTC
        assertThatThrownBy(() -> new EventsConfiguration().savingsPoll(null, null, Clock.systemUTC(), zone))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("CASTAI_SCHEDULE_TIMEZONE (castai.schedule.timezone): '" + zone + "' is not a time zone");
        assertThat(new EventsConfiguration().savingsPoll(null, null, Clock.systemUTC(), "Etc/GMT-2")).isNotNull();
        assertThat(new EventsConfiguration().savingsPoll(null, null, Clock.systemUTC(), "UTC")).isNotNull();
    }

    @org.junit.jupiter.api.Test
    void anEmptyDataDirectoryIsRefusedByName() {
        // Path.of("") is the working directory: the outbox went wherever the process was started
        assertThatThrownBy(() -> new BaseConfiguration().outbox(" ", "2m", "24h", "", "", "", 4, "10s", Clock.systemUTC()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("DATA_DIR (data.dir): is empty: set it to the directory that keeps the service's state");
    }

    @org.junit.jupiter.api.Test
    void anUnknownTimeZoneIsRefusedByName() {
        assertThatThrownBy(() -> new EventsConfiguration().savingsPoll(null, null, java.time.Clock.systemUTC(), "Europe/Berlinn"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("CASTAI_SCHEDULE_TIMEZONE (castai.schedule.timezone): 'Europe/Berlinn' is not a time zone; "
                        + "write it like UTC, Europe/Berlin or America/New_York");
    }
}
