package io.castai.events;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.castai.events.channels.ConfigurationException;
import io.castai.events.support.RunningService;
import org.apache.camel.CamelContext;
import org.apache.camel.Ordered;
import org.apache.camel.Route;
import org.apache.camel.StartupListener;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.RoutePolicySupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The server listens before the intake route has started: what a sender hears in between. */
class StartingUpTest {
    private static final String EVENT = "{\"id\":\"early-1\",\"eventType\":\"node.added\",\"clusterName\":\"prod\"}";

    @Test
    void aRequestWhileTheRoutesStartGetsAJson503SoTheSenderRetries() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // a route started just before the intake (startupOrder 10000) that holds the start-up there
        RouteBuilder holdStartUp = new RouteBuilder() {
            @Override
            public void configure() {
                from("timer:held-start-up?repeatCount=1&delay=-1").routeId("held-start-up").startupOrder(9999)
                        .routePolicy(new RoutePolicySupport() {
                            @Override
                            public void onStart(Route route) {
                                held.countDown();
                                try {
                                    release.await(60, TimeUnit.SECONDS);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            }
                        })
                        .log("start-up released");
            }
        };
        HeldStart start = postWhileHeld(holdStartUp, held, release);
        HttpResponse<String> early = start.early();
        try (RunningService service = start.service()) {
            assertThat(early.statusCode()).as(early.body()).isEqualTo(503);
            assertThat(early.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(early.body()).isEqualTo("{\"error\":\"the service is starting or stopping: retry\"}");
            // the sender's retry is taken: the early answer remembered nothing
            HttpResponse<String> retried = service.postEvent(EVENT);
            assertThat(retried.statusCode()).isEqualTo(200);
            assertThat(retried.body()).doesNotContain("duplicate");
        }
    }

    /**
     * The server listens well before the routes start (the outbox opens, the recent ids load):
     * a sender restarting with the service got Vert.x's HTML 404 there, which it may take as final.
     */
    @Test
    void aRequestAsSoonAsTheServerListensGetsAJson503NotAnHtml404() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // held straight after the server starts: the last start-up listener, added after the service's own
        RouteBuilder holdStartUp = new RouteBuilder() {
            @Override
            public void configure() throws Exception {
                getContext().addStartupListener(new HeldStartUp(held, release));
            }
        };
        HeldStart start = postWhileHeld(holdStartUp, held, release);
        HttpResponse<String> early = start.early();
        try (RunningService ignored = start.service()) {
            assertThat(early.statusCode()).as(early.body()).isEqualTo(503);
            assertThat(early.body()).isEqualTo("{\"error\":\"the service is starting or stopping: retry\"}");
        }
    }

    /** What a sender heard while the start-up was held, and the service once it went on. */
    private record HeldStart(HttpResponse<String> early, RunningService service) {
    }

    /** Starts the service with {@code hold} among its routes, posts the event while it holds, then lets it go on. */
    private static HeldStart postWhileHeld(RouteBuilder hold, CountDownLatch held, CountDownLatch release) throws Exception {
        int port = RunningService.freePort();
        CompletableFuture<RunningService> starting = CompletableFuture.supplyAsync(() ->
                RunningService.builder().property("server.port", port).routes(hold).start());
        HttpResponse<String> early;
        try {
            assertThat(held.await(60, TimeUnit.SECONDS)).as("the start-up reached the hold").isTrue();
            early = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/castai/events"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(EVENT)).build(), HttpResponse.BodyHandlers.ofString());
        } finally {
            release.countDown();
        }
        return new HeldStart(early, starting.get(60, TimeUnit.SECONDS));
    }

    /** A start-up listener ordered last that holds the start-up until released. */
    private record HeldStartUp(CountDownLatch held, CountDownLatch release) implements StartupListener, Ordered {
        @Override
        public void onCamelContextStarting(CamelContext context, boolean alreadyStarted) throws Exception {
            held.countDown();
            release.await(60, TimeUnit.SECONDS);
        }

        @Override
        public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST;
        }
    }

    @Test
    void withoutItsRoutesTheServiceRefusesToStartInsteadOfServingNothing(@TempDir Path dir) throws Exception {
        // a routes/ that is a symbolic link: Camel does not follow it, and started an empty service
        Path link = Files.createSymbolicLink(dir.resolve("routes"), Path.of("routes").toAbsolutePath());
        String pattern = "file:" + link + "/*.camel.yaml";
        assertThatThrownBy(() -> RunningService.builder().property("camel.main.routes-include-pattern", pattern).start())
                .rootCause()
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("no 'intake' route among the 0 route(s) loaded from " + pattern
                        + ": start from the directory that holds routes/");
    }

    @Test
    void withSomeOfItsRoutesMissingTheServiceRefusesToStartNamingWhatIsMissing(@TempDir Path dir) throws Exception {
        // a routes/ mounted from a ConfigMap holding only some files: it started ready, and every
        // event waited for its timeout (no dispatch) or its deliveries stayed pending (no hand-over)
        assertThat(startWithout(dir.resolve("a"), "dispatch.camel.yaml"))
                .startsWith("route accept-event sends to direct:dispatch, which no route loaded from file:" + dir.resolve("a"));
        assertThat(startWithout(dir.resolve("c"), "deliver-http.camel.yaml")).as("sent to by the channels' route templates only")
                .startsWith("route template pagerduty-channel sends to direct:deliver-http, which no route loaded from");
        // a team's own route whose error path sends where nothing reads (a doCatch's steps are not its outputs)
        Path own = Files.createDirectories(dir.resolve("d"));
        Files.writeString(own.resolve("my-own.camel.yaml"), """
                - route:
                    id: my-own
                    from:
                      uri: timer:my-own
                      parameters: {delay: 600000}
                      steps:
                        - doTry:
                            steps:
                              - log: trying
                            doCatch:
                              - exception: [java.lang.Exception]
                                steps:
                                  - to: direct:my-alerts
                """);
        assertThat(startWithout(own, "none")).startsWith("route my-own sends to direct:my-alerts, which no route loaded from");
        assertThat(startWithout(dir.resolve("b"), "delivery-retries.camel.yaml"))
                .isEqualTo("route dispatch sends to direct:hand-over, which no route loaded from file:" + dir.resolve("b")
                        + "/*.camel.yaml reads from: a route file is missing (mount all of routes/, and your own files beside them)");
    }

    /** The start-up failure's message, the service started from a copy of routes/ without one file. */
    private static String startWithout(Path routes, String file) throws Exception {
        Files.createDirectories(routes);
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path route : files.toList()) {
                if (!route.getFileName().toString().equals(file)) {
                    Files.copy(route, routes.resolve(route.getFileName()));
                }
            }
        }
        Throwable failure = catchThrowable(() -> RunningService.builder()
                .property("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml").start());
        assertThat(failure).isNotNull();
        Throwable cause = failure;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        assertThat(cause).isInstanceOf(ConfigurationException.class);
        return cause.getMessage();
    }
}
