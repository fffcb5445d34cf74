package io.castai.events.security;

import java.util.regex.Pattern;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The request's Authorization header. platform-http makes every query parameter a header too,
 * so {@code ?Authorization=Bearer ...} would pass for one: such a request is refused, as a
 * credential in a URL ends up in proxies' and servers' access logs.
 */
final class AuthorizationHeader {
    private static final Pattern IN_QUERY = Pattern.compile("(^|&)authorization=", Pattern.CASE_INSENSITIVE);

    private AuthorizationHeader() {
    }

    static String of(Message message) {
        String query = message.getHeader(Exchange.HTTP_QUERY, String.class);
        if (query != null && IN_QUERY.matcher(query).find()) {
            throw new UnauthorizedException("credentials go in the Authorization header, not in the URL");
        }
        return message.getHeader("Authorization", String.class);
    }
}
