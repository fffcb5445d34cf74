package io.castai.events.castai;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A 200 from the CAST AI API without the shape its reference gives (no {@code items} list). An
 * I/O error for the pollers: the run backs off and the window is read again; taken for an empty
 * page, it would close the window and skip its entries for good.
 */
public class UnreadableAnswerException extends IOException {
    public UnreadableAnswerException(String message) {
        super(message);
    }

    /** The {@code items} list of a page of results, or this exception. */
    public static Iterable<JsonNode> itemsOf(JsonNode page, String what) throws UnreadableAnswerException {
        if (page == null || !page.path("items").isArray()) {
            throw new UnreadableAnswerException(what + " answer has no 'items' list");
        }
        return page.path("items");
    }
}
