package io.castai.events.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.TreeSet;

import io.castai.events.channels.ConfigurationException;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;

/**
 * A setting whose bundled default is a whole number or true/false must be one too, wherever it
 * was set (environment, mounted application.properties). Checked before anything is built: Camel's
 * own conversion error names neither the setting nor what it wants. The value itself is left out
 * of the message: it may be a misplaced secret.
 */
public class SettingTypes extends MainListenerSupport {
    private static final String DEFAULTS = "application.properties";

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        PropertiesComponent settings = main.getCamelContext().getPropertiesComponent();
        Properties defaults = bundledDefaults();
        for (String key : new TreeSet<>(defaults.stringPropertyNames())) {
            if (key.startsWith("camel.")) {
                continue; // Camel checks its own, naming them
            }
            String byDefault = defaults.getProperty(key).trim();
            String value = settings.resolveProperty(key).map(String::trim).orElse(byDefault);
            if (byDefault.matches("-?\\d+") && !value.matches("-?\\d+")) {
                throw ConfigurationException.inSetting(key, "must be a whole number");
            }
            if (byDefault.matches("true|false") && !value.matches("(?i)true|false")) {
                throw ConfigurationException.inSetting(key, "must be true or false");
            }
        }
    }


    private static Properties bundledDefaults() {
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
