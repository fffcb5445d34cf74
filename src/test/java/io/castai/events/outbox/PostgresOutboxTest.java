package io.castai.events.outbox;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.castai.events.support.Postgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The outbox in PostgreSQL, as replicas share it: the same promises, and one answer across replicas. */
class PostgresOutboxTest extends OutboxTest {
    private Postgres database;

    @BeforeEach
    @Override
    void openOutbox() {
        database = Postgres.freshDatabase();
        super.openOutbox();
    }

    @AfterEach
    void dropDatabase() {
        if (database != null) {
            database.close();
        }
    }

    @Override
    protected Store store() {
        return Store.postgres(database.url(), Postgres.USER, "", 4, Duration.ofSeconds(3));
    }

    @Override
    protected Connection rawConnection() throws SQLException {
        return DriverManager.getConnection(database.url(), Postgres.USER, "");
    }

    @Test
    void twoReplicasGivenTheSameEventAtOnceAcceptItOnce() throws Exception {
        Outbox other = open();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            for (int i = 0; i < 50; i++) {
                String id = "same-" + i;
                List<Future<Boolean>> accepted = threads.invokeAll(List.<Callable<Boolean>>of(
                        () -> outbox.accept(event(id), List.of()) != null,
                        () -> other.accept(event(id), List.of()) != null));
                assertThat(accepted.stream().filter(this::done).count()).as(id).isEqualTo(1);
            }
        } finally {
            threads.shutdown();
            other.stop();
        }
    }

    @Test
    void aDeliveryIsClaimedByOneReplicaOnly() {
        Outbox other = open();
        try {
            for (int i = 0; i < 20; i++) {
                accept("d-" + i, "slack");
                outbox.release("d-" + i, "slack");
            }
            List<Delivery> mine = outbox.claimDue(15);
            List<Delivery> theirs = other.claimDue(20);
            assertThat(mine.size() + theirs.size()).isEqualTo(20);
            assertThat(mine).extracting(d -> d.event().getId())
                    .doesNotContainAnyElementsOf(theirs.stream().map(d -> d.event().getId()).toList());
        } finally {
            other.stop();
        }
    }

    private boolean done(Future<Boolean> future) {
        try {
            return future.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
