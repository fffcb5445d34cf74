package io.castai.events.ops;

import java.util.List;

import io.castai.events.intake.IntakeResponses;
import io.castai.events.security.InboundAuth;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the intake's credentials before its body is read: the server would otherwise read every
 * body, up to the size limit, into memory before the route's own check refuses it, and a stranger
 * sending many large bodies at once could exhaust the heap. A request without a valid token (and
 * no signature to verify with the body) gets the route's own 401 here, with the same log line
 * ({@link IntakeResponses}).
 * Credentials are read from the request's headers and its {@code token} query parameter only,
 * never from another query parameter named like a header.
 */
final class IntakeAuthBeforeBody {
    /** The intake's path, as routes/intake.camel.yaml serves it. */
    static final String INTAKE_PATH = "/castai/events";
    private static final Logger LOG = LoggerFactory.getLogger(IntakeResponses.class);

    private IntakeAuthBeforeBody() {
    }

    static void install(Router router, InboundAuth auth, ServiceMetrics metrics, int order) {
        RefusalLog refusals = new RefusalLog(LOG);
        router.route(HttpMethod.POST, INTAKE_PATH).order(order).handler(ctx -> {
            String refusal = auth.refusalBeforeBody(name -> requestValue(ctx, name));
            if (refusal == null) {
                ctx.next();
                return;
            }
            metrics.rejected("unauthorized");
            refusals.warn("Refused request to intake: {}", refusal);
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            JsonHttpErrors.answer(ctx, 401, refusal);
        });
    }

    private static String requestValue(RoutingContext ctx, String name) {
        HttpServerRequest request = ctx.request();
        if (Exchange.HTTP_QUERY.equals(name)) {
            return request.query();
        }
        if ("token".equals(name)) {
            return ctx.queryParams().get("token");
        }
        // several headers of one name joined, as Camel joins them: never one chosen of several
        List<String> values = request.headers().getAll(name);
        return values.isEmpty() ? null : String.join(", ", values);
    }
}
