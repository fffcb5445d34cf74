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
    void theFirstWindowStartsAtTheFirstLineNotWhenTheLogWasMade() {
        try (LogCapture log = LogCapture.attach()) {
            RefusalLog refusals = new RefusalLog(LoggerFactory.getLogger("refusal-log-test"), 3, 10, now::get);
            now.addAndGet(TimeUnit.SECONDS.toNanos(9));
            for (int i = 1; i <= 5; i++) {
                refusals.warn("Refused request {}", i);
            }
            // 10 s after the log was made, 1 s into the flood
            now.addAndGet(TimeUnit.SECONDS.toNanos(2));
            refusals.warn("Refused request {}", 6);

            assertThat(log.linesContaining("Refused request")).hasSize(3);
        }
    }

    @Test
    void errorsShareTheLimitAndTheCountSaysWhatWasLeftOut() {
        try (LogCapture log = LogCapture.attach()) {
            RefusalLog failures = new RefusalLog(LoggerFactory.getLogger("refusal-log-test"), 2, 10, now::get,
                    "failed attempts of channel slack");
            failures.warn("attempt {} failed", 1);
            failures.error("attempt {} given up", 2);
            failures.error("attempt {} given up", 3);
            now.addAndGet(TimeUnit.SECONDS.toNanos(10));
            failures.error("attempt {} given up", 4);

            assertThat(log.linesContaining("attempt ")).hasSize(3);
            assertThat(log.linesContaining("attempt 4 given up").get(0)).contains("ERROR")
                    .endsWith("(1 more failed attempts of channel slack before this one were not logged: at most 2 lines every 10 s)");
        }
    }

    @Test
    void whenNoNextLineComesTheCountIsSaidOnceItsWindowHasPassed() {
        try (LogCapture log = LogCapture.attach()) {
            RefusalLog deaths = new RefusalLog(LoggerFactory.getLogger("refusal-log-test"), 2, 10, now::get,
                    "dead letters of channel slack");
            for (int i = 1; i <= 5; i++) {
                deaths.error("event {} kept as a dead letter", i);
            }
            deaths.sayLeftOut();
            assertThat(log.linesContaining("were not logged")).as("within the window: not yet").isEmpty();

            now.addAndGet(TimeUnit.SECONDS.toNanos(10));
            deaths.sayLeftOut();
            deaths.sayLeftOut();
            assertThat(log.linesContaining("were not logged")).singleElement().asString().contains("ERROR")
                    .endsWith("3 more dead letters of channel slack were not logged: at most 2 lines every 10 s");
        }
    }

    @Test
    void atAStopTheCountIsSaidThoughItsWindowHasNotPassed() {
        try (LogCapture log = LogCapture.attach()) {
            RefusalLog refusals = new RefusalLog(LoggerFactory.getLogger("refusal-log-test"), 2, 10, now::get);
            for (int i = 1; i <= 6; i++) {
                refusals.warn("Refused request {}", i);
            }
            RefusalLog.sayAllLeftOut();
            assertThat(log.linesContaining("were not logged")).as("the timer waits for the window").isEmpty();

            RefusalLog.sayAllLeftOutNow();
            RefusalLog.sayAllLeftOutNow();
            assertThat(log.linesContaining("were not logged")).singleElement().asString().contains("WARN")
                    .endsWith("4 more refused were not logged: at most 2 lines every 10 s");
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
