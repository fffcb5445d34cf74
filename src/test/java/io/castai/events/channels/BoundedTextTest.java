package io.castai.events.channels;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BoundedTextTest {
    private static final String LONG = "{\"id\":\"e-1\",\"nodeName\":\"" + "n".repeat(20_000) + "\"}";

    @Test
    void aLongStringWrittenWholeIsKeptAsItIsNotCopied() throws Exception {
        BoundedText text = new BoundedText(100_000, null);
        text.write("\n  ");
        text.write(LONG);
        text.write("\n");

        // the webhook template's ${eventJson}: a 1 MB event's message had been copied three times
        assertThat(text.trimmed()).isSameAs(LONG);
    }

    @Test
    void theTrimmedTextIsWhatStringTrimGivesWhateverThePieces() throws Exception {
        String[][] writes = {
                {"  short  "},
                {" \t\n", LONG, "tail \n"},
                {"head ", LONG, LONG.substring(3), "  "},
                {"   ", "\n"},
                {},
                {"\n", LONG + "   \n  ", " "},
        };
        for (String[] pieces : writes) {
            BoundedText text = new BoundedText(1_000_000, null);
            StringBuilder all = new StringBuilder();
            for (String piece : pieces) {
                text.write(piece);
                all.append(piece);
            }
            text.write(LONG.toCharArray(), 0, 0);
            assertThat(text.toString()).isEqualTo(all.toString());
            assertThat(text.trimmed()).isEqualTo(all.toString().trim());
        }
    }

    @Test
    void aPartOfALongStringIsWrittenAsThatPart() throws Exception {
        BoundedText text = new BoundedText(100_000, null);
        text.write(LONG, 5, 10_000);
        assertThat(text.trimmed()).isEqualTo(LONG.substring(5, 10_005));
    }

    @Test
    void theBoundCountsLongPiecesAndShortOnesAlike() throws Exception {
        BoundedText text = new BoundedText(LONG.length() + 10, () -> LONG.length() + 20);
        text.write(LONG);
        text.write("0123456789");
        text.write("0123456789"); // within the larger bound, asked for once
        assertThatThrownBy(() -> text.write("x")).isInstanceOf(BoundedText.TooLong.class);
        assertThat(text.toString()).as("what was written is dropped").isEmpty();
    }
}
