package io.castai.events.kubernetes;

import java.net.ConnectException;

import io.fabric8.kubernetes.client.KubernetesClientException;
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
}
