package io.castai.events.ops;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.castai.events.channels.ConfigurationException;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.model.ChoiceDefinition;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ToDefinition;
import org.apache.camel.model.TryDefinition;

/**
 * Refuses to start when the YAML routes were not found, or some of them: Camel starts without a
 * word, and the pod is then ready while events are refused or never delivered. None found: a
 * wrong working directory, or a routes/ that is a symbolic link, which Camel does not follow. Some
 * missing (a routes/ mounted from a ConfigMap holding only some files): a route sends to a
 * {@code direct:} endpoint no loaded route reads from, found only when an event comes (every
 * request waited for its timeout, or its deliveries stayed pending for ever).
 */
public class RoutesLoaded extends MainListenerSupport {
    private static final String INTAKE = "intake";
    private static final String DIRECT = "direct:";

    @Override
    public void afterConfigure(BaseMainSupport main) {
        ModelCamelContext model = (ModelCamelContext) main.getCamelContext();
        String pattern = main.configure().getRoutesIncludePattern();
        if (model.getRouteDefinition(INTAKE) == null) {
            throw new ConfigurationException("no '" + INTAKE + "' route among the " + model.getRouteDefinitions().size()
                    + " route(s) loaded from " + pattern
                    + ": start from the directory that holds routes/ (a real directory: Camel does not follow a"
                    + " symbolic link to it), or point CAMEL_MAIN_ROUTES_INCLUDE_PATTERN at the route files");
        }
        Set<String> served = new HashSet<>(); // null for a route from anything but direct:
        // the routes, the templates the channels' routes are made from later (channel-*.camel.yaml),
        // and the route configurations' error handlers: each with the steps that may send
        Map<String, List<ProcessorDefinition<?>>> senders = new LinkedHashMap<>();
        for (RouteDefinition route : model.getRouteDefinitions()) {
            senders.put("route " + route.getRouteId(), route.getOutputs());
            served.add(directName(route.getInput().getEndpointUri()));
        }
        model.getRouteTemplateDefinitions().forEach(template -> {
            senders.put("route template " + template.getId(), template.getRoute().getOutputs());
            served.add(directName(template.getRoute().getInput().getEndpointUri()));
        });
        model.getRouteConfigurationDefinitions().forEach(configuration ->
                senders.put("route configuration " + configuration.getId(), new ArrayList<>(configuration.getOnExceptions())));
        Map<String, String> sentToBy = new TreeMap<>();
        senders.forEach((sender, outputs) -> {
            List<ProcessorDefinition<?>> steps = new ArrayList<>(outputs);
            while (!steps.isEmpty()) {
                ProcessorDefinition<?> step = steps.remove(steps.size() - 1);
                String to = step instanceof ToDefinition send ? directName(send.getUri()) : null;
                if (to != null && !to.contains("{{")) { // a placeholder's name is known only once resolved
                    // the first by name: the files are loaded in no fixed order
                    sentToBy.merge(to, sender, (one, other) -> one.compareTo(other) <= 0 ? one : other);
                }
                steps.addAll(step.getOutputs());
                if (step instanceof ChoiceDefinition choice) {
                    choice.getWhenClauses().forEach(when -> steps.addAll(when.getOutputs()));
                    if (choice.getOtherwise() != null) {
                        steps.addAll(choice.getOtherwise().getOutputs());
                    }
                }
                if (step instanceof TryDefinition attempt) { // its catch and finally steps are not among its outputs
                    steps.addAll(attempt.getCatchClauses());
                    if (attempt.getFinallyClause() != null) {
                        steps.add(attempt.getFinallyClause());
                    }
                }
            }
        });
        sentToBy.keySet().removeAll(served);
        if (!sentToBy.isEmpty()) {
            Map.Entry<String, String> missing = sentToBy.entrySet().iterator().next();
            throw new ConfigurationException(missing.getValue() + " sends to " + DIRECT + missing.getKey()
                    + ", which no route loaded from " + pattern + " reads from" + (sentToBy.size() > 1 ? " (nor "
                    + String.join(", ", sentToBy.keySet().stream().skip(1).map(name -> DIRECT + name).toList()) + ")" : "")
                    + ": a route file is missing (mount all of routes/, and your own files beside them)");
        }
    }

    /** The name of a {@code direct:} endpoint ({@code direct:dispatch}, {@code direct://dispatch?timeout=1}), else null. */
    private static String directName(String uri) {
        if (uri == null || !uri.startsWith(DIRECT)) {
            return null;
        }
        String name = uri.substring(DIRECT.length());
        name = name.startsWith("//") ? name.substring(2) : name;
        int query = name.indexOf('?');
        return query < 0 ? name : name.substring(0, query);
    }
}
