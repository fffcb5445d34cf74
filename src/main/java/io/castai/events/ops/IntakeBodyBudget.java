package io.castai.events.ops;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.castai.events.intake.IntakeResponses;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the memory the intake's and the routing dry-run's request bodies hold at once. The server
 * reads a body whole before the route runs, and a 1 MiB event costs several times that while it is parsed, stored and
 * rendered: eighty of them sent at once, with the right token, exhausted the image's 80 MB heap
 * (OutOfMemoryError on Vert.x's event loop, every request then in flight lost). A request whose
 * declared size (Content-Length; the body limit when it has none) does not fit in what is left of
 * the budget gets a JSON 503 with Retry-After before its body is read; the budget is given back
 * when its answer is sent or its connection closes (after a request timeout's 503, then, while
 * the route may still hold the body: the bound is on what waits, not on every byte). Ordinary
 * events (a kilobyte) never come near it.
 */
final class IntakeBodyBudget {
    static final String BUSY = "too many large requests at once: retry";
    private static final Logger LOG = LoggerFactory.getLogger(IntakeResponses.class);

    private final long budget;
    private final long maxBody;
    private final AtomicLong inFlight = new AtomicLong();

    /** {@code budget} 0 or less: a sixteenth of the heap; never less than one body of the largest size. */
    IntakeBodyBudget(long budget, long maxBody) {
        this.maxBody = maxBody;
        this.budget = Math.max(budget > 0 ? budget : Runtime.getRuntime().maxMemory() / 16, maxBody);
    }

    void install(Router router, ServiceMetrics metrics, int order) {
        RefusalLog refusals = new RefusalLog(LOG);
        router.route(HttpMethod.POST, AuthBeforeBody.INTAKE_PATH).order(order)
                .handler(ctx -> admit(ctx, "intake", metrics, refusals));
        router.route(HttpMethod.POST, AuthBeforeBody.ROUTES_TEST_PATH).order(order)
                .handler(ctx -> admit(ctx, "routes-test", metrics, refusals));
    }

    private void admit(RoutingContext ctx, String endpoint, ServiceMetrics metrics, RefusalLog refusals) {
        long size = declaredSize(ctx);
        if (!reserve(size)) {
            metrics.rejected("busy");
            refusals.warn("Rejected request to {}: {} ({} bytes declared, {} of {} in use)", endpoint, BUSY, size,
                    inFlight.get(), budget);
            ctx.response().putHeader("Retry-After", "1");
            JsonHttpErrors.answer(ctx, 503, BUSY);
            return;
        }
        AtomicBoolean released = new AtomicBoolean();
        ctx.addEndHandler(done -> {
            if (released.compareAndSet(false, true)) {
                inFlight.addAndGet(-size);
            }
        });
        ctx.next();
    }

    private long declaredSize(RoutingContext ctx) {
        try {
            long length = Long.parseLong(ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH));
            return Math.max(0, Math.min(length, maxBody));
        } catch (NumberFormatException e) {
            // chunked, or no length said: it may be as large as the limit allows
            return maxBody;
        }
    }

    private boolean reserve(long size) {
        while (true) {
            long used = inFlight.get();
            if (used + size > budget && used > 0) {
                return false;
            }
            if (inFlight.compareAndSet(used, used + size)) {
                return true;
            }
        }
    }
}
