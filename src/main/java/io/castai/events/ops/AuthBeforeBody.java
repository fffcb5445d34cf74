package io.castai.events.ops;

import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import io.castai.events.intake.IntakeResponses;
import io.castai.events.security.AdminAuth;
import io.castai.events.security.InboundAuth;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks credentials before a body is read: the server would otherwise read every body, up to the
 * size limit, into memory before the route's own check refuses it, and a stranger sending many
 * large bodies at once could exhaust the heap. Covers every endpoint that takes a body: the intake
 * and the routing dry-run (the intake's credentials), and the admin endpoints (the admin token).
 * A request without valid credentials (and, at the intake, no signature to verify with the body)
 * gets the route's own 401 here, with the same log line ({@link IntakeResponses}). Credentials are
 * read from the request's headers and its {@code token} query parameter only, never from another
 * query parameter named like a header.
 */
final class AuthBeforeBody {
    /** The intake's path, as routes/intake.camel.yaml serves it. */
    static final String INTAKE_PATH = "/castai/events";
    /** The routing dry-run's, as routes/routes-test.camel.yaml serves it: the intake's credentials. */
    static final String ROUTES_TEST_PATH = "/castai/routes/test";
    private static final String ADMIN_PATHS = "/admin/*";
    /**
     * Routing-context key: the request was let in on its signature headers, which only its body
     * can confirm (anyone can make such headers): {@link IntakeBodyBudget} gives these requests
     * together at most half of its budget, so they cannot crowd out senders with the token.
     */
    static final String SIGNATURE_PENDING = "castai.signature-pending";
    private static final Logger LOG = LoggerFactory.getLogger(IntakeResponses.class);

    private final ServiceMetrics metrics;
    private final RefusalLog refusals = new RefusalLog(LOG);

    AuthBeforeBody(ServiceMetrics metrics) {
        this.metrics = metrics;
    }

    /** Either auth may be absent (a context without it): its paths are then left to their routes. */
    void install(Router router, InboundAuth intake, AdminAuth admin, int order) {
        if (intake != null) {
            Function<RoutingContext, String> intakeRefusal = ctx -> {
                UnaryOperator<String> header = name -> requestValue(ctx, name);
                String refused = intake.refusalBeforeBody(header);
                if (refused == null && intake.awaitsSignature(header)) {
                    ctx.put(SIGNATURE_PENDING, Boolean.TRUE);
                }
                return refused;
            };
            guard(router, INTAKE_PATH, "intake", order, intakeRefusal);
            guard(router, ROUTES_TEST_PATH, "routes-test", order, intakeRefusal);
        }
        if (admin != null) {
            guard(router, ADMIN_PATHS, "admin", order, ctx -> admin.refusal(name -> requestValue(ctx, name)));
        }
    }

    /**
     * {@code refusal}: why the request's credentials are refused, or null to let it through;
     * {@code name}: the endpoint in the log line (never its path: a path may hold a token pasted into it).
     */
    private void guard(Router router, String path, String name, int order, Function<RoutingContext, String> refusal) {
        router.route(path).order(order).handler(ctx -> {
            String refused = refusal.apply(ctx);
            if (refused == null) {
                ctx.next();
                return;
            }
            metrics.rejected("unauthorized");
            refusals.warn("Refused request to {}: {}", name, refused);
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            JsonHttpErrors.answer(ctx, 401, refused);
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
