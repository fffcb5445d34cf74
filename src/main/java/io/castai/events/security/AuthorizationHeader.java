package io.castai.events.security;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.UnaryOperator;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The request's Authorization header. platform-http makes every query parameter a header too,
 * so {@code ?Authorization=Bearer ...} would pass for one: such a request is refused, as a
 * credential in a URL ends up in proxies' and servers' access logs. The names are read decoded
 * ({@code ?%41uthorization=} is the same parameter).
 */
final class AuthorizationHeader {
    private AuthorizationHeader() {
    }

    static String of(Message message) {
        return of(name -> message.getHeader(name, String.class));
    }

    /** {@code header}: a request header by name, and the raw query as {@link Exchange#HTTP_QUERY}. */
    static String of(UnaryOperator<String> header) {
        String query = header.apply(Exchange.HTTP_QUERY);
        if (query != null && namesAuthorization(query)) {
            throw new UnauthorizedException("credentials go in the Authorization header, not in the URL");
        }
        return header.apply("Authorization");
    }

    private static boolean namesAuthorization(String query) {
        for (String parameter : query.split("&")) {
            String name = parameter.split("=", 2)[0];
            try {
                name = URLDecoder.decode(name, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException undecodable) {
                // compared as it came
            }
            if (name.trim().toLowerCase(Locale.ROOT).equals("authorization")) {
                return true;
            }
        }
        return false;
    }
}
