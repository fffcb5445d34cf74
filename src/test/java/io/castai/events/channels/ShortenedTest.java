package io.castai.events.channels;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ShortenedTest {
    @Test
    void aTextThatFitsIsKeptAndOneThatDoesNotEndsInTheMarker() {
        assertThat(Shortened.to("abc", 3, "…")).isEqualTo("abc");
        assertThat(Shortened.to("abcdef", 4, "…")).isEqualTo("abc…");
    }

    @Test
    void theCutStepsBackOverAnEmojiRatherThanSplitIt() {
        assertThat(Shortened.to("ab\uD83D\uDE80cd", 4, "…")).isEqualTo("ab…");
    }

    @Test
    void aLimitShorterThanTheMarkerGivesTheMarkerAlone() {
        assertThat(Shortened.to("abcdef", 2, "…(cut)")).isEqualTo("…(cut)");
    }
}
