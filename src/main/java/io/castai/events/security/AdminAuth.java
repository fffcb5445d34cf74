package io.castai.events.security;

import java.util.function.UnaryOperator;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

/** The admin endpoints need their own token (ADMIN_TOKEN) as a Bearer; without one they are off. */
public class AdminAuth {
    private final SecretToken token;

    public AdminAuth(String adminToken) {
        this.token = SecretToken.of(adminToken);
    }

    /** The token, or null when none is set (to keep it out of a logged path: {@link SecretToken#maskedIn}). */
    public SecretToken token() {
        return token;
    }

    public void check(Exchange exchange) {
        Message message = exchange.getMessage();
        String refusal;
        try {
            refusal = refusal(name -> message.getHeader(name, String.class));
        } finally {
            message.removeHeader("Authorization");
        }
        if (refusal != null) {
            throw new UnauthorizedException(refusal);
        }
    }

    /**
     * Why a request's credentials are refused, or null when they are the admin token's.
     * {@code header}: a request header by name, and the raw query as {@link Exchange#HTTP_QUERY}.
     */
    public String refusal(UnaryOperator<String> header) {
        String authorization;
        try {
            authorization = AuthorizationHeader.of(header);
        } catch (UnauthorizedException e) {
            return e.getMessage();
        }
        if (token == null) {
            return "admin endpoints are off: set ADMIN_TOKEN";
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return "missing credentials: send Authorization: Bearer <admin token>";
        }
        return token.matches(authorization.substring(7)) ? null : "invalid credentials";
    }
}
