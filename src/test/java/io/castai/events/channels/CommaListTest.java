package io.castai.events.channels;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CommaListTest {
    @Test
    void aCommaInQuotesIsPartOfItsItem() {
        assertThat(CommaList.split("\"Ops, Team\" <ops@example.com>, b@example.com"))
                .containsExactly("\"Ops, Team\" <ops@example.com>", "b@example.com");
        assertThat(CommaList.split("\"Ops \\\", Team\" <ops@example.com>")).as("an escaped quote")
                .containsExactly("\"Ops \\\", Team\" <ops@example.com>");
    }

    @Test
    void itemsAreTrimmedAndEmptyOnesLeftOut() {
        assertThat(CommaList.split(" a , ,b,")).containsExactly("a", "b");
        assertThat(CommaList.split("")).isEmpty();
    }
}
