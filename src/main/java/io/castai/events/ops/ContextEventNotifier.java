package io.castai.events.ops;

import java.util.List;

import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.CamelContextEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * A notifier of some of the context's own events (starting, stopping...): it is told of no
 * exchange, route, service or step, so it costs nothing per message.
 */
public abstract class ContextEventNotifier extends EventNotifierSupport {
    private final List<Class<? extends CamelContextEvent>> kinds;

    @SafeVarargs
    protected ContextEventNotifier(Class<? extends CamelContextEvent>... kinds) {
        this.kinds = List.of(kinds);
        setIgnoreExchangeEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
    }

    @Override
    public final boolean isEnabled(CamelEvent event) {
        return kinds.stream().anyMatch(kind -> kind.isInstance(event));
    }
}
