package io.castai.events.ops;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.castai.events.channels.ConfigurationException;
import org.apache.camel.PropertyBindingException;

/**
 * A camel.* setting (a CAMEL_* variable, or application.properties) Camel could not apply, in
 * one line naming it, where Camel says it in its own words with a stack trace and the value (which
 * is not repeated here). Camel reports an option it does not have in two ways: with the whole key
 * when the name is one word ({@code camel.main.shutdowntimout}), or with the bean's class and the
 * rest of the key when it has a dot in it ({@code shutdown.timout}).
 */
public final class CamelSettingMistake {
    private static final Pattern BINDING = Pattern.compile("^Error binding property \\((camel\\.[^=()\\s]+)=");
    private static final Pattern NO_GETTER =
            Pattern.compile("Cannot find getter method: \\S+ on bean: class (\\S+) when binding property: (\\S+)");
    private static final Pattern TARGET_TYPE = Pattern.compile("to type: ([\\w.$]+)");
    /** The groups of camel.* settings this service has, by the class Camel binds them to. */
    private static final Map<String, String> GROUPS = Map.of(
            "org.apache.camel.main.MainConfigurationProperties", "camel.main",
            "org.apache.camel.main.HttpServerConfigurationProperties", "camel.server",
            "org.apache.camel.component.micrometer.prometheus.MicrometerPrometheus", "camel.metrics");

    private CamelSettingMistake() {
    }

    /** The mistake {@code failure} (one of a failed start's causes) reports, or null when it is none of these. */
    public static ConfigurationException in(Throwable failure) {
        if (failure instanceof PropertyBindingException binding) {
            Matcher key = BINDING.matcher(String.valueOf(binding.getMessage()));
            if (key.find()) {
                return binding.getCause() == null ? noSuchOption(key.group(1))
                        : new ConfigurationException(named(key.group(1)) + ": Camel cannot take its value"
                        + targetType(binding.getCause()));
            }
        }
        if (failure instanceof IllegalArgumentException) {
            Matcher unknown = NO_GETTER.matcher(String.valueOf(failure.getMessage()));
            if (unknown.find()) {
                String group = GROUPS.get(unknown.group(1));
                String beanClass = unknown.group(1).substring(unknown.group(1).lastIndexOf('.') + 1);
                return group != null ? noSuchOption(group + "." + unknown.group(2))
                        : new ConfigurationException("a camel.* setting: Camel has no such option ('" + unknown.group(2)
                        + "' of " + beanClass + "); check its spelling against README's table or Camel's options");
            }
        }
        return null;
    }

    private static ConfigurationException noSuchOption(String key) {
        return new ConfigurationException(named(key) + ": Camel has no such option; check its spelling against "
                + "README's table or Camel's options");
    }

    /** As the environment writes it, then as application.properties does. */
    private static String named(String key) {
        // camel.main.jmxEnabled is CAMEL_MAIN_JMX_ENABLED in the environment
        return key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_')
                + " (" + key + ")";
    }

    private static String targetType(Throwable conversion) {
        Matcher type = TARGET_TYPE.matcher(String.valueOf(conversion.getMessage()));
        return type.find() ? " as a " + type.group(1) : "";
    }
}
