package io.castai.events.castai;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReducedPageLimitsTest {
    private final ReducedPageLimits limits = new ReducedPageLimits(100, "audit log", "CASTAI_AUDIT_PAGE_LIMIT");

    @Test
    void aPageCutShortIsAskedForInSmallerPagesUntilTheLastIsRead() {
        assertThatThrownBy(() -> limits.read("{\"items\":[{\"id\":\"a\"},{\"id\":", "c-1"))
                .isInstanceOf(UnreadableAnswerException.class)
                .hasMessage("audit log page is not whole JSON (cut short?): the next tries ask for 50 a page until "
                        + "the last page is read (a page over HTTP_MAX_ANSWER_BYTES: raise it or lower CASTAI_AUDIT_PAGE_LIMIT)");
        assertThat(limits.of("c-1")).isEqualTo(50);
        // wherever the cut falls, Jackson's error differs: after a comma, inside a literal, a number
        String page = "{\"items\":[{\"id\":\"a\",\"spot\":true,\"cost\":1.5},\n{\"id\":\"b\"}]}";
        for (String cut : new String[] {page.substring(0, 16), page.substring(0, 20), page.substring(0, page.indexOf("\n") + 1),
                page.substring(0, 29), page.substring(0, 39), page.substring(0, 41)}) {
            int before = limits.of("c-3");
            assertThatThrownBy(() -> limits.read(cut, "c-3")).as(cut).hasMessageContaining("(cut short?)");
            assertThat(limits.of("c-3")).as(cut).isLessThan(before);
        }
        assertThat(limits.of("c-2")).as("another cluster's pages").isEqualTo(100);
        limits.caughtUp("c-1");
        assertThat(limits.of("c-1")).isEqualTo(100);
    }

    /** A proxy's error page with a 200: smaller pages would not mend it, and the log should not send anyone to the size limit. */
    @Test
    void anAnswerThatIsNoJsonAtAllIsNotTakenForOneCutShort() {
        assertThatThrownBy(() -> limits.read("<html>502 Bad Gateway</html>", "c-1"))
                .isInstanceOf(UnreadableAnswerException.class)
                .hasMessage("audit log page is not JSON (28 characters; a proxy's error page?)");
        assertThat(limits.of("c-1")).isEqualTo(100);
    }
}
