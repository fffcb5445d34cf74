package io.castai.events.security;

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

    /** Throws {@link UnauthorizedException} unless the request is allowed in. */
    /** The token, or null when none is set (to keep it out of a logged path: {@link SecretToken#maskedIn}). */
    public SecretToken token() {
        return token;
    }

    public void check(Exchange exchange) {
        Message message = exchange.getMessage();
        try {
            if (isOpen()) {
                return;
            }
            if (signatures != null && message.getHeader("webhook-signature") != null) {
                verifySignature(message);
                return;
            }
            if (token == null) {
                throw new UnauthorizedException("missing webhook signature");
            }
            String presented = presentedToken(message);
            if (presented == null) {
                throw new UnauthorizedException("missing credentials: send Authorization: Bearer <token>");
            }
            if (!token.matches(presented)) {
                throw new UnauthorizedException("invalid credentials");
            }
        } finally {
            message.removeHeader("Authorization");
            message.removeHeader("X-Webhook-Token");
            message.removeHeader("token");
        }
    }

    private void verifySignature(Message message) {
        signatures.verify(message.getHeader("webhook-id", String.class),
                message.getHeader("webhook-timestamp", String.class),
                message.getHeader("webhook-signature", String.class),
                message.getBody(byte[].class));
    }

    private static String presentedToken(Message message) {
        String authorization = AuthorizationHeader.of(message);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        String header = message.getHeader("X-Webhook-Token", String.class);
        if (header != null) {
            return header.trim();
        }
        String query = message.getHeader("token", String.class);
        if (query == null && authorization != null && !authorization.isBlank()) {
            // another scheme, a malformed one, or two headers (which Camel joins): credentials, but not ours
            throw new UnauthorizedException("invalid credentials: send Authorization: Bearer <token>");
        }
        return query;
    }
}
