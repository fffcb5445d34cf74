package io.castai.events.outbox;

import java.time.Clock;
import java.time.Duration;

import io.castai.events.channels.ConfigurationException;
import io.castai.events.support.ClosedPort;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UnreachableStoreTest {
    @Test
    void aSharedStoreThatCannotBeReachedAtStartStopsItInOneLineNamingTheSetting() {
        ClosedPort closed = new ClosedPort();
        Store store = Store.postgres("jdbc:postgresql://127.0.0.1:" + closed.port() + "/castai",
                null, null, 1, Duration.ofMillis(500));
        Outbox outbox = new Outbox(store, Clock.systemUTC(), Duration.ofMinutes(2), Duration.ofHours(24));
        try (closed) {
            assertThatThrownBy(outbox::start).satisfies(failure -> {
                Throwable cause = failure;
                while (!(cause instanceof ConfigurationException) && cause.getCause() != null) {
                    cause = cause.getCause();
                }
                assertThat(cause).isInstanceOf(ConfigurationException.class).hasMessage("CASTAI_STORE_URL (castai.store.url): "
                        + "the database cannot be reached (Connection refused); start-up stops (Kubernetes restarts the pod)");
            });
        } finally {
            store.close();
        }
    }
}
