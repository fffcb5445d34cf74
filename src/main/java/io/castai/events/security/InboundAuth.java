package io.castai.events.security;

import java.util.function.UnaryOperator;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may post events. With {@code WEBHOOK_TOKEN} set, a request carries it as
 * {@code Authorization: Bearer <token>}, an {@code X-Webhook-Token} header (CAST AI's webhook
 * configuration can add static headers) or a {@code token} query parameter (for senders that only
 * set a URL). With {@code WEBHOOK_SIGNING_SECRET} set, a Standard Webhooks signature
 * ({@code webhook-id}, {@code webhook-timestamp}, {@code webhook-signature}) is verified, with a
 * timestamp tolerance against replays; a valid signature also authenticates.
 * Comparisons take constant time. Credentials are removed from the message once checked.
 */
public class InboundAuth {
    private static final Logger LOG = LoggerFactory.getLogger(InboundAuth.class);

    private final SecretToken token;
    private final WebhookSignature signatures;

    public InboundAuth(String webhookToken, WebhookSignature signatures) {
        this.token = SecretToken.of(webhookToken);
        this.signatures = signatures;
    }

    public boolean isOpen() {
        return token == null && signatures == null;
    }

    /** Says once, at start-up, how the intake is protected. */
    public void logStatus() {
        if (isOpen()) {
            LOG.warn("Intake is unauthenticated: anyone who can reach POST /castai/events can inject events; "
                    + "set WEBHOOK_TOKEN (or WEBHOOK_SIGNING_SECRET)");
        } else {
            LOG.info("Intake requires {}", token != null && signatures != null ? "a token or a valid signature"
                    : token != null ? "a token" : "a valid Standard Webhooks signature");
        }
    }

    /** The token, or null when none is set (to keep it out of a logged path: {@link SecretToken#maskedIn}). */
    public SecretToken token() {
        return token;
    }

    /** Throws {@link UnauthorizedException} unless the request is allowed in. */
    public void check(Exchange exchange) {
        Message message = exchange.getMessage();
        try {
            if (signatures != null && message.getHeader("webhook-signature") != null) {
                verifySignature(message);
                return;
            }
            String refusal = refusal(name -> message.getHeader(name, String.class));
            if (refusal != null) {
                throw new UnauthorizedException(refusal);
            }
        } finally {
            message.removeHeader("Authorization");
            message.removeHeader("X-Webhook-Token");
            message.removeHeader("token");
        }
    }

    /**
     * Why a request is refused before its body is read, or null when it may go on: it carries no
     * valid token, nor well-formed, fresh signature headers to verify with the body. {@code header}
     * gives a request header by name, {@code token} the query parameter, and the raw query as
     * {@link Exchange#HTTP_QUERY}. A stranger's body is then never read into memory.
     */
    public String refusalBeforeBody(UnaryOperator<String> header) {
        if (awaitsSignature(header)) {
            return signatures.headerRefusal(header.apply("webhook-id"), header.apply("webhook-timestamp"),
                    header.apply("webhook-signature"));
        }
        return refusal(header);
    }

    /** Whether the request is to be let in by its signature, which only its body can confirm. */
    public boolean awaitsSignature(UnaryOperator<String> header) {
        return signatures != null && header.apply("webhook-signature") != null;
    }

    private String refusal(UnaryOperator<String> header) {
        if (isOpen()) {
            return null;
        }
        if (token == null) {
            return "missing webhook signature";
        }
        try {
            String presented = presentedToken(header);
            if (presented == null) {
                return "missing credentials: send Authorization: Bearer <token>";
            }
            return token.matches(presented) ? null : "invalid credentials";
        } catch (UnauthorizedException e) {
            return e.getMessage();
        }
    }

    private void verifySignature(Message message) {
        signatures.verify(message.getHeader("webhook-id", String.class),
                message.getHeader("webhook-timestamp", String.class),
                message.getHeader("webhook-signature", String.class),
                message.getBody(byte[].class));
    }

    private static String presentedToken(UnaryOperator<String> header) {
        String authorization = AuthorizationHeader.of(header);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        String tokenHeader = header.apply("X-Webhook-Token");
        if (tokenHeader != null) {
            return tokenHeader.trim();
        }
        String query = header.apply("token");
        if (query == null && authorization != null && !authorization.isBlank()) {
            // another scheme, a malformed one, or two headers (which Camel joins): credentials, but not ours
            throw new UnauthorizedException("invalid credentials: send Authorization: Bearer <token>");
        }
        return query;
    }
}
