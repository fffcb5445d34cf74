package io.castai.events.castai;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A poller's page size per cluster (or organization). Where a page came cut short (at
 * HTTP_MAX_ANSWER_BYTES or HTTP_CALL_TIMEOUT_MS), the next tries ask for half as many items each time, down
 * to one: asked again for the same page, the real API answers the same page, and the poller would
 * stay stuck on it behind every later item. Once the poller has read to the last page, the pages
 * that were too long are behind it: the next run asks for the configured size again (a run that
 * halved does not stay slow either). An answer that is no JSON at all (a proxy's error page) is
 * not cut short: a smaller page would not mend it.
 */
final class ReducedPageLimits {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int configured;
    private final String pages;
    private final String setting;
    private final Map<String, Integer> reduced = new ConcurrentHashMap<>();

    /** {@code pages}: what a page is of, for the messages; {@code setting}: the page size's variable. */
    ReducedPageLimits(int configured, String pages, String setting) {
        this.configured = configured;
        this.pages = pages;
        this.setting = setting;
    }

    /**
     * A page's JSON, or why it cannot be read: JSON that breaks off (cut short, most likely: the
     * next tries ask for smaller pages), or no JSON at all. A cut ends Jackson's reading with one
     * error or another by where it falls (after a comma, inside {@code true}), so what tells the
     * two apart is how the answer begins.
     */
    JsonNode read(String body, String scope) throws UnreadableAnswerException {
        try {
            return JSON.readTree(body == null ? "" : body);
        } catch (JsonProcessingException unreadable) {
            String begins = body.stripLeading();
            if (begins.startsWith("{") || begins.startsWith("[")) {
                throw new UnreadableAnswerException(pages + " page is not whole JSON (cut short?): the next tries ask for "
                        + halve(scope) + " a page until the last page is read (a page over HTTP_MAX_ANSWER_BYTES: raise it "
                        + "or lower " + setting + ")");
            }
            throw new UnreadableAnswerException(pages + " page is not JSON (" + body.length()
                    + " characters; a proxy's error page?)");
        }
    }

    /** The page size to ask for in this scope. */
    int of(String scope) {
        return reduced.getOrDefault(scope, configured);
    }

    /** After a page cut short in this scope: the size the next tries ask for. */
    int halve(String scope) {
        return reduced.merge(scope, Math.max(1, configured / 2), (was, ignored) -> Math.max(1, was / 2));
    }

    /** After the last page in this scope was read: the configured size again. */
    void caughtUp(String scope) {
        reduced.remove(scope);
    }
}
