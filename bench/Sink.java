// A local stand-in for Slack/PagerDuty for the benchmark: answers 200 "ok" to every POST and
// counts them; GET /count returns the count. Run with: java bench/Sink.java <port>
import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

public class Sink {
    public static void main(String[] args) throws Exception {
        AtomicLong posts = new AtomicLong();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 1024);
        // no executor: each request is answered on the server's own thread, without a hand-off
        // (a pool of 8 cost the sink a third of a core at 10,000 requests a second)
        server.setExecutor(null);
        server.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
            }
            byte[] body;
            if ("POST".equals(exchange.getRequestMethod())) {
                posts.incrementAndGet();
                body = "ok".getBytes(StandardCharsets.UTF_8);
            } else {
                body = String.valueOf(posts.get()).getBytes(StandardCharsets.UTF_8);
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }
}
