package io.castai.events.dedup;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class BoundedIdempotentRepositoryTest {
    @Test
    void aKeyIsAddedOnceAndCanBeRemoved() {
        BoundedIdempotentRepository repository = new BoundedIdempotentRepository(10, Duration.ofHours(1));

        assertThat(repository.add("a")).isTrue();
        assertThat(repository.add("a")).isFalse();
        assertThat(repository.contains("a")).isTrue();
        assertThat(repository.remove("a")).isTrue();
        assertThat(repository.add("a")).isTrue();
    }

    @Test
    void itHoldsNoMoreThanItsBound() {
        BoundedIdempotentRepository repository = new BoundedIdempotentRepository(100, Duration.ofHours(1));

        for (int i = 0; i < 10_000; i++) {
            repository.add("key-" + i);
        }

        assertThat(repository.size()).isLessThanOrEqualTo(100);
    }

    @Test
    void aKeySeenEarlierIsKeptForWhatIsLeftOfItsWindow() {
        BoundedIdempotentRepository repository = new BoundedIdempotentRepository(10, Duration.ofHours(1));
        // long enough that a pause of a busy machine between the add and the check cannot expire it
        repository.add("earlier", Duration.ofSeconds(2));
        repository.add("outside", Duration.ofMillis(-1));

        assertThat(repository.contains("earlier")).isTrue();
        assertThat(repository.contains("outside")).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> !repository.contains("earlier"));
    }

    @Test
    void keysExpireAfterTheWindow() {
        BoundedIdempotentRepository repository = new BoundedIdempotentRepository(10, Duration.ofMillis(100));
        repository.add("a");

        await().atMost(Duration.ofSeconds(5)).until(() -> !repository.contains("a"));
        assertThat(repository.add("a")).isTrue();
    }
}
