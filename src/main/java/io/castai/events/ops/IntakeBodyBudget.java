package io.castai.events.ops;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.castai.events.intake.IntakeResponses;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the memory the intake's and the routing dry-run's request bodies hold at once. The server
 * reads a body whole before the route runs, and a 1 MiB event costs several times that while it is parsed, stored and
 * rendered: eighty of them sent at once, with the right token, exhausted the image's 80 MB heap
 * (OutOfMemoryError on Vert.x's event loop, every request then in flight lost). A request whose
 * declared size (Content-Length; the body limit when chunked or over HTTP/2 without a length, as it
 * may be that large; 0 over HTTP/1.x with neither: no body) does not fit in what is left of the budget gets a JSON 503 with Retry-After
 * before its body is read, whatever its method (the route answers a wrong one only once the body
 * is in). A request counts for its size times what its event costs per byte: the body, parsed,
 * then a message rendered and stored for each channel (a webhook's twice the event): four
 * channels made a 1 MiB event cost over 20 MB, and five such at once, within a budget counting
 * their bodies alone, ended the process. Requests let in on signature headers, which anyone can make and only the body can
 * confirm, share at most half of the budget. The budget is given back when the answer is sent or
 * the connection closes (after a request timeout's 503, then, while the route may still hold the
 * body: the bound is on what waits, not on every byte). Ordinary events (a kilobyte, with a
 * Content-Length) never come near it.
 */
final class IntakeBodyBudget {
    static final String BUSY = "too many large requests at once: retry";
    private static final Logger LOG = LoggerFactory.getLogger(IntakeResponses.class);

    private final long budget;
    private final long unverifiedBudget;
    private final long maxBody;
    /** What a byte of body costs while its request is handled: {@link #costPerByte}. */
    private final long costPerByte;
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong unverifiedInFlight = new AtomicLong();

    /**
     * {@code budget} 0 or less: a quarter of the heap, as requests are charged what they cost, not
     * their bodies alone (a sixteenth refused most of 200 senders' 2 KB events for four channels);
     * never less than one body of the largest size.
     */
    IntakeBodyBudget(long budget, long maxBody, int channels) {
        this.maxBody = maxBody;
        this.costPerByte = costPerByte(channels);
        this.budget = Math.max(budget > 0 ? budget : Runtime.getRuntime().maxMemory() / 4, maxBody);
        this.unverifiedBudget = Math.max(this.budget / 2, maxBody);
    }

    void install(Router router, ServiceMetrics metrics, int order) {
        RefusalLog refusals = new RefusalLog(LOG);
        // every method: the server reads a PUT's body as it reads a POST's
        router.route(AuthBeforeBody.INTAKE_PATH).order(order).handler(ctx -> admit(ctx, "intake", metrics, refusals));
        router.route(AuthBeforeBody.ROUTES_TEST_PATH).order(order).handler(ctx -> admit(ctx, "routes-test", metrics, refusals));
    }

    private void admit(RoutingContext ctx, String endpoint, ServiceMetrics metrics, RefusalLog refusals) {
        long body = bodySize(ctx);
        // at most three quarters of the budget: a large event leaves room for small ones, and not for
        // a second large one (two 1 MiB events for four channels at once filled the image's heap)
        long size = Math.min(body * costPerByte, budget * 3 / 4);
        AtomicLong unverified = Boolean.TRUE.equals(ctx.get(AuthBeforeBody.SIGNATURE_PENDING)) ? unverifiedInFlight : null;
        if (unverified != null && !reserve(unverified, unverifiedBudget, size)) {
            refuse(ctx, endpoint, body, unverified.get(), unverifiedBudget, metrics, refusals);
            return;
        }
        if (!reserve(inFlight, budget, size)) {
            if (unverified != null) {
                unverified.addAndGet(-size);
            }
            refuse(ctx, endpoint, body, inFlight.get(), budget, metrics, refusals);
            return;
        }
        AtomicBoolean released = new AtomicBoolean();
        ctx.addEndHandler(done -> {
            if (released.compareAndSet(false, true)) {
                inFlight.addAndGet(-size);
                if (unverified != null) {
                    unverified.addAndGet(-size);
                }
            }
        });
        ctx.next();
    }

    private void refuse(RoutingContext ctx, String endpoint, long body, long inUse, long of, ServiceMetrics metrics,
                        RefusalLog refusals) {
        metrics.rejected("busy");
        refusals.warn("Rejected request to {}: {} ({} bytes declared{}, counted {} times: {} of {} in use)", endpoint, BUSY, body,
                ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH) == null && body > 0 ? " (no length: the body limit)" : "",
                costPerByte, inUse, of);
        ctx.response().putHeader("Retry-After", "1");
        JsonHttpErrors.answer(ctx, 503, BUSY);
    }

    /** Four bytes for the body (as received, parsed), four more for each channel's message (rendered, stored). */
    static long costPerByte(int channels) {
        return 4L * (1 + Math.max(0, channels));
    }

    private long bodySize(RoutingContext ctx) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            // chunked, or HTTP/2 (h2c), which has no chunked encoding: nothing announces the body, which
            // may be as large as the limit allows; HTTP/1.x with neither header: no body
            boolean bodyUnannounced = ctx.request().getHeader(HttpHeaders.TRANSFER_ENCODING) != null
                    || ctx.request().version() == HttpVersion.HTTP_2;
            return bodyUnannounced ? maxBody : 0;
        }
        try {
            return Math.max(0, Math.min(Long.parseLong(length.trim()), maxBody));
        } catch (NumberFormatException e) {
            return maxBody; // the server refuses it; counted as the largest meanwhile
        }
    }

    /** Takes {@code size} of {@code budget} unless it would go over (one request is let in alone, whatever its size). */
    private static boolean reserve(AtomicLong used, long budget, long size) {
        while (true) {
            long now = used.get();
            if (now + size > budget && now > 0) {
                return false;
            }
            if (used.compareAndSet(now, now + size)) {
                return true;
            }
        }
    }
}
