package io.castai.events.intake;

import io.castai.events.dedup.EventInFlightException;
import io.castai.events.ops.RefusalLog;
import io.castai.events.ops.Causes;
import io.castai.events.ops.ServiceMetrics;
import io.castai.events.outbox.OutboxException;
import io.castai.events.security.UnauthorizedException;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Message;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the intake's HTTP answers. Request headers are dropped first: platform-http would
 * otherwise echo them (an Authorization header included) back as response headers.
 */
public class IntakeResponses {
    private static final Logger LOG = LoggerFactory.getLogger(IntakeResponses.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCEPTED = "{\"received\":true}";
    private static final String DUPLICATE = "{\"received\":true,\"duplicate\":true}";
    /** The route of POST /castai/events (routes/intake.camel.yaml). */
    private static final String INTAKE = "intake";

    private final ServiceMetrics metrics;
    private final RefusalLog refusals = new RefusalLog(LOG);
    private final RefusalLog storeFailures = new RefusalLog(LOG);
    /** A request may be what causes one: at most 50 lines every 10 s, as every refusal. */
    private final RefusalLog failures = new RefusalLog(LOG, "failed requests");

    public IntakeResponses(ServiceMetrics metrics) {
        this.metrics = metrics;
    }

    public void accepted(Exchange exchange) {
        reply(exchange, 200, ACCEPTED);
    }

    public void duplicate(Exchange exchange) {
        reply(exchange, 200, DUPLICATE);
    }

    /** 200 with the JSON document in the body (the routing dry-run's answer). */
    public void document(Exchange exchange) {
        reply(exchange, 200, exchange.getMessage().getBody(String.class));
    }

    public void methodNotAllowed(Exchange exchange) {
        metrics.rejected("method");
        reply(exchange, 405, error("only POST is accepted here"));
        exchange.getMessage().setHeader("Allow", "POST");
    }

    /** The onException handler of the intake: a precise status, a JSON error, a log line without the body. */
    public void failed(Exchange exchange) {
        Throwable failure = exchange.getProperty(ExchangePropertyKey.EXCEPTION_CAUGHT, Throwable.class);
        String contentType = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, "none", String.class);
        if (failure instanceof InvalidEventException invalid) {
            metrics.rejected("invalid");
            refusals.warn("Rejected event: {}", invalid.getMessage());
            reply(exchange, 400, error(invalid.getMessage()));
        } else if (failure instanceof UnauthorizedException unauthorized) {
            metrics.rejected("unauthorized");
            refusals.warn("Refused request to {}: {}", exchange.getFromRouteId(), unauthorized.getMessage());
            reply(exchange, 401, error(unauthorized.getMessage()));
            exchange.getMessage().setHeader("WWW-Authenticate", "Bearer");
        } else if (failure instanceof EventInFlightException inFlight) {
            // the sender retried before its first copy was answered: that copy may still fail
            metrics.rejected("in_flight");
            refusals.warn("Rejected event: {}", inFlight.getMessage());
            reply(exchange, 503, error(inFlight.getMessage()));
            exchange.getMessage().setHeader("Retry-After", "1");
        } else if (OutboxException.in(failure) != null) {
            // every sender retries through an outage: its lines are limited as refusals' are
            String leftOut = storeFailures.nextLine();
            if (INTAKE.equals(exchange.getFromRouteId())) {
                metrics.rejected("storage");
                if (leftOut != null) {
                    LOG.error("Could not store event: {}{}", OutboxException.describe(failure), leftOut);
                }
                reply(exchange, 503, error("events cannot be stored right now, retry later"));
            } else {
                // an admin request (a list, a replay): no event was refused, and none is counted
                if (leftOut != null) {
                    LOG.error("Could not answer a request to route {}: {}{}", exchange.getFromRouteId(),
                            OutboxException.describe(failure), leftOut);
                }
                reply(exchange, 503, error("the store cannot be reached right now, retry later"));
            }
            exchange.getMessage().setHeader("Retry-After", "5");
        } else if (failure instanceof UnsupportedBodyException unsupported) {
            metrics.rejected("invalid");
            refusals.warn("Rejected event: {} (Content-Type {})", unsupported.getMessage(), contentType);
            reply(exchange, 415, error(unsupported.getMessage()));
        } else if (failure instanceof InvalidPayloadException) {
            // platform-http parses form bodies itself, leaving nothing to read as JSON
            metrics.rejected("invalid");
            refusals.warn("Rejected event: body is not JSON (Content-Type {})", contentType);
            reply(exchange, 415, error(UnsupportedBodyException.NOT_JSON));
        } else {
            metrics.rejected("error");
            // the route names the request (an admin list that ran out of memory is no event lost)
            Throwable cause = Causes.innermost(failure);
            failures.error("Could not answer a request to route {}: {}", exchange.getFromRouteId(),
                    cause == null ? "unknown error" : cause.getClass().getName() + thrownAt(cause));
            reply(exchange, 500, error("internal error"));
        }
    }

    /**
     * Where the service's own code threw: enough to find a bug from the log line. The message is
     * left out: it may quote the body or a channel's URL.
     */
    static String thrownAt(Throwable failure) {
        for (StackTraceElement frame : failure.getStackTrace()) {
            if (frame.getClassName().startsWith("io.castai.")) {
                return " at " + frame;
            }
        }
        return "";
    }

    private static void reply(Exchange exchange, int status, String json) {
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(json);
    }

    static String error(String message) {
        try {
            return JSON.writeValueAsString(Map.of("error", message));
        } catch (JsonProcessingException e) {
            return "{\"error\":\"internal error\"}";
        }
    }
}
