package io.castai.events.ops;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CausesTest {
    @Test
    void theInnermostCauseOrTheFailureItself() {
        OutOfMemoryError inner = new OutOfMemoryError("Java heap space");
        assertThat(Causes.innermost(new RuntimeException("wrapped", new IllegalStateException("again", inner)))).isSameAs(inner);
        assertThat(Causes.innermost(inner)).isSameAs(inner);
        assertThat(Causes.innermost(null)).isNull();
    }

    @Test
    void theOutermostOfATypeIsFound() {
        IOException io = new IOException("reset");
        UncheckedIOException unchecked = new UncheckedIOException(io);
        assertThat(Causes.find(new RuntimeException(unchecked), IOException.class)).isSameAs(io);
        assertThat(Causes.find(new RuntimeException(unchecked), RuntimeException.class)).isNotSameAs(unchecked);
        assertThat(Causes.find(new RuntimeException("alone"), IOException.class)).isNull();
    }

    @Test
    void aCycleOfCausesEnds() {
        Exception a = new Exception("a");
        Exception b = new Exception("b", a);
        a.initCause(b);
        assertThat(Causes.chain(a)).hasSize(20);
        assertThat(Causes.innermost(a)).isIn(a, b);
        assertThat(Causes.find(a, IOException.class)).isNull();
    }
}
