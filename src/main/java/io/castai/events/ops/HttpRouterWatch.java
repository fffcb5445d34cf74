package io.castai.events.ops;

import java.util.concurrent.ThreadPoolExecutor;

import org.apache.camel.CamelContext;
import org.apache.camel.support.LifecycleStrategySupport;

/**
 * Hands the HTTP server's router to {@link JsonHttpErrors} before the server listens. Camel's
 * platform-http server binds its router in the registry, then makes its executor, then listens,
 * all in one start; the executor is the one thing in between that Camel tells of (a thread pool
 * made). Every thread pool made looks for a router not yet covered: a registry lookup, a few dozen
 * times at start-up and none per message. Should Camel change that order, the context's start-up
 * events still cover the router, later.
 */
public class HttpRouterWatch extends LifecycleStrategySupport {
    private final JsonHttpErrors jsonHttpErrors;

    public HttpRouterWatch(JsonHttpErrors jsonHttpErrors) {
        this.jsonHttpErrors = jsonHttpErrors;
    }

    @Override
    public void onThreadPoolAdd(CamelContext camelContext, ThreadPoolExecutor threadPool, String id, String sourceId,
                                String routeId, String threadPoolProfileId) {
        jsonHttpErrors.coverNewRouters(camelContext);
    }
}
