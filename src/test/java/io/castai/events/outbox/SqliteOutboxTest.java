package io.castai.events.outbox;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The outbox in its single-instance store, a SQLite file under DATA_DIR. */
class SqliteOutboxTest extends OutboxTest {
    @TempDir
    Path dir;

    @Override
    protected Store store() {
        return Store.sqlite(dir);
    }

    @Test
    void aLeaseLeftByACrashedRunIsVoidAtTheNextStart() {
        accept("crashed", "slack");
        outbox.stop();
        outbox = open();

        assertThat(outbox.claimDue(10)).as("one process owns the file: its old leases are void")
                .extracting(Delivery::channel).containsExactly("slack");
    }
}
