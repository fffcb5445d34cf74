package io.castai.events.ops;

import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded server refuses an over-size body (camel.server.max-body-size) before any route
 * runs, with a plain-text 413. This gives that answer the same {"error": "..."} body as every
 * other refusal of the service.
 */
public final class JsonHttpErrors {
    private static final Logger LOG = LoggerFactory.getLogger(JsonHttpErrors.class);
    private static final String TOO_LARGE = "{\"error\":\"request body is larger than the configured limit\"}";

    private JsonHttpErrors() {
    }

    public static void install(CamelContext camelContext, ServiceMetrics metrics) {
        for (VertxPlatformHttpRouter router : camelContext.getRegistry().findByType(VertxPlatformHttpRouter.class)) {
            router.route("/*").failureHandler(ctx -> {
                if (ctx.statusCode() == 413 && !ctx.response().ended()) {
                    metrics.rejected("too_large");
                    LOG.warn("Rejected event: request body is larger than the configured limit");
                    ctx.response().setStatusCode(413).putHeader("Content-Type", "application/json").end(TOO_LARGE);
                } else {
                    ctx.next();
                }
            });
        }
    }
}
