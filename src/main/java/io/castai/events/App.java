package io.castai.events;

import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import io.castai.events.channels.ChannelRoutes;
import io.castai.events.channels.ConfigurationException;
import io.castai.events.ops.IntakeRouteLoaded;
import io.castai.events.ops.SettingTypes;
import org.apache.camel.main.Main;
import org.slf4j.LoggerFactory;

/** Starts the service: Camel Main with the YAML routes under routes/ and the beans of {@link EventsConfiguration}. */
public final class App {
    /**
     * Defaults come bundled in the jar; an application.properties in the working directory (the
     * repository root, or a mounted file in a container) overrides them: for a key in both,
     * Camel takes the location listed first (ContainerLayoutIT checks this).
     */
    public static final String PROPERTY_LOCATIONS =
            "file:application.properties;optional=true,classpath:application.properties;optional=true";

    private App() {
    }

    public static void main(String[] args) throws Exception {
        Main main = createMain();
        try {
            main.run(args);
        } catch (Exception failed) {
            ConfigurationException mistake = configurationMistake(failed);
            if (mistake == null) {
                throw failed;
            }
            // a mistake in the configuration: the one line that names it, not Camel's wrapping stack trace
            LoggerFactory.getLogger(App.class).error("Not started: {}", mistake.getMessage());
            System.exit(1);
        }
    }

    private static ConfigurationException configurationMistake(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConfigurationException mistake) {
                return mistake;
            }
            if (cause instanceof NoSuchFileException missing && !Path.of(missing.getFile()).isAbsolute()) {
                // at start-up, a relative path: routes/ when started from the wrong directory
                return new ConfigurationException("no such file or directory: " + missing.getFile()
                        + " (relative paths are read from the working directory, " + Path.of("").toAbsolutePath() + ")");
            }
        }
        return null;
    }

    public static Main createMain() {
        // no classpath scanning: walking the whole fat jar for one configuration class costs seconds at start
        Main main = new Main();
        main.configure().addConfiguration(BaseConfiguration.class);
        main.configure().addConfiguration(EventsConfiguration.class);
        // before anything is built: a word for a number is a mistake to name, not Camel's conversion error
        main.addMainListener(new SettingTypes());
        // before anything uses the routes: none loaded is a mistake to name, not an empty service
        main.addMainListener(new IntakeRouteLoaded());
        // one sending route per configured channel, from its type's route template
        main.addMainListener(new ChannelRoutes());
        main.setPropertyPlaceholderLocations(PROPERTY_LOCATIONS);
        return main;
    }
}
