package io.castai.events.outbox;

import java.time.Duration;

import io.castai.events.channels.ConfigurationException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A CASTAI_STORE_URL the PostgreSQL driver would misread is refused at start-up, without quoting it. */
class StoreUrlTest {
    @Test
    void credentialsBeforeTheHostAreRefusedWithoutQuotingThem() {
        // the driver would take "castai:password@db" for a host name, and print it in its errors
        assertThatThrownBy(() -> Store.postgres("jdbc:postgresql://castai:PgPw5ecret99@db.example:5432/events",
                "", "", 2, Duration.ofSeconds(1)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("CASTAI_STORE_URL (castai.store.url): holds credentials before the host")
                .hasMessageNotContaining("PgPw5ecret99");
        for (String url : new String[] {"jdbc:postgresql://castai:PgPw5ecret/99@db.example/events",
                "jdbc:postgresql://castai:PgPw5ecret?99@db.example/events?sslmode=require",
                "jdbc:postgresql://castai:UGdQdzVlY3JldA==@db.example/events"}) {
            assertThatThrownBy(() -> Store.postgres(url, "", "", 2, Duration.ofSeconds(1)))
                    .as("a /, ? or = in the password").isInstanceOf(ConfigurationException.class)
                    .hasMessageNotContaining("PgPw5ecret").hasMessageNotContaining("UGdQdzVlY3JldA");
        }
    }

    @Test
    void anotherKindOfUrlIsRefused() {
        assertThatThrownBy(() -> Store.postgres("postgresql://db.example/events", "", "", 2, Duration.ofSeconds(1)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("CASTAI_STORE_URL (castai.store.url): must be a jdbc:postgresql: URL");
    }
}
