package io.castai.events.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.castai.events.channels.ConfigurationException;
import io.castai.events.channels.EditDistance;
import io.castai.events.security.Secrets;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A setting given under a name close to one of the service's ({@code SLACK_WEBHOOK_ULR} in the
 * environment, {@code delivery.concurency} in a mounted application.properties) is read by
 * nothing: the service runs on the default, and a channel left without its URL is quietly off.
 * Warned at start-up with the name it was likely meant to be. Only near misses are named: the
 * environment holds many other variables, and a team's own routes may read properties of their
 * own. The names channels.yaml takes from the environment count as the service's. Values are
 * never logged: one may be a secret.
 */
public class SettingNames extends MainListenerSupport {
    private static final Logger LOG = LoggerFactory.getLogger(SettingNames.class);
    /**
     * At most this many edits (a letter added, dropped, changed, or two swapped) from a known
     * name; one for a name under {@link #LONG} characters (HOME is two from NAME).
     */
    private static final int NEAR = 2;
    private static final int LONG = 10;
    /** Read by logback, not Camel. */
    private static final String LOG_LEVEL = "LOG_LEVEL";
    private static final String FILE = "_FILE";
    private static final String ENVIRONMENT = "the environment";
    private static final String PROPERTIES = "application.properties";
    /**
     * Variables a shell, a container runtime or Kubernetes sets, never meant as one of the
     * service's: TERM is an edit from a channels.yaml's TEAM.
     */
    private static final Set<String> SYSTEM = Set.of("TERM", "HOME", "PATH", "PWD", "OLDPWD", "USER", "LOGNAME",
            "SHELL", "SHLVL", "LANG", "LANGUAGE", "TZ", "HOSTNAME", "MAIL", "TMPDIR", "EDITOR", "DISPLAY", "JAVA_HOME");
    /** A ${NAME} anywhere in channels.yaml, comments too: a name taken for known only spares a warning. */
    private static final Pattern CHANNELS_REFERENCE = Pattern.compile("\\$\\{([A-Za-z0-9_.\\-]+)");

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        PropertiesComponent properties = main.getCamelContext().getPropertiesComponent();
        Set<String> settingKeys = SettingTypes.bundledDefaults().stringPropertyNames();
        Set<String> references = channelsReferences(properties.resolveProperty("channels.file").orElse(null));
        Set<String> given = new TreeSet<>(properties.loadProperties().stringPropertyNames());
        if (main.getOverrideProperties() != null) { // none unless given (tests give theirs)
            given.addAll(main.getOverrideProperties().stringPropertyNames());
        }
        for (String warning : nearMisses(settingKeys, references, System.getenv().keySet(), given)) {
            LOG.warn(warning);
        }
    }

    /**
     * One warning for each name in the environment or among the properties that is not known
     * (a setting's, or one channels.yaml takes) but is near one that is, compared as environment
     * variables (upper case, '_' for '.' and '-'); the name meant is given as the source writes it.
     */
    static List<String> nearMisses(Collection<String> settingKeys, Collection<String> channelsReferences,
                                   Collection<String> environment, Collection<String> properties) {
        Set<String> known = known(settingKeys, channelsReferences);
        Map<String, String> sources = new TreeMap<>();
        properties.forEach(name -> sources.put(name, PROPERTIES));
        environment.forEach(name -> sources.put(name, ENVIRONMENT));
        List<String> warnings = new ArrayList<>();
        sources.forEach((name, source) -> {
            String asVariable = asVariable(name);
            if (known.contains(asVariable) || asVariable.startsWith("CAMEL_")
                    || source.equals(ENVIRONMENT) && (SYSTEM.contains(name) || name.startsWith("LC_"))) {
                return; // Camel names its own unknown options; the system's are no mistake
            }
            String fileOf = asVariable.endsWith(FILE) ? asVariable.substring(0, asVariable.length() - FILE.length()) : null;
            if (fileOf != null && known.contains(fileOf)) {
                warnings.add("Setting " + name + " (" + source + ") is not one this service reads, so it changes nothing: "
                        + "only secrets are read from a file; set " + fileOf + " itself");
                return;
            }
            String meant = nearest(asVariable, known);
            if (meant != null) {
                warnings.add("Setting " + name + " (" + source + ") is not one this service reads, so it changes nothing: "
                        + "did you mean " + (source.equals(ENVIRONMENT) || name.equals(asVariable) ? meant
                        : asProperty(meant, settingKeys)) + "?");
            }
        });
        return warnings;
    }

    /**
     * The service's settings as environment variables: each key, LOG_LEVEL, the names channels.yaml
     * takes, and the _FILE forms of the secrets and of those names (no other setting reads one).
     */
    private static Set<String> known(Collection<String> settingKeys, Collection<String> channelsReferences) {
        Set<String> known = new TreeSet<>();
        for (String key : settingKeys) {
            known.add(asVariable(key));
        }
        Secrets.secretVariables().forEach(secret -> known.add(secret + FILE));
        known.add(LOG_LEVEL);
        for (String reference : channelsReferences) {
            known.add(asVariable(reference));
            known.add(asVariable(reference) + FILE);
        }
        return known;
    }

    /** The names channels.yaml takes with ${NAME}; none when it cannot be read (start-up names that itself). */
    static Set<String> channelsReferences(String channelsFile) {
        Set<String> names = new TreeSet<>();
        if (channelsFile == null) {
            return names;
        }
        try {
            Matcher reference = CHANNELS_REFERENCE.matcher(Files.readString(Path.of(channelsFile.trim())));
            while (reference.find()) {
                names.add(reference.group(1));
            }
        } catch (IOException | RuntimeException unreadable) {
            // ChannelsFile refuses it, naming why
        }
        return names;
    }

    private static String asVariable(String name) {
        return ConfigurationException.environmentName(name);
    }

    /** A property's name for a variable, as application.properties writes it, where it is a setting's. */
    private static String asProperty(String variable, Collection<String> settingKeys) {
        return settingKeys.stream().filter(key -> asVariable(key).equals(variable)).findFirst().orElse(variable);
    }

    /** The known name closest to {@code name} if it is near (the first in order of a tie); else null. */
    private static String nearest(String name, Set<String> known) {
        String nearest = null;
        int least = (name.length() < LONG ? 1 : NEAR) + 1;
        for (String candidate : known) {
            int distance = EditDistance.between(name, candidate, least);
            if (distance < least) {
                least = distance;
                nearest = candidate;
            }
        }
        return nearest;
    }
}
