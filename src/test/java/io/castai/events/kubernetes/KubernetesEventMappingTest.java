package io.castai.events.kubernetes;

import io.castai.events.intake.NotificationEvent;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A Kubernetes event as this service's event: what the channels read of it. */
class KubernetesEventMappingTest {
    private final KubernetesEvents events = new KubernetesEvents("prod", "castai");

    @Test
    void aNodesEventNamesTheNodeAsTheOtherSourcesDo() {
        NotificationEvent event = events.toEvent(event("Node", "ip-10-0-1-1").build());
        // what dedupBy: node and the channels' node fields read
        assertThat(event.detail("nodeName")).isEqualTo("ip-10-0-1-1");
        assertThat(events.toEvent(event("Pod", "castai-agent-0").build()).detail("nodeName")).isEmpty();
    }

    @Test
    void aSeriesIsDatedByItsLatestObservationNotItsFirst() {
        Event series = event("Node", "ip-10-0-1-1").withNewSeries().withCount(7)
                .withLastObservedTime(new MicroTime("2026-11-29T10:00:00.000000Z")).endSeries().build();
        assertThat(events.toEvent(series).getTimestamp()).isEqualTo("2026-11-29T10:00:00.000000Z");
        assertThat(events.toEvent(event("Node", "ip-10-0-1-1").build()).getTimestamp()).isEqualTo("2026-11-28T16:00:00.000000Z");
    }

    private static EventBuilder event(String kind, String name) {
        return new EventBuilder()
                .withNewMetadata().withNamespace("castai-agent").withName("evt").withUid("uid-1").endMetadata()
                .withReason("NodeNotReady").withType("Warning").withNote("not ready")
                .withNewRegarding().withKind(kind).withName(name).endRegarding()
                .withReportingController("castai")
                .withEventTime(new MicroTime("2026-11-28T16:00:00.000000Z"));
    }
}
