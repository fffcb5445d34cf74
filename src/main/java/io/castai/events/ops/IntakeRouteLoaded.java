package io.castai.events.ops;

import io.castai.events.channels.ConfigurationException;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.model.ModelCamelContext;

/**
 * Refuses to start when the YAML routes were not found: Camel starts an empty context without a
 * word (a wrong working directory, a routes/ that is a symbolic link, which Camel does not
 * follow), and the pod would then be ready while every event gets a 404.
 */
public class IntakeRouteLoaded extends MainListenerSupport {
    private static final String INTAKE = "intake";

    @Override
    public void afterConfigure(BaseMainSupport main) {
        ModelCamelContext model = (ModelCamelContext) main.getCamelContext();
        if (model.getRouteDefinition(INTAKE) == null) {
            throw new ConfigurationException("no '" + INTAKE + "' route among the " + model.getRouteDefinitions().size()
                    + " route(s) loaded from " + main.configure().getRoutesIncludePattern()
                    + ": start from the directory that holds routes/ (a real directory: Camel does not follow a"
                    + " symbolic link to it), or point CAMEL_MAIN_ROUTES_INCLUDE_PATTERN at the route files");
        }
    }
}
