package io.castai.events.ops;

import java.util.List;

import io.vertx.core.MultiMap;
import io.vertx.ext.web.Router;

/**
 * On the intake and the routing dry-run, a query parameter is no request header. Camel's HTTP
 * server makes a message header of each one, and the steps read their headers (webhook-id,
 * Idempotency-Key, Content-Encoding, the signature's): {@code ?Idempotency-Key=x} in a URL
 * pasted into a sender's settings would make every later event without an id a duplicate,
 * dropped without a trace. Only {@code token} is taken from the query (README, Security).
 */
final class QueryIsNotHeaders {
    private QueryIsNotHeaders() {
    }

    static void install(Router router, int order) {
        for (String path : List.of(AuthBeforeBody.INTAKE_PATH, AuthBeforeBody.ROUTES_TEST_PATH)) {
            router.route(path).order(order).handler(ctx -> {
                // the routing context's decoded query, which Camel reads its headers from
                MultiMap query = ctx.queryParams();
                if (!query.isEmpty()) {
                    query.names().stream().filter(name -> !"token".equalsIgnoreCase(name)).toList().forEach(query::remove);
                }
                ctx.next();
            });
        }
    }
}
