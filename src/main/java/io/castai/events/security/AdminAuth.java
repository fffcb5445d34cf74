package io.castai.events.security;

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
        String authorization;
        try {
            authorization = AuthorizationHeader.of(message);
        } finally {
            message.removeHeader("Authorization");
        }
        if (token == null) {
            throw new UnauthorizedException("admin endpoints are off: set ADMIN_TOKEN");
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new UnauthorizedException("missing credentials: send Authorization: Bearer <admin token>");
        }
        if (!token.matches(authorization.substring(7))) {
            throw new UnauthorizedException("invalid credentials");
        }
    }
}
