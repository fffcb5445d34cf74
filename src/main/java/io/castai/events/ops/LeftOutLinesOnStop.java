package io.castai.events.ops;

import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.CamelContextStoppedEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * Once the context has stopped (no refusal or delivery comes after): every limited log says how
 * many of its lines it left out, though their window has not passed. Otherwise a flood just before
 * a stop would leave its count unsaid. Listens to nothing else: no cost per message.
 */
public class LeftOutLinesOnStop extends EventNotifierSupport {
    public LeftOutLinesOnStop() {
        setIgnoreExchangeEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelContextStoppedEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        RefusalLog.sayAllLeftOutNow();
    }
}
