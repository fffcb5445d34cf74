package io.castai.events.ops;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RootCauseTest {
    @Test
    void theInnermostCauseOrTheFailureItself() {
        OutOfMemoryError inner = new OutOfMemoryError("Java heap space");
        assertThat(RootCause.of(new RuntimeException("wrapped", new IllegalStateException("again", inner)))).isSameAs(inner);
        assertThat(RootCause.of(inner)).isSameAs(inner);
        assertThat(RootCause.of(null)).isNull();
    }

    @Test
    void aCycleOfCausesEnds() {
        Exception a = new Exception("a");
        Exception b = new Exception("b", a);
        a.initCause(b);
        assertThat(RootCause.of(a)).isIn(a, b);
    }
}
