package io.castai.events.ops;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.castai.events.support.LogCapture;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** A flood of refusals writes a bounded number of lines, and the next line says how many it left out. */
class RefusalLogTest {
    private final AtomicLong now = new AtomicLong();

    @Test
    void atMostTheLimitIsWrittenPerWindowAndTheNextLineCountsTheRest() {
        try (LogCapture log = LogCapture.attach()) {
            RefusalLog refusals = new RefusalLog(LoggerFactory.getLogger("refusal-log-test"), 3, 10, now::get);
            for (int i = 1; i <= 8; i++) {
                refusals.warn("Refused request {}", i);
            }
            assertThat(log.linesContaining("Refused request")).hasSize(3);

            now.addAndGet(TimeUnit.SECONDS.toNanos(10));
            refusals.warn("Refused request {}", 9);

            assertThat(log.linesContaining("Refused request")).hasSize(4);
            assertThat(log.linesContaining("Refused request 9").get(0))
                    .endsWith("Refused request 9 (5 more refused before this one were not logged: at most 3 lines every 10 s)");
        }
    }

    @Test
    void aLineWhoseArgumentsCostSomethingIsMadeOnlyWhenWritten() {
        RefusalLog refusals = new RefusalLog(LoggerFactory.getLogger("refusal-log-test"), 1, 1, now::get);

        assertThat(refusals.nextLine()).isEmpty();
        assertThat(refusals.nextLine()).isNull();
        assertThat(refusals.nextLine()).isNull();
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertThat(refusals.nextLine()).isEqualTo(" (2 more refused before this one were not logged: at most 1 line every 1 s)");
    }
}
