package io.castai.events.ops;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded server answers some requests before any route runs: an over-size body
 * (camel.server.max-body-size) with a plain-text 413, a body or query it cannot decode with a
 * plain-text 400, a path no route serves with an HTML 404. This gives those answers the same
 * {"error": "..."} body as every other refusal of the service.
 */
public final class JsonHttpErrors {
    private static final Logger LOG = LoggerFactory.getLogger(JsonHttpErrors.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOO_LARGE = "request body is larger than the configured limit";
    private static final String NO_SUCH_PATH = "no such endpoint";
    private static final String NOT_RUNNING = "the service is starting or stopping: retry";

    private JsonHttpErrors() {
    }

    public static void install(CamelContext camelContext, ServiceMetrics metrics) {
        AtomicLong lastUnknownPathLine = new AtomicLong(System.nanoTime() - TimeUnit.SECONDS.toNanos(2));
        AtomicLong unknownPathsUnlogged = new AtomicLong();
        for (VertxPlatformHttpRouter router : camelContext.getRegistry().findByType(VertxPlatformHttpRouter.class)) {
            // ordered last: it answers only what no endpoint (nor a route added later) serves
            router.route().last().handler(ctx -> {
                if (!camelContext.isStarted()) {
                    // the intake starts last and stops first: a 503 has the sender retry, a 404 would not
                    answer(ctx, 503, NOT_RUNNING);
                    return;
                }
                metrics.rejected("unknown_path");
                logUnknownPath(ctx.normalizedPath(), lastUnknownPathLine, unknownPathsUnlogged);
                answer(ctx, 404, NO_SUCH_PATH);
            });
            router.route("/*").failureHandler(ctx -> {
                if (ctx.response().ended() || ctx.statusCode() < 400 || ctx.statusCode() >= 500) {
                    ctx.next();
                } else if (ctx.statusCode() == 413) {
                    metrics.rejected("too_large");
                    LOG.warn("Rejected event: {}", TOO_LARGE);
                    answer(ctx, 413, TOO_LARGE);
                } else {
                    String reason = HttpResponseStatus.valueOf(ctx.statusCode()).reasonPhrase().toLowerCase();
                    metrics.rejected("undecodable");
                    LOG.warn("Rejected request to {}: {} (the HTTP server could not decode it)", ctx.normalizedPath(), reason);
                    answer(ctx, ctx.statusCode(), reason);
                }
            });
        }
    }

    /**
     * At most a line a second: the intake is public, and a scanner trying paths would fill the log
     * (every one is counted in castai_events_rejected_total{reason="unknown_path"}).
     */
    private static void logUnknownPath(String path, AtomicLong lastUnknownPathLine, AtomicLong unknownPathsUnlogged) {
        long now = System.nanoTime();
        long last = lastUnknownPathLine.get();
        if (now - last >= TimeUnit.SECONDS.toNanos(1) && lastUnknownPathLine.compareAndSet(last, now)) {
            long more = unknownPathsUnlogged.getAndSet(0);
            LOG.warn("Rejected request to {}: {}{}", path, NO_SUCH_PATH,
                    more > 0 ? " (and " + more + " more such requests since the last line)" : "");
        } else {
            unknownPathsUnlogged.incrementAndGet();
        }
    }

    private static void answer(RoutingContext ctx, int status, String error) {
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                    .end(JSON.writeValueAsString(Map.of("error", error)));
        } catch (JsonProcessingException e) {
            ctx.fail(e);
        }
    }
}
