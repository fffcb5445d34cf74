package io.castai.events.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import io.castai.events.channels.ConfigurationException;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.quartz.CronExpression;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A setting whose bundled default is a whole number or true/false must be one too, wherever it
 * was set (environment, mounted application.properties); a whole number is 1 or more unless 0
 * means something for it, and a schedule is a Quartz cron expression. Checked before anything is
 * built: Camel's own errors name neither the setting nor what it wants, and some values it takes
 * without a word (a 0 retry interval fires once: no delivery was ever retried; a 0 queue size
 * left every delivery in the outbox). The value itself is left out of the message: it may be a
 * misplaced secret.
 */
public class SettingTypes extends MainListenerSupport {
    private static final String DEFAULTS = "application.properties";
    /**
     * Whole-number settings for which 0 means something: any port, no limit, the automatic size,
     * none in memory. (Not the offer timeout: camel-seda takes 0 as waiting for room for ever.)
     */
    private static final Set<String> ZERO_ALLOWED = Set.of("server.port", "intake.max-inflight-bytes",
            "intake.request-timeout-ms", "delivery.backlog-threshold", "dedup.max-entries", "delivery.queue-max-chars");
    /** Camel's own keys checked here all the same: Camel takes a bad value of it without a word. */
    private static final Set<String> CAMEL_CHECKED = Set.of("camel.main.shutdown-timeout");
    /** Some whole numbers are read as Java ints; none needs more. */
    private static final BigInteger MOST = BigInteger.valueOf(Integer.MAX_VALUE);
    private static final BigInteger MOST_PORT = BigInteger.valueOf(65535);
    private static final String SCHEDULE = ".schedule";
    /** A duration as the bundled defaults write them: 24h, 5m, 500ms, 1h30m. */
    private static final String DURATION = "(\\d+[a-z]+)+";
    private static final Logger LOG = LoggerFactory.getLogger(SettingTypes.class);
    /** Settings an empty value would break, with what it would do. */
    private static final Map<String, String> NOT_EMPTY = Map.of(
            "server.host", "the server would not start; 0.0.0.0 listens on every address",
            "k8s.events.namespace", "it would watch every namespace; castai-agent is CAST AI's",
            "k8s.master-url", "write local (the kubeconfig, else the pod's service account) or the API server's https:// URL");
    /**
     * Settings read as they are written, spaces and line breaks included (a route's endpoint
     * options, the server's address): a ConfigMap's trailing line break in a schedule stopped
     * start-up with a stack trace, a space before a time zone ran the schedules in UTC without a
     * word, one before a namespace left the watch unstarted. {@code SettingTypesTest} holds this
     * to every setting the bundled routes name.
     */
    static final Set<String> READ_AS_WRITTEN = Set.of("server.host", "castai.schedule.timezone", "castai.audit.schedule",
            "castai.notifications.schedule", "castai.savings.schedule", "k8s.events.namespace", "k8s.events.resync",
            "k8s.master-url");
    /** What logback reads as a level; anything else it takes as DEBUG, without a word. */
    private static final Set<String> LOG_LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        checkLogLevel(System.getenv("LOG_LEVEL"));
        check(main.getCamelContext().getPropertiesComponent()::resolveProperty);
    }

    /** LOG_LEVEL, read by logback (not a Camel setting): a mistyped level turned on DEBUG logging. */
    static void checkLogLevel(String level) {
        if (level != null && !LOG_LEVELS.contains(level.trim().toUpperCase(Locale.ROOT))) {
            throw new ConfigurationException("LOG_LEVEL: must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF "
                    + "(logback took it as DEBUG)");
        }
    }

    /** {@code settings}: a setting's value by key, where one was given. */
    static void check(Function<String, Optional<String>> settings) {
        Properties defaults = bundledDefaults();
        for (String key : new TreeSet<>(defaults.stringPropertyNames())) {
            if (key.startsWith("camel.") && !CAMEL_CHECKED.contains(key)) {
                continue; // Camel checks its own, naming them
            }
            String byDefault = defaults.getProperty(key).trim();
            String given = settings.apply(key).orElse(byDefault);
            String value = given.trim();
            boolean typed = byDefault.matches("-?\\d+|true|false");
            if ((typed || READ_AS_WRITTEN.contains(key) && !value.isEmpty()) && !given.equals(value)) {
                // the environment's value reaches the setting as written, and a number with a space is no number
                throw ConfigurationException.inSetting(key, "has spaces around its value: write it without them");
            }
            if (byDefault.matches("-?\\d+")) {
                if (!value.matches("-?\\d+")) {
                    throw ConfigurationException.inSetting(key, "must be a whole number");
                }
                long least = ZERO_ALLOWED.contains(key) ? 0 : 1;
                BigInteger most = "server.port".equals(key) ? MOST_PORT : MOST;
                BigInteger number = new BigInteger(value);
                if (number.compareTo(BigInteger.valueOf(least)) < 0 || number.compareTo(most) > 0) {
                    throw ConfigurationException.inSetting(key, "must be a whole number from " + least + " to " + most);
                }
            }
            // lower case: a route's precondition reads the value as the Simple language, and TRUE stopped start-up there
            if (byDefault.matches("true|false") && !value.matches("true|false")) {
                throw ConfigurationException.inSetting(key, "must be true or false, in lower case");
            }
            if (value.isEmpty() && NOT_EMPTY.containsKey(key)) {
                throw ConfigurationException.inSetting(key, "is empty: " + NOT_EMPTY.get(key));
            }
            if (byDefault.matches(DURATION) && value.matches("[1-9]\\d*")) {
                // a duration without its unit is milliseconds: DEDUP_WINDOW=86400 meant a day, and kept ids 86 s
                LOG.warn("{} ({}): {} has no unit, so it is read as {} milliseconds ({} s); write the unit meant ({}s, {}ms)",
                        ConfigurationException.environmentName(key), key, value, value, new BigDecimal(value).movePointLeft(3).toPlainString(), value, value);
            }
            if (key.endsWith(SCHEDULE) && !value.isEmpty() && !CronExpression.isValidExpression(value)) {
                throw ConfigurationException.inSetting(key, "is not a Quartz cron expression: six or seven fields, "
                        + "seconds first (second minute hour day-of-month month day-of-week [year]), e.g. 0 * * * * ?");
            }
        }
        checkInflightBudget(settings, defaults);
    }

    /** The in-flight budget holds one body of the largest size at least: a smaller one was raised to it without a word. */
    private static void checkInflightBudget(Function<String, Optional<String>> settings, Properties defaults) {
        long budget = Long.parseLong(settings.apply("intake.max-inflight-bytes")
                .orElse(defaults.getProperty("intake.max-inflight-bytes")).trim());
        long maxBody = Long.parseLong(settings.apply("intake.max-body-bytes")
                .orElse(defaults.getProperty("intake.max-body-bytes")).trim());
        if (budget != 0 && budget < maxBody) {
            throw ConfigurationException.inSetting("intake.max-inflight-bytes", "must be 0 (a quarter of the heap) or at "
                    + "least INTAKE_MAX_BODY_BYTES (" + maxBody + "): one body of the largest size must fit");
        }
    }

    static Properties bundledDefaults() {
        Properties defaults = new Properties();
        try (InputStream in = SettingTypes.class.getClassLoader().getResourceAsStream(DEFAULTS)) {
            if (in != null) {
                defaults.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return defaults;
    }
}
