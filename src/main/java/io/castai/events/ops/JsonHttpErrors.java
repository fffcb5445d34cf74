package io.castai.events.ops;

import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.channels.ChannelConfig;
import io.castai.events.channels.Channels;
import io.castai.events.security.AdminAuth;
import io.castai.events.security.InboundAuth;
import io.castai.events.security.SecretToken;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.CamelContextEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded server answers some requests before any route runs: an over-size body
 * (camel.server.max-body-size) with a plain-text 413, a body or query it cannot decode with a
 * plain-text 400, a path no route serves with an HTML 404, a known path asked with another method
 * with a 404 too, the intake's request timeout with a plain 503, a handler's exception with a
 * plain-text 500 and an ERROR with its stack trace (also for a client that merely hung up). This
 * gives those answers the same {"error": "..."} body as every other refusal of the service, and
 * the log one line each, at the level the cause deserves.
 * <p>
 * Installed before the server listens ({@link HttpRouterWatch}): it listens long before the
 * routes start (the intake last; the outbox opens and the recent ids load meanwhile), and a
 * request then must get a JSON 503 the sender retries, not an HTML 404 it may take as final
 * (installed at the routes' start, as it was, a sender restarting with the service got a 404 for
 * 0.1 to 0.5 s). While the service stops, a handler ordered first gives the same JSON 503 (the
 * suspended intake would answer an empty one); per request it only asks whether the context is
 * stopping. As an event notifier (a fallback, should the watch miss a router) it listens to
 * start-up events only: no cost per message.
 */
