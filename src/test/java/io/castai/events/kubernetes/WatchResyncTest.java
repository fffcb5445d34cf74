package io.castai.events.kubernetes;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;

import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A failed list says why: the API's status, or what the connection's failure said. */
class WatchResyncTest {
    @Test
    void aFailureWithoutAStatusNamesItsCause() {
        KubernetesClientException failure = new KubernetesClientException("Operation: [list] for kind: [Event] failed",
                new ConnectException("Connection refused"));

        assertThat(WatchResync.describe(failure))
                .isEqualTo("KubernetesClientException: ConnectException: Connection refused");
    }

    @Test
    void theFirstResyncDoesNotJudgeAWatchStillHandingOverWhatTheNamespaceHeld() {
        WatchResync resync = new WatchResync(new KubernetesEvents("", "castai"), "castai-agent", Duration.ofMinutes(5), null);
        Event old = new EventBuilder().withNewMetadata().withNamespace("castai-agent").withName("e").withUid("u-1")
                .withCreationTimestamp("2026-01-01T00:00:00Z").endMetadata().build();

        assertThat(checked(resync, old, true).getProperty("watchMissed", Boolean.class)).as("the first resync").isFalse();
        assertThat(checked(resync, old, false).getProperty("watchMissed", Boolean.class))
                .as("a later one: an hour-old event the watch never handed over").isTrue();
    }

    private static Exchange checked(WatchResync resync, Event listed, boolean first) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(WatchResync.FIRST_RESYNC, first);
        resync.listing(exchange);
        exchange.getMessage().setBody(List.of(listed));
        resync.check(exchange);
        return exchange;
    }
}
