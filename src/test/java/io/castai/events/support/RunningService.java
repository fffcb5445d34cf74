package io.castai.events.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.castai.events.App;
import io.castai.events.ops.Causes;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.ServiceStatus;
import org.apache.camel.main.Main;

import static org.awaitility.Awaitility.await;

/**
 * The real application, started in this JVM exactly as {@code java -jar} starts it (same Main,
 * same application.properties, same routes/ from disk), on a free port, with test overrides.
 */
public final class RunningService implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private final Main main;
    private final int port;

    private RunningService(Main main, int port) {
        this.main = main;
        this.port = port;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final Map<String, String> properties = new LinkedHashMap<>();
        private final List<RoutesBuilder> extraRoutes = new ArrayList<>();

        public Builder property(String key, Object value) {
            properties.put(key, String.valueOf(value));
            return this;
        }

        /** A test's own routes, started with the service's. */
        public Builder routes(RoutesBuilder routes) {
            extraRoutes.add(routes);
            return this;
        }

        /** Slack and PagerDuty pointed at local stand-ins (PagerDuty with a valid-looking routing key). */
        public Builder channels(HttpStandIn slack, HttpStandIn pagerDuty) {
            return property("slack.webhook.url", slack.url("/services/T000/B000/slacktoken"))
                    .property("pagerduty.routing.key", "0123456789abcdef0123456789abcdef")
                    .property("pagerduty.events.url", pagerDuty.url("/v2/enqueue"));
        }

        /**
         * channels.yaml (written in {@code directory}) with one PagerDuty channel at the stand-in:
         * an incident per node for every node.* event, resolved by node.removed.
         */
        public Builder pagerDutyPerNode(Path directory, HttpStandIn pagerDuty) throws IOException {
            Path channels = Files.writeString(directory.resolve("channels.yaml"), """
                    channels:
                      - {name: pagerduty, type: pagerduty, routingKey: "0123456789abcdef0123456789abcdef",
                         eventsUrl: "${PD_URL}", dedupBy: node, resolveOn: [node.removed]}
                    rules:
                      - {name: nodes, eventTypes: ["node.*"], channels: [pagerduty]}
                    default: [log]
                    """);
            return property("channels.file", channels).property("PD_URL", pagerDuty.url("/v2/enqueue"));
        }

        public RunningService start() {
            if (properties.containsKey("server.port")) {
                return startOn(Integer.parseInt(properties.get("server.port")));
            }
            for (int attempt = 1; ; attempt++) {
                try {
                    return startOn(freePort());
                } catch (IllegalStateException failed) {
                    // the port was free when chosen; a stand-in (of this test JVM or the other)
                    // may have been given it before the service bound it
                    if (attempt == 3 || Causes.chain(failed).stream().noneMatch(cause -> cause instanceof BindException
                            || String.valueOf(cause.getMessage()).contains("the HTTP server could not listen on"))) {
                        throw failed;
                    }
                }
            }
        }

        private RunningService startOn(int port) {
            Main main = App.createMain();
            main.addOverrideProperty("server.port", String.valueOf(port));
            main.addOverrideProperty("server.host", "127.0.0.1");
            // fast retries in tests; each test may override
            main.addOverrideProperty("delivery.initial-backoff", "50ms");
            main.addOverrideProperty("delivery.max-backoff", "200ms");
            main.addOverrideProperty("delivery.poll-interval-ms", "100");
            main.addOverrideProperty("data.dir", tempDataDir().toString());
            properties.forEach(main::addOverrideProperty);
            extraRoutes.forEach(main.configure()::addRoutesBuilder);
            try {
                main.start();
            } catch (Exception e) {
                main.stop();
                throw new IllegalStateException("service did not start", e);
            }
            RunningService service = new RunningService(main, port);
            await().atMost(Duration.ofSeconds(30)).until(() -> List.of(200, 503).contains(service.get("/observe/health").statusCode()));
            return service;
        }
    }

    private static Path tempDataDir() {
        try {
            Path dir = Files.createTempDirectory("castai-events-test");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public CamelContext camelContext() {
        return main.getCamelContext();
    }

    public boolean isStarted() {
        return main.getCamelContext().getStatus() == ServiceStatus.Started;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public HttpResponse<String> postEvent(String json, String... headers) {
        return send("POST", "/castai/events", json, headers);
    }

    public HttpResponse<String> postFixture(String name, String... headers) {
        return postEvent(fixture(name), headers);
    }

    public HttpResponse<String> get(String path) {
        return send("GET", path, null);
    }

    public HttpResponse<String> send(String method, String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        boolean hasContentType = false;
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
            hasContentType |= headers[i].equalsIgnoreCase("Content-Type");
        }
        if (body != null && !hasContentType) {
            request.header("Content-Type", "application/json");
        }
        try {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes {@code request} as it is on a new connection (what java.net.http refuses to send:
     * bad escapes, a body cut short) and returns all the server answered until it closed the
     * connection or 10 s passed; with {@code hangUp}, closes the connection at once instead.
     */
    public String sendRaw(String request, boolean hangUp) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            if (hangUp) {
                return "";
            }
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A connection to the service with this much of a request written, left open for the caller to close. */
    public Socket openRaw(String partialRequest) {
        try {
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.getOutputStream().write(partialRequest.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fixture copied from the shared samples: src/test/resources/fixtures/{events,castai-api}/. */
    public static String fixture(String name) {
        try {
            return Files.readString(Path.of("src/test/resources/fixtures", name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            main.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