public final class JsonHttpErrors extends ContextEventNotifier {
    private static final Logger LOG = LoggerFactory.getLogger(JsonHttpErrors.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOO_LARGE = "request body is larger than the configured limit";
    private static final String NO_SUCH_PATH = "no such endpoint";
    private static final String TIMED_OUT = "the request was not complete in time: retry";
    private static final String NOT_RUNNING = "the service is starting or stopping: retry";
    /** Health and metrics: Camel's own answers, also while stopping. */
    private static final String OBSERVE = "/observe";
    /** Routing context key: this request's closed connection has been counted. */
    private static final String CLIENT_GONE = "castai.clientGone";

    private final RefusalLog refusals = new RefusalLog(LOG);
    private final RefusalLog failures = new RefusalLog(LOG, "failed requests");
    /** A scanner trying paths makes the most of these: a line a second. */
    private final RefusalLog unknownPaths = new RefusalLog(LOG, 1, 1, System::nanoTime);
    /** The routers given these answers: the server's routers, and its own (its request handler). */
    private final Set<Object> covered = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    public JsonHttpErrors() {
        // fallbacks, for a router the watch did not find
        super(CamelEvent.CamelContextRoutesStartingEvent.class, CamelEvent.CamelContextStartedEvent.class);
    }

    @Override
    public void notify(CamelEvent event) {
        CamelContext camelContext = ((CamelContextEvent) event).getContext();
        coverNewRouters(camelContext);
        coverTheServersOwnRouter(camelContext);
    }

    /**
     * A path whose %-escape does not decode fails in the server's own router, before the routes'
     * one: Vert.x would answer a plain-text 400 and log an ERROR with a stack trace, for anyone to
     * fill the log with. That router is the server's request handler, there once it listens.
     */
    private void coverTheServersOwnRouter(CamelContext camelContext) {
        VertxPlatformHttpServer platform = camelContext.hasService(VertxPlatformHttpServer.class);
        if (platform != null && platform.getServer() != null && platform.getServer().requestHandler() instanceof Router root
                && covered.add(root)) {
            ServiceMetrics metrics = camelContext.getRegistry().findSingleByType(ServiceMetrics.class);
            root.errorHandler(400, ctx -> {
                metrics.rejected("undecodable");
                refusals.warn("Rejected a request: bad request (its path does not decode)");
                answer(ctx, 400, "bad request");
            });
        }
    }

    /** Gives every router of the server not yet covered these answers. */
    void coverNewRouters(CamelContext camelContext) {
        for (VertxPlatformHttpRouter router : camelContext.getRegistry().findByType(VertxPlatformHttpRouter.class)) {
            if (covered.add(router)) {
                install(camelContext, router);
            }
        }
    }

    private void install(CamelContext camelContext, VertxPlatformHttpRouter router) {
        ServiceMetrics metrics = camelContext.getRegistry().findSingleByType(ServiceMetrics.class);
        // a path that holds the intake's or the admin token is logged without it
        List<SecretToken> tokens = new ArrayList<>();
        camelContext.getRegistry().findByType(InboundAuth.class).forEach(auth -> tokens.add(auth.token()));
        camelContext.getRegistry().findByType(AdminAuth.class).forEach(auth -> tokens.add(auth.token()));
        tokens.removeIf(Objects::isNull);
        // ordered first: while stopping, the intake's consumer is suspended before its route goes
        // and would answer an empty 503; the sender gets the same JSON 503 as at start-up instead
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            if (camelContext.isStopping() && !ctx.normalizedPath().startsWith(OBSERVE)) {
                answer(ctx, 503, NOT_RUNNING);
            } else {
                ctx.next();
            }
        });
        new AuthBeforeBody(metrics).install(router, camelContext.getRegistry().findSingleByType(InboundAuth.class),
                camelContext.getRegistry().findSingleByType(AdminAuth.class), Integer.MIN_VALUE + 1);
        // after the credentials: a stranger's body takes none of the budget
        int channels = camelContext.getRegistry().findByType(Channels.class).stream()
                .mapToInt(declared -> (int) declared.all().stream().filter(ChannelConfig::isOn).count()).sum();
        new IntakeBodyBudget(setting(camelContext, "intake.max-inflight-bytes"), setting(camelContext, "intake.max-body-bytes"), channels)
                .install(router, metrics, Integer.MIN_VALUE + 2);
        QueryIsNotHeaders.install(router, Integer.MIN_VALUE + 3);
        // ordered last: it answers only what no endpoint (nor a route added later) serves
        router.route().last().handler(ctx -> {
            if (!camelContext.isStarted()) {
                // the intake starts last and stops first: a 503 has the sender retry, a 404 would not
                answer(ctx, 503, NOT_RUNNING);
                return;
            }
            Set<String> allowed = allowedMethods(router, ctx.normalizedPath());
            if (!allowed.isEmpty() && !allowed.contains(ctx.request().method().name())) {
                // health or metrics asked with another method: the path is right, the method is not
                metrics.rejected("method");
                ctx.response().putHeader("Allow", String.join(", ", allowed));
                answer(ctx, 405, "only " + String.join(", ", allowed) + " is served here");
                return;
            }
            metrics.rejected("unknown_path");
            logUnknownPath(ctx.normalizedPath(), tokens);
            answer(ctx, 404, NO_SUCH_PATH);
        });
        router.route("/*").failureHandler(ctx -> {
            Throwable failure = ctx.failure();
            int status = ctx.statusCode();
            if (failure instanceof HttpClosedException || failure instanceof SocketException || ctx.response().closed()) {
                // the client went away before its answer: nothing to answer, and not the service's
                // error (Vert.x would log each as an ERROR; anyone can open and drop connections).
                // A reset comes twice (the socket's error, then the closed connection): counted once
                if (ctx.get(CLIENT_GONE) == null) {
                    ctx.put(CLIENT_GONE, true);
                    metrics.rejected("client_closed");
                    LOG.debug("A client closed its connection to {} before its answer", ctx.normalizedPath());
                }
            } else if (ctx.response().headWritten()) {
                // an answer is under way: too late for another
                ctx.next();
            } else if (status == 503 && failure == null) {
                // the intake's request timeout (intake.request-timeout-ms): the sender retries, on a new connection
                metrics.rejected("timeout");
                refusals.warn("Rejected request to {}: {}", ctx.normalizedPath(), TIMED_OUT);
                if (ctx.request().version() != HttpVersion.HTTP_2) {
                    // the rest of its body may never come: the connection goes once the answer is
                    // out (an end handler of the context's, not the response's own: that one slot
                    // holds the context's end handlers, the intake's body budget among them).
                    // HTTP/2 (h2c): the answer ends the stream alone; the connection carries other
                    // streams, and a Connection header there fails the answer
                    ctx.response().putHeader("Connection", "close");
                    ctx.addEndHandler(sent -> ctx.request().connection().close());
                }
                answer(ctx, 503, TIMED_OUT);
            } else if (status == 413) {
                metrics.rejected("too_large");
                refusals.warn("Rejected event: {}", TOO_LARGE);
                answer(ctx, 413, TOO_LARGE);
            } else if (status >= 400 && status < 500 || undecodable(ctx, failure)) {
                // the server, or a handler, could not decode the request (a bad form, a bad chunk size;
                // a query's bad escape at the health endpoint, whose message quotes the whole address:
                // not logged)
                int refusal = status >= 400 && status < 500 ? status : 400;
                String reason = HttpResponseStatus.valueOf(refusal).reasonPhrase().toLowerCase();
                metrics.rejected("undecodable");
                refusals.warn("Rejected request to {}: {} (the HTTP server could not decode it)", ctx.normalizedPath(), reason);
                answer(ctx, refusal, reason);
            } else if (failure != null) {
                // a JSON 500 and one line naming where, not Vert.x's plain text and stack trace
                metrics.rejected("error");
                // at most 50 lines every 10 s, as every refusal: a request may be what causes it
                failures.error("Request to {} failed: {} at {}", ctx.normalizedPath(), failure.getClass().getName(),
                        failure.getStackTrace().length > 0 ? failure.getStackTrace()[0] : "?");
                answer(ctx, 500, "internal error");
            } else {
                ctx.next();
            }
        });
    }

    /** A failure that is the sender's mistake: HTTP it wrote wrong (Netty's decoder), or a query that does not decode. */
    private static boolean undecodable(RoutingContext ctx, Throwable failure) {
        if (failure instanceof DecoderException
                || failure instanceof Http2Exception broken && broken.error() != Http2Error.INTERNAL_ERROR) {
            // Http2Exception: an HTTP/2 stream the sender broke (a body longer than its
            // content-length); an internal error is the server's own, a 500
            return true;
        }
        StackTraceElement[] frames = failure == null ? new StackTraceElement[0] : failure.getStackTrace();
        if (failure instanceof IllegalStateException && frames.length > 0 && "setExpectMultipart".equals(frames[0].getMethodName())) {
            return true; // a form body with a method that cannot carry one (a GET): Vert.x will not decode it
        }
        if (!(failure instanceof IllegalArgumentException)) {
            return false;
        }
        return frames.length > 0 && frames[0].getClassName().startsWith("io.netty.handler.codec.") || !queryDecodes(ctx);
    }

    /** Whether the request's query string decodes (a bad escape is the sender's mistake, not the server's). */
    private static boolean queryDecodes(RoutingContext ctx) {
        try {
            ctx.queryParams();
            return true;
        } catch (RuntimeException e) {
            // Vert.x Web wraps the decoder's IllegalArgumentException in an HttpException (400)
            return false;
        }
    }

    /**
     * The methods the server's routes serve at exactly this path, when every route there is
     * limited to some (health and metrics: GET); none when no route serves the path, or one takes
     * any method. Asked only for requests no route took.
     */
    private static Set<String> allowedMethods(VertxPlatformHttpRouter router, String path) {
        Set<String> allowed = new TreeSet<>();
        for (Route route : router.getRoutes()) {
            if (!route.isRegexPath() && path.equals(route.getPath())) {
                if (route.methods() == null || route.methods().isEmpty()) {
                    return Set.of();
                }
                route.methods().forEach(method -> allowed.add(method.name()));
            }
        }
        return allowed;
    }

    /** Every one is counted in castai_events_rejected_total{reason="unknown_path"}. */
    private void logUnknownPath(String path, List<SecretToken> tokens) {
        String leftOut = unknownPaths.nextLine();
        if (leftOut != null) {
            // only for the line written: a path is compared with the tokens' digests segment by segment
            LOG.warn("Rejected request to {}: {}{}", SecretToken.maskedIn(path, tokens), NO_SUCH_PATH, leftOut);
        }
    }

    /** A whole-number setting (application.properties has them all, SettingTypes checked them). */
    private static long setting(CamelContext camelContext, String key) {
        return Long.parseLong(camelContext.resolvePropertyPlaceholders("{{" + key + "}}").trim());
    }

    static void answer(RoutingContext ctx, int status, String error) {
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                    .end(JSON.writeValueAsString(Map.of("error", error)));
        } catch (JsonProcessingException e) {
            ctx.fail(e);
        }
    }
}
