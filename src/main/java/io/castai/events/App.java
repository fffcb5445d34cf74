package io.castai.events;

import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.SQLException;

import io.castai.events.channels.ChannelRoutes;
import io.castai.events.channels.ConfigurationException;
import io.castai.events.ops.CamelSettingMistake;
import io.castai.events.ops.Causes;
import io.castai.events.ops.RoutesLoaded;
import io.castai.events.ops.SettingNames;
import io.castai.events.ops.SettingTypes;
import io.castai.events.outbox.OutboxException;
import io.castai.events.security.Secrets;
import org.apache.camel.main.Main;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

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

    public static void main(String[] args) {
        // before anything reads them: whatever fails from here on, the log masks them
        Secrets.registerEnvironment(System.getenv());
        // java.util.logging (the PostgreSQL driver's, which prints URLs) through that log, not to stderr
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        // and what a thread dies of, too (the JVM's own handler prints it to stderr as it is)
        Thread.setDefaultUncaughtExceptionHandler((thread, failure) ->
                LoggerFactory.getLogger(App.class).error("Thread {} ended: {}", thread.getName(), failure.toString(), failure));
        Main main = createMain();
        try {
            Secrets.refuseCamelPlaceholders(System.getenv());
            main.run(args);
        } catch (Throwable failed) {
            String known = knownReason(failed);
            if (known != null) {
                // the one line that names it, not Camel's wrapping stack trace
                LoggerFactory.getLogger(App.class).error("Not started: {}", known);
            } else {
                // through the log, not the JVM's own printing to stderr: the log masks secrets
                LoggerFactory.getLogger(App.class).error("Not started: {}", failed.getMessage(), failed);
            }
            // Camel's shutdown hook would log "JVM shutdown hook triggered by SIGTERM" for this exit
            // of the service's own: told it is over, it says nothing
            main.getShutdownStrategy().shutdown();
            System.exit(1);
        }
    }

    /**
     * What a failed start comes down to, in one line, where that is known: a mistake in the
     * configuration, or an outbox that cannot be used (a damaged SQLite file: the database's own
     * words were some 280 lines below the line that said only "cannot read recent event ids").
     * Null otherwise: the stack trace then helps.
     */
    static String knownReason(Throwable failure) {
        ConfigurationException mistake = configurationMistake(failure);
        if (mistake != null) {
            return mistake.getMessage();
        }
        // the database's own words only: a bug wrapped on its way through the store keeps its trace
        return OutboxException.in(failure) != null && Causes.find(failure, SQLException.class) != null
                ? "the outbox cannot be used: " + OutboxException.describe(failure) : null;
    }

    private static ConfigurationException configurationMistake(Throwable failure) {
        for (Throwable cause : Causes.chain(failure)) {
            if (cause instanceof ConfigurationException mistake) {
                return mistake;
            }
            ConfigurationException camelSetting = CamelSettingMistake.in(cause);
            if (camelSetting != null) {
                return camelSetting;
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
        // instances, not classes: Camel Main post-processes a class it made itself twice, and every
        // @BindToRegistry bean of it would be built twice (two pools, warnings said twice)
        main.configure().addConfiguration(new BaseConfiguration());
        main.configure().addConfiguration(new EventsConfiguration());
        // before anything is built: a word for a number is a mistake to name, not Camel's conversion error
        main.addMainListener(new SettingTypes());
        // and a near miss of a setting's name (read by nothing) is named, with the name it was likely meant to be
        main.addMainListener(new SettingNames());
        // before anything uses the routes: none loaded is a mistake to name, not an empty service
        main.addMainListener(new RoutesLoaded());
        // one sending route per configured channel, from its type's route template
        main.addMainListener(new ChannelRoutes());
        main.setPropertyPlaceholderLocations(PROPERTY_LOCATIONS);
        return main;
    }
}
