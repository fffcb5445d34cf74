package io.castai.events.ops;

import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.CamelContextStoppedEvent;

/**
 * Once the context has stopped (no refusal or delivery comes after): every limited log says how
 * many of its lines it left out, though their window has not passed. Otherwise a flood just before
 * a stop would leave its count unsaid.
 */
public class LeftOutLinesOnStop extends ContextEventNotifier {
    public LeftOutLinesOnStop() {
        super(CamelContextStoppedEvent.class);
    }

    @Override
    public void notify(CamelEvent event) {
        RefusalLog.sayAllLeftOutNow();
    }
}
